import { JSDOM, VirtualConsole } from 'jsdom';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import {
  mergeReadabilityMetadata,
  readPageMetadata,
  type ReadMetadataOptions,
} from '../../../src/extract/metadata/index.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const URL_ = 'https://news.example.com/2024/03/04/harbor-cranes/';

/** Every case runs on both DOMs the extractor may hand us. */
const DOMS = {
  jsdom: (html: string, url: string) => {
    const dom = new JSDOM(html, { url, virtualConsole: new VirtualConsole() });
    return dom.window.document;
  },
  linkedom: (html: string) => parseHTML(html).document,
};

function page(
  head: string,
  body = '<h1>Harbor approves electric cranes</h1><p>Body text.</p>',
  htmlAttrs = '',
): string {
  return `<!DOCTYPE html><html ${htmlAttrs}><head><title>Harbor approves electric cranes | Example News</title>${head}</head><body>${body}</body></html>`;
}

function ld(obj: unknown): string {
  return `<script type="application/ld+json">${JSON.stringify(obj)}</script>`;
}

for (const [domName, open] of Object.entries(DOMS)) {
  const read = (html: string, url = URL_, opts: ReadMetadataOptions = {}) =>
    readPageMetadata(open(html, url), url, { now: () => NOW, ...opts });

  describe(`readPageMetadata on ${domName}`, () => {
    it('reads the JSON-LD publisher address (through @id references), the evidence for the publisher table', () => {
      const graph = {
        '@context': 'https://schema.org',
        '@graph': [
          {
            '@type': 'NewsArticle',
            headline: 'Harbor',
            publisher: { '@id': 'https://news.example.com/#org' },
          },
          { '@type': 'Organization', '@id': 'https://news.example.com/#org', name: 'Example News', url: '/' },
        ],
      };
      expect(read(page(ld(graph))).publisherUrl).toBe('https://news.example.com/');
      expect(read(page('<meta property="og:site_name" content="Example News">')).publisherUrl).toBeNull();
    });

    it('reads a Yoast-style JSON-LD @graph with @id references', () => {
      const graph = {
        '@context': 'https://schema.org',
        '@graph': [
          {
            '@type': 'NewsArticle',
            '@id': `${URL_}#article`,
            headline: 'Harbor approves electric cranes',
            datePublished: '2024-03-04T07:30:00+01:00',
            dateModified: '2024-03-05T09:00:00+01:00',
            author: [
              { '@id': 'https://news.example.com/#/schema/person/1' },
              { '@id': 'https://news.example.com/#/schema/person/2' },
            ],
            publisher: { '@id': 'https://news.example.com/#organization' },
            mainEntityOfPage: { '@id': URL_ },
            image: { '@id': `${URL_}#primaryimage` },
            inLanguage: 'en-US',
            keywords: ['ports', 'energy'],
          },
          { '@type': 'ImageObject', '@id': `${URL_}#primaryimage`, url: '/img/cranes.jpg' },
          { '@type': 'Organization', '@id': 'https://news.example.com/#organization', name: 'Example News' },
          { '@type': 'Person', '@id': 'https://news.example.com/#/schema/person/1', name: 'Ada Lovelace' },
          { '@type': 'Person', '@id': 'https://news.example.com/#/schema/person/2', name: 'Grace Hopper' },
        ],
      };
      const m = read(page(ld(graph)));
      expect(m.title).toBe('Harbor approves electric cranes');
      expect(m.authors).toEqual(['Ada Lovelace', 'Grace Hopper']);
      expect(m.publisher).toBe('Example News');
      expect(m.siteName).toBe('Example News');
      expect(m.publishedAt).toBe('2024-03-04T06:30:00.000Z');
      expect(m.publishedDay).toBe('2024-03-04');
      expect(m.publishedSource).toBe('json-ld');
      expect(m.modifiedAt).toBe('2024-03-05T08:00:00.000Z');
      expect(m.leadImage).toBe('https://news.example.com/img/cranes.jpg');
      expect(m.tags).toEqual(['ports', 'energy']);
      expect(m.lang).toBe('en-US');
    });

    it('date precedence: JSON-LD > meta > <time> > URL > feed', () => {
      const time =
        '<h1>Harbor approves electric cranes</h1><p><time datetime="2024-03-02">2 March</time></p>';
      const meta = '<meta property="article:published_time" content="2024-03-03T10:00:00Z">';
      const json = ld({ '@type': 'Article', headline: 'x', datePublished: '2024-03-01' });
      const feed = { feedItem: { publishedAt: '2024-02-28T00:00:00Z' } };
      expect(read(page(json + meta, time), URL_, feed).publishedDay).toBe('2024-03-01');
      expect(read(page(meta, time), URL_, feed).publishedDay).toBe('2024-03-03');
      expect(read(page('', time), URL_, feed).publishedDay).toBe('2024-03-02');
      expect(read(page(''), URL_, feed).publishedDay).toBe('2024-03-04');
      expect(read(page(''), 'https://news.example.com/harbor', feed)).toMatchObject({
        publishedDay: '2024-02-28',
        publishedSource: 'feed',
      });
    });

    it('rejects a future date and falls through to the next source', () => {
      const meta = '<meta property="article:published_time" content="2031-01-01T00:00:00Z">';
      const m = read(page(meta));
      expect(m.publishedDay).toBe('2024-03-04');
      expect(m.publishedSource).toBe('url');
    });

    it('reads the dateline printed next to the headline, not a sidebar date', () => {
      const body =
        '<aside class="sidebar"><ul><li>Older story <span>1 January 2024</span></li></ul></aside>' +
        '<article><h1>Harbor approves electric cranes</h1><p class="meta">By Ada Lovelace · 4. März 2024</p><p>Body.</p></article>';
      const m = read(page('', body, 'lang="de"'), 'https://news.example.com/harbor');
      expect(m.publishedDay).toBe('2024-03-04');
      expect(m.publishedSource).toBe('headline');
      expect(m.authors).toEqual(['Ada Lovelace']);
    });

    it('authors: meta author, then visible byline; site names and CMS accounts are not authors', () => {
      expect(read(page('<meta name="author" content="By Ada Lovelace, Staff Writer">')).authors).toEqual([
        'Ada Lovelace',
      ]);
      const siteOnly =
        '<meta name="author" content="news.example.com"><meta property="og:site_name" content="Example News">';
      const byline =
        '<h1>Harbor approves electric cranes</h1><p class="byline">By Grace Hopper</p><p>Body.</p>';
      expect(read(page(siteOnly, byline))).toMatchObject({
        authors: ['Grace Hopper'],
        authorsSource: 'headline',
      });
      expect(read(page('<meta name="author" content="admin">')).authors).toEqual([]);
      // With nothing better, the page's own statement stands.
      expect(read(page(siteOnly)).authors).toEqual(['news.example.com']);
    });

    it('ignores microdata of cited works', () => {
      const body =
        '<h1>Harbor approves electric cranes</h1><p>Body.</p><ol><li itemprop="citation" itemscope itemtype="http://schema.org/ScholarlyArticle"><meta itemprop="author" content="Other Person"></li></ol>';
      expect(read(page('<meta name="citation_author" content="Ada Lovelace">', body)).authors).toEqual([
        'Ada Lovelace',
      ]);
    });

    it('canonical, syndication and isBasedOn signals', () => {
      const head =
        '<link rel="canonical" href="https://origin.example/a/1">' +
        '<meta name="syndication-source" content="https://origin.example/a/1">' +
        '<meta name="original-source" content="https://first.example/scoop">' +
        ld({
          '@type': 'NewsArticle',
          headline: 'x',
          isBasedOn: { '@type': 'NewsArticle', url: 'https://wire.example/b/2' },
        });
      const m = read(page(head));
      expect(m.canonicalUrl).toBe('https://origin.example/a/1');
      expect(m.signals.map(s => [s.method, s.originalUrl])).toEqual([
        ['cross-domain-canonical', 'https://origin.example/a/1'],
        ['syndication-source', 'https://origin.example/a/1'],
        ['original-source', 'https://first.example/scoop'],
        ['jsonld-isBasedOn', 'https://wire.example/b/2'],
      ]);
    });

    it('a same-site canonical (AMP → article) is identity, not attribution; a home-page canonical is ignored', () => {
      const amp = read(
        page('<link rel="canonical" href="https://news.example.com/harbor-cranes">', undefined, 'amp'),
        'https://amp.news.example.com/harbor-cranes',
      );
      expect(amp.canonicalUrl).toBe('https://news.example.com/harbor-cranes');
      expect(amp.signals).toEqual([]);
      expect(read(page('<link rel="canonical" href="https://news.example.com/">')).canonicalUrl).toBeNull();
    });

    it('paywall declared in JSON-LD', () => {
      const paid = ld({
        '@type': 'NewsArticle',
        headline: 'x',
        isAccessibleForFree: 'False',
        hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false },
      });
      expect(read(page(paid)).access).toBe('paywalled');
      expect(
        read(page(ld({ '@type': 'NewsArticle', headline: 'x', isAccessibleForFree: true }))).access,
      ).toBe('free');
    });

    it('survives broken JSON-LD and still reads the rest', () => {
      const broken =
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Line\nbreak", "author": {"name": "Ada Lovelace"},}</script>';
      const m = read(page(broken + '<script type="application/ld+json">{ not json</script>'));
      expect(m.authors).toEqual(['Ada Lovelace']);
      expect(m.title).toBe('Line break');
    });

    it('OpenGraph, Twitter and html lang', () => {
      const head =
        '<meta property="og:site_name" content="Example News"><meta property="og:description" content="Cranes go electric.">' +
        '<meta name="twitter:image" content="/img/t.jpg"><meta property="article:tag" content="ports"><meta property="article:tag" content="Ports">';
      const m = read(page(head, undefined, 'lang="en-gb"'));
      expect(m).toMatchObject({
        siteName: 'Example News',
        excerpt: 'Cranes go electric.',
        leadImage: 'https://news.example.com/img/t.jpg',
        lang: 'en-GB',
        tags: ['ports'],
      });
    });
  });
}

