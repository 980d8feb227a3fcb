import { describe, expect, it } from 'vitest';
import { compactName, resolveAttribution } from '../../../src/dedupe/attribution.js';
import { creditInHtml, creditInText, stripCredits } from '../../../src/dedupe/credits.js';
import { planDecision, DEFAULT_DEDUPE, toExportLine, type StoryRecord } from '../../../src/dedupe/story.js';
import type { Attribution } from '../../../src/extract/types.js';
import type { NormalizedArticle } from '../../../src/store/article.js';

// Synthetic credit lines built from the plugins' published templates; names and URLs are placeholders.
describe('credit lines in text', () => {
  it.each([
    [
      'Yoast en',
      'Body one. The post Example headline about markets appeared first on Invezz.',
      'yoast-footer',
      'Example headline about markets',
      'Invezz',
    ],
    [
      'Yoast, no final period',
      'Body. The post Rates hold steady appeared first on Example News',
      'yoast-footer',
      'Rates hold steady',
      'Example News',
    ],
    [
      'Yoast de',
      'Text. Der Beitrag Beispielüberschrift erschien zuerst auf Beispielblog.',
      'yoast-footer',
      'Beispielüberschrift',
      'Beispielblog',
    ],
    [
      'Yoast fr',
      'Texte. L’article Titre d’exemple est apparu en premier sur Site Exemple.',
      'yoast-footer',
      'Titre d’exemple',
      'Site Exemple',
    ],
    [
      'Yoast es',
      'Texto. La entrada Titular de ejemplo se publicó primero en Sitio Ejemplo.',
      'yoast-footer',
      'Titular de ejemplo',
      'Sitio Ejemplo',
    ],
    [
      'Yoast it',
      "Testo. L'articolo Titolo di esempio proviene da Sito Esempio.",
      'yoast-footer',
      'Titolo di esempio',
      'Sito Esempio',
    ],
    [
      'Yoast pt',
      'Texto. O post Título de exemplo apareceu primeiro em Site Exemplo.',
      'yoast-footer',
      'Título de exemplo',
      'Site Exemplo',
    ],
    [
      'AIOSEO',
      'Body. The post A sample post first appeared on Example Org Blog.',
      'aioseo-footer',
      'A sample post',
      'Example Org Blog',
    ],
    [
      'site name with a dot',
      'Body. The post Gold slips appeared first on Markets.example.',
      'yoast-footer',
      'Gold slips',
      'Markets.example',
    ],
    [
      'free text',
      'Body. This article was originally published on Example Blog.',
      'text-credit',
      null,
      'Example Blog',
    ],
  ])('%s', (_name, text, method, title, site) => {
    expect(creditInText(text)).toMatchObject({ method, title, siteName: site, originalUrl: null });
  });

  it.each([
    [
      'the phrase inside prose',
      'The mainframe first appeared on the computing landscape in the 1940s and is still used today.',
    ],
    [
      'a credit that is not at the end',
      'The post Old news appeared first on Example. Then the article goes on for a while longer.',
    ],
    ['no credit', 'Shares rose on Tuesday after the results.'],
  ])('not a credit: %s', (_name, text) => {
    expect(creditInText(text)).toBeNull();
  });

  it('stripCredits removes the footer and an excerpt marker before it', () => {
    const s = stripCredits(
      'First fifty-five words of the story […] The post Story title appeared first on Example News.',
    );
    expect(s.text).toBe('First fifty-five words of the story');
    expect(s.excerpt).toBe(true);
    expect(s.credits[0]?.siteName).toBe('Example News');
    expect(stripCredits('A complete text.')).toEqual({
      text: 'A complete text.',
      credits: [],
      excerpt: false,
    });
  });
});

describe('credit lines in feed item HTML keep their links', () => {
  it('Yoast: the post link is the original, the blog link the site', () => {
    const html =
      '<p>Body paragraph one.</p>\n<p>The post <a rel="nofollow" href="https://invezz.example/news/2024/01/02/example-slug/">Example headline &amp; more</a> appeared first on <a rel="nofollow" href="https://invezz.example">Invezz</a>.</p>';
    expect(creditInHtml(html, 'https://copier.example/a')).toMatchObject({
      method: 'yoast-footer',
      title: 'Example headline & more',
      siteName: 'Invezz',
      originalUrl: 'https://invezz.example/news/2024/01/02/example-slug/',
      siteUrl: 'https://invezz.example/',
    });
  });

  it('republication tracker: "This article first appeared on …"', () => {
    const html =
      '<p>This <a target="_blank" href="https://news.example.net/2024/story">article</a> first appeared on <a target="_blank" href="https://news.example.net">Example Newsroom</a> and is republished here under a Creative Commons Attribution-NoDerivatives 4.0 International License.</p>';
    expect(creditInHtml(html, 'https://copier.example/')).toMatchObject({
      method: 'republication-credit',
      siteName: 'Example Newsroom',
      originalUrl: 'https://news.example.net/2024/story',
    });
  });

  it('The Conversation credit', () => {
    const html =
      '<p>This article is republished from <a href="https://conversation.example">The Conversation</a> under a Creative Commons license. Read the <a href="https://conversation.example/example-12345">original article</a>.</p>';
    expect(creditInHtml(html, 'https://copier.example/')).toMatchObject({
      siteName: 'The Conversation',
      originalUrl: 'https://conversation.example/example-12345',
    });
  });
});

