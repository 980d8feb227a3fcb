import { describe, expect, it } from 'vitest';
import {
  planDecision,
  DEFAULT_DEDUPE,
  fingerprintSettings,
  toExportLine,
  type StoryRecord,
} from '../../../src/dedupe/story.js';
import { contentKeys } from '../../../src/dedupe/fingerprint.js';
import type { NormalizedArticle } from '../../../src/dedupe/article.js';

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
          urlKey: 'https://copy.example/x',
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
          // The declared canonical is an address; the original is found by its key.
          canonicalUrl: 'http://www.orig.example/a/',
          urlKey: 'https://orig.example/a',
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

describe('content keys computed in the extraction thread', () => {
  const paragraphs = Array.from(
    { length: 6 },
    (_, i) =>
      `Paragraph ${i} says the harbor board approved ${i + 3} electric cranes for the north quay today.`,
  );
  const a = article({ contentText: paragraphs.join('\n') });
  const keys = contentKeys(a.contentText, fingerprintSettings(DEFAULT_DEDUPE));
  const plan = (over: Partial<Parameters<typeof planDecision>[0]> = {}) =>
    planDecision({ article: a, attribution: null, urlHash: 'h', settings: DEFAULT_DEDUPE, now: 0, ...over });

  it('are used as they are when no paragraph is shared: the same plan as computing them here', () => {
    expect(keys.paragraphs).toHaveLength(6);
    expect(plan({ keys, sharedParagraphs: new Set(['not-one-of-them']) })).toEqual(plan());
    // Used, not recomputed: a changed signature reaches the plan.
    const sig = Uint32Array.from(keys.fingerprint.signature!, x => x ^ 1);
    const marked = { ...keys, fingerprint: { ...keys.fingerprint, signature: sig } };
    expect(plan({ keys: marked }).signature).not.toEqual(plan().signature);
  });

  it('are recomputed with the site’s boilerplate left out when one of the paragraphs is shared', () => {
    const shared = new Set([keys.paragraphs[0]!, keys.paragraphs[1]!]);
    const withKeys = plan({ keys, sharedParagraphs: shared });
    expect(withKeys).toEqual(plan({ sharedParagraphs: shared }));
    expect(withKeys.signature).not.toEqual(plan().signature);
  });
});
