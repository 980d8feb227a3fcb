import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DomKind } from '../../../src/extract/content/dom/index.js';
import { extractArticle, ExtractInputError } from '../../../src/extract/extract.js';
import type { ExtractedArticle, FeedItemHints } from '../../../src/extract/types.js';

/**
 * Golden pages, end to end: every tests/fixtures/pages/<slug> with an expected.json goes through
 * extractArticle. `expect.kind` (article | skipped | blocked) and its reason are checked, then any article
 * field the spec names, `contentIncludes` / `contentExcludes` against contentText, and `minWords`.
 * Add a case with `node scripts/new-page-fixture.mjs <slug> <file|url> --url <page address>`.
 */
interface Spec {
  url: string;
  now?: string;
  feedItem?: FeedItemHints;
  headers?: { cfMitigated?: string };
  expect: Partial<ExtractedArticle> & {
    kind: 'article' | 'skipped' | 'blocked';
    reason?: string;
    interstitial?: string;
    contentIncludes?: string[];
    contentExcludes?: string[];
    minWords?: number;
  };
}

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'pages');
const slugs = existsSync(DIR) ? readdirSync(DIR).filter(s => existsSync(join(DIR, s, 'expected.json'))) : [];
const NOT_FIELDS = new Set([
  'kind',
  'reason',
  'contentIncludes',
  'contentExcludes',
  'minWords',
  'attribution',
]);

function run(slug: string, dom: DomKind) {
  const html = readFileSync(join(DIR, slug, 'source.html'), 'utf8');
  const spec = JSON.parse(readFileSync(join(DIR, slug, 'expected.json'), 'utf8')) as Spec;
  const now = spec.now ? Date.parse(spec.now) : Date.now();
  const outcome = extractArticle(
    { html, url: spec.url, feedItem: spec.feedItem, headers: spec.headers },
    { dom, now: () => now },
  );
  return { spec, outcome };
}

describe.each(['lite', 'jsdom'] as DomKind[])('golden pages, end to end (%s)', dom => {
  it('has cases', () => expect(slugs.length).toBeGreaterThan(0));

  it.each(slugs)('%s', slug => {
    const { spec, outcome } = run(slug, dom);
    const want = spec.expect;
    expect(outcome.kind).toBe(want.kind);
    if (outcome.kind === 'skipped') expect(outcome.reason).toBe(want.reason);
    if (outcome.kind === 'blocked') {
      expect(outcome.reason).toBe(want.reason);
      expect(outcome.interstitial).toBe(want.interstitial);
    }
    if (outcome.kind !== 'article') return;
    const a = outcome.article;
    for (const [key, value] of Object.entries(want)) {
      if (NOT_FIELDS.has(key)) continue;
      expect(a[key as keyof ExtractedArticle], key).toEqual(value);
    }
    if (want.attribution !== undefined) {
      if (want.attribution === null) expect(a.attribution).toBeNull();
      else expect(a.attribution).toMatchObject(want.attribution);
    }
    for (const s of want.contentIncludes ?? []) expect(a.contentText).toContain(s);
    for (const s of want.contentExcludes ?? []) expect(a.contentText).not.toContain(s);
    if (want.minWords) expect(a.wordCount).toBeGreaterThanOrEqual(want.minWords);
    // Whatever the page, the HTML handed on is sanitized and its links are marked.
    expect(a.contentHtml).not.toMatch(/<script|<iframe|<form|\son\w+=|javascript:/i);
    for (const m of a.contentHtml.matchAll(/<a\s[^>]*>/g)) {
      expect(m[0]).toContain('rel="noopener noreferrer nofollow"');
    }
  });
});

describe('extractArticle input limits', () => {
  it('refuses a page over the size limit before parsing it', () => {
    expect(() =>
      extractArticle({ html: 'x'.repeat(2000), url: 'https://x.example/' }, { maxHtmlChars: 1000 }),
    ).toThrow(ExtractInputError);
  });

  it('refuses a deeply nested or huge page as too-complex before Readability (issue 12 row 4)', () => {
    const story = `<p>${'Words of the story. '.repeat(30)}</p>`;
    const cases = [
      `<body>${'<div>'.repeat(20_000)}${story}${'</div>'.repeat(20_000)}`,
      `<body>${'<div>'.repeat(1_000)}${story}${'</div>'.repeat(1_000)}`,
      `<body>${story}${'<span>x</span>'.repeat(70_000)}</body>`,
    ];
    for (const html of cases) {
      for (const dom of ['lite', 'jsdom'] as const) {
        let err: unknown;
        try {
          extractArticle({ html, url: 'https://x.example/a' }, { dom });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ExtractInputError);
        // 20 000 levels can overflow the stack while the page is still being parsed: too-deep, as immediate.
        expect((err as ExtractInputError).errorClass).toMatch(
          html.length > 200_000 && html.startsWith('<body><div>') ? /^too-(deep|complex)$/ : /^too-complex$/,
        );
      }
    }
    // Nesting as deep as real pages get (40 on the shared corpora) is extracted as usual.
    const ok = extractArticle({
      html: `<body>${'<div>'.repeat(60)}${story.repeat(3)}${'</div>'.repeat(60)}`,
      url: 'https://x.example/a',
    });
    expect(ok.kind).toBe('article');
  });

  it('never mutates its input and gives the same answer twice', () => {
    const html = readFileSync(join(DIR, 'wp-boilerplate', 'source.html'), 'utf8');
    const input = { html, url: 'https://harborledger.example/2025/03/tidewater-ferry-night-crossing/' };
    const first = extractArticle(input, { now: () => 0 });
    expect(input.html).toBe(html);
    expect(extractArticle(input, { now: () => 0 })).toEqual(first);
  });
});