function article(over: Partial<NormalizedArticle> = {}): NormalizedArticle {
  const text = Array.from({ length: 40 }, (_, i) => `Sentence ${i} of the harbor story.`).join(' ');
  return {
    title: 'Harbor approves crane fleet',
    authors: [],
    byline: null,
    siteName: null,
    publishedAt: '2026-11-20T10:00:00.000Z',
    modifiedAt: null,
    lang: 'en',
    excerpt: null,
    leadImage: null,
    tags: [],
    contentHtml: '<p>x</p>',
    contentText: text,
    wordCount: 240,
    readingMinutes: 1,
    canonicalUrl: null,
    attribution: null,
    access: 'free',
    contentSource: 'page',
    id: 'a1',
    url: 'https://copier.example/business/harbor/?utm_source=rss',
    finalUrl: 'https://copier.example/business/harbor/',
    urlKey: 'https://copier.example/business/harbor',
    feed: { id: 'copier', url: 'https://copier.example/feed' },
    fetchedAt: '2026-11-20T11:00:00.000Z',
    schemaVersion: 1,
    ...over,
  };
}

describe('resolveAttribution', () => {
  const pageUrl = 'https://copier.example/business/harbor/';

  it('prefers a linked credit in the feed item over the name-only credit on the page', () => {
    const a = resolveAttribution({
      article: article({
        contentText: 'Body. The post Harbor approves crane fleet appeared first on Harbor Ledger.',
      }),
      pageUrl,
      feedItem: {
        contentHtml:
          '<p>Body.</p><p>The post <a href="https://ledger.example/2026/11/20/cranes/">Harbor approves crane fleet</a> appeared first on <a href="https://ledger.example/">Harbor Ledger</a>.</p>',
      },
    });
    expect(a).toMatchObject({
      method: 'yoast-footer',
      originalUrl: 'https://ledger.example/2026/11/20/cranes/',
      originalPublisher: 'Harbor Ledger',
      originalTitle: 'Harbor approves crane fleet',
    });
  });

  it('reads the links of a credit kept at the end of the extracted content HTML', () => {
    const a = resolveAttribution({
      article: article({
        contentText: 'Body. The post Harbor approves crane fleet appeared first on Harbor Ledger.',
        contentHtml:
          '<div><p>Body.</p><p>The post <a href="https://ledger.example/cranes/">Harbor approves crane fleet</a> appeared first on <a href="https://ledger.example">Harbor Ledger</a>.</p></div>',
      }),
      pageUrl,
    });
    expect(a).toMatchObject({
      originalUrl: 'https://ledger.example/cranes/',
      originalPublisher: 'Harbor Ledger',
    });
  });

  it('falls back to a cross-domain canonical, and then to the page text credit (site only)', () => {
    expect(
      resolveAttribution({
        article: article({ canonicalUrl: 'https://ledger.example/2026/11/20/cranes/' }),
        pageUrl,
      }),
    ).toMatchObject({
      method: 'cross-domain-canonical',
      originalUrl: 'https://ledger.example/2026/11/20/cranes/',
    });
    expect(
      resolveAttribution({
        article: article({
          contentText: 'Body. The post Harbor approves crane fleet appeared first on Harbor Ledger',
        }),
        pageUrl,
      }),
    ).toMatchObject({ method: 'yoast-footer', originalUrl: null, originalPublisher: 'Harbor Ledger' });
  });

  it('a same-site canonical or a credit naming the page’s own site is not an attribution', () => {
    expect(
      resolveAttribution({ article: article({ canonicalUrl: 'https://www.copier.example/b' }), pageUrl }),
    ).toBeNull();
    const self: Attribution = {
      originalUrl: 'https://copier.example/other',
      originalPublisher: 'Copier',
      method: 'yoast-footer',
      evidence: 'x',
    };
    expect(resolveAttribution({ article: article({ attribution: self }), pageUrl })).toBeNull();
  });

  it('a credit naming the page’s own publisher is not an attribution ("Originally published on Live Science")', () => {
    const text = 'Body of the article. Originally published on Live Science.';
    const onOwnSite = {
      article: article({ contentText: text, siteName: 'livescience.com' }),
      pageUrl: 'https://www.livescience.com/x.html',
    };
    expect(resolveAttribution(onOwnSite)).toBeNull();
    expect(
      resolveAttribution({ article: article({ contentText: text, siteName: 'Space Daily' }), pageUrl }),
    ).toMatchObject({
      method: 'text-credit',
      originalPublisher: 'Live Science',
    });
    expect(compactName('www.LiveScience.com')).toBe(compactName('Live Science'));
    expect(compactName('bbc.co.uk')).toBe('bbc');
  });

  it('keeps extraction’s attribution when it names the original’s address', () => {
    const given: Attribution = {
      originalUrl: 'https://ledger.example/x',
      originalPublisher: 'Ledger',
      method: 'jsonld-isBasedOn',
      evidence: 'isBasedOn',
    };
    expect(resolveAttribution({ article: article({ attribution: given }), pageUrl })).toBe(given);
  });
});