describe('hostile or empty input', () => {
  it.each([
    ['an empty document', '', 'https://news.example.com/x'],
    ['an address that is not a URL', page(''), 'not a url'],
    [
      'JSON-LD that is not an object',
      page('<script type="application/ld+json">[1, "two", null, [[]]]</script>'),
      URL_,
    ],
    [
      'a self-referencing @graph',
      page(
        ld({
          '@graph': [
            { '@type': 'NewsArticle', '@id': '#a', author: { '@id': '#a' }, isBasedOn: { '@id': '#a' } },
          ],
        }),
      ),
      URL_,
    ],
    ['deeply nested markup', page('', `${'<div>'.repeat(3000)}<h1>Deep</h1>${'</div>'.repeat(3000)}`), URL_],
  ])('%s: returns metadata, never throws', (_name, html, url) => {
    for (const open of Object.values(DOMS)) {
      const m = readPageMetadata(open(html, url === 'not a url' ? 'https://x.example/' : url), url, {
        now: () => NOW,
      });
      expect(Array.isArray(m.authors)).toBe(true);
      expect(m.signals).toEqual(expect.any(Array));
    }
  });
});

describe('mergeReadabilityMetadata', () => {
  const base = readPageMetadata(parseHTML(page('')).document, 'https://news.example.com/x', {
    now: () => NOW,
  });

  it('fills gaps only', () => {
    const merged = mergeReadabilityMetadata(base, {
      byline: 'By Ada Lovelace',
      excerpt: 'E',
      siteName: 'S',
      title: 'T',
    });
    expect(merged).toMatchObject({
      authors: ['Ada Lovelace'],
      authorsSource: 'readability',
      excerpt: 'E',
      siteName: 'S',
      publisher: 'S',
    });
    expect(merged.title).toBe(base.title);
  });

  it('never overrides what the page stated', () => {
    const withAuthor = { ...base, authors: ['Grace Hopper'] };
    expect(mergeReadabilityMetadata(withAuthor, { byline: 'Someone Else' }).authors).toEqual([
      'Grace Hopper',
    ]);
  });
});