describe('footer-only resolution keys', () => {
  it('a credit naming only the site waits under the key the original page will look up', () => {
    const copy = planDecision({
      article: article(),
      attribution: {
        originalUrl: null,
        originalPublisher: 'Harbor  Ledger',
        method: 'yoast-footer',
        evidence: 'The post …',
        originalTitle: 'Harbor Approves Crane Fleet',
      },
      urlHash: 'h-copy',
      settings: DEFAULT_DEDUPE,
      now: 0,
    });
    const original = planDecision({
      article: article({
        id: 'o1',
        url: 'https://ledger.example/2026/11/20/cranes/',
        finalUrl: 'https://ledger.example/2026/11/20/cranes/',
        urlKey: 'https://ledger.example/2026/11/20/cranes',
        siteName: 'Harbor Ledger',
        title: 'Harbor approves crane fleet – Harbor Ledger',
      }),
      attribution: null,
      urlHash: 'h-orig',
      feedTitle: 'Harbor approves crane fleet',
      settings: DEFAULT_DEDUPE,
      now: 0,
    });
    expect(copy.payload.origHash).toBe('');
    expect(copy.payload.origPublisher).toBe('harbor ledger');
    // The publisher table maps "harbor ledger" → the original's domain; the title key is the feed title's.
    expect(original.payload.siteKey).toBe(copy.payload.origPublisher);
    expect(original.payload.titles).toContain(copy.payload.origTitle);
    expect(original.payload.awaitTitles).toContain(copy.payload.origAwait);
    expect(copy.original).toBeNull();
  });

  it('a linked attribution asks for the original to be fetched; a same-site canonical is an alias', () => {
    const plan = planDecision({
      article: article({ canonicalUrl: 'https://copier.example/business/harbor-approves' }),
      attribution: {
        originalUrl: 'https://ledger.example/cranes/?utm_source=x',
        originalPublisher: null,
        method: 'cross-domain-canonical',
        evidence: 'x',
      },
      urlHash: 'h-copy',
      settings: DEFAULT_DEDUPE,
      now: 0,
    });
    expect(plan.original).toMatchObject({ urlKey: 'https://ledger.example/cranes' });
    expect(plan.payload.aliases).toHaveLength(2); // finalUrl and the same-site canonical
  });
});

describe('export view', () => {
  it('fills a canonical copy’s publisher from the original member', () => {
    const base = {
      finalUrl: '',
      feed: { id: 'f', url: 'u' },
      title: null,
      publishedAt: null,
      fetchedAt: '',
      wordCount: 1,
    };
    const story: StoryRecord = {
      storyId: 's',
      representativeId: 'o',
      createdAt: '',
      updatedAt: '',
      members: [
        {
          ...base,
          articleId: 'c',
          url: 'https://copy.example/x',
          canonicalUrl: 'https://copy.example/x',
          siteName: 'Copy',
          relation: 'syndicated-copy',
          attribution: {
            originalUrl: 'https://www.orig.example/a/',
            originalPublisher: null,
            method: 'cross-domain-canonical',
          },
        },
        {
          ...base,
          articleId: 'o',
          url: 'https://orig.example/a',
          canonicalUrl: 'https://orig.example/a',
          siteName: 'Orig News',
          relation: 'original',
          attribution: null,
        },
      ],
    };
    const line = toExportLine(story);
    expect(line.representativeUrl).toBe('https://orig.example/a');
    expect(line.members[0]?.attribution).toEqual({
      originalUrl: 'https://www.orig.example/a/',
      originalPublisher: 'Orig News',
      method: 'cross-domain-canonical',
    });
  });
});
