import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDocument, type DomKind } from '../../../src/extract/content/dom/index.js';
import { prestrip } from '../../../src/extract/content/prestrip.js';
import { runReadability } from '../../../src/extract/content/readability.js';
import { detectCredits } from '../../../src/extract/credits/index.js';
import { mergeReadabilityMetadata, readPageMetadata } from '../../../src/extract/metadata/index.js';
import type { Attribution, FeedItemHints } from '../../../src/extract/types.js';

/**
 * Golden pages (tests/fixtures/pages/<slug>/source.html + expected.json), metadata and attribution part:
 * the same steps as the extractor — pre-strip, metadata on the raw page, Readability, credits on its
 * output — on each DOM. Only the fields this stage owns are compared here; content fields are checked by
 * the extractor's own golden test.
 */
interface Expected {
  url: string;
  now?: string;
  feedItem?: FeedItemHints;
  expect: {
    title?: string;
    authors?: string[];
    siteName?: string;
    publishedAt?: string | null;
    modifiedAt?: string | null;
    lang?: string | null;
    canonicalUrl?: string | null;
    leadImage?: string | null;
    tags?: string[];
    access?: 'free' | 'paywalled';
    attribution?: Partial<Attribution> | null;
    contentExcludes?: string[];
  };
}

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'pages');
// A wall served instead of the article has no article for Readability to find; what the extractor makes
// of it (blocked, or the feed's text) is the extractor's golden test's business.
const slugs = (existsSync(DIR) ? readdirSync(DIR) : []).filter(s => {
  const file = join(DIR, s, 'expected.json');
  if (!existsSync(file)) return false;
  const spec = JSON.parse(readFileSync(file, 'utf8')) as { expect: { kind?: string; interstitial?: string } };
  return spec.expect.kind !== 'blocked' && spec.expect.interstitial === undefined;
});
const OWNED = [
  'title',
  'authors',
  'siteName',
  'publishedAt',
  'modifiedAt',
  'lang',
  'canonicalUrl',
  'leadImage',
  'tags',
  'access',
] as const;
const CREDIT_WORDS =
  /appeared first on|first appeared on|erschien zuerst auf|originally published|republished from/i;

describe.each(['lite', 'jsdom', 'linkedom'] as DomKind[])('golden pages, metadata and credits (%s)', dom => {
  it.each(slugs)('%s', slug => {
    const html = readFileSync(join(DIR, slug, 'source.html'), 'utf8');
    const spec = JSON.parse(readFileSync(join(DIR, slug, 'expected.json'), 'utf8')) as Expected;
    const now = spec.now ? Date.parse(spec.now) : Date.now();
    const opened = openDocument(prestrip(html), spec.url, dom);
    try {
      const meta = readPageMetadata(opened.document, spec.url, { now: () => now, feedItem: spec.feedItem });
      const parsed = runReadability(opened.document);
      expect(parsed).not.toBeNull();
      if (!parsed) return;
      const merged = mergeReadabilityMetadata(meta, parsed, { now: () => now, url: spec.url });
      const credits = detectCredits({
        pageUrl: spec.url,
        contentRoot: parsed.root,
        feedItem: spec.feedItem,
        page: merged,
      });
      const got: Record<string, unknown> = { ...merged, siteName: merged.siteName ?? merged.publisher };
      for (const key of OWNED) {
        if (spec.expect[key] !== undefined) expect(got[key], key).toEqual(spec.expect[key]);
      }
      if (spec.expect.attribution === null) expect(credits.attribution).toBeNull();
      else if (spec.expect.attribution) expect(credits.attribution).toMatchObject(spec.expect.attribution);
      // Credit lines the page carried are gone from the content.
      for (const s of spec.expect.contentExcludes ?? []) {
        if (CREDIT_WORDS.test(s)) expect(parsed.root.textContent ?? '').not.toContain(s);
      }
      if (spec.feedItem?.contentHtml && CREDIT_WORDS.test(spec.feedItem.contentHtml)) {
        expect(credits.feedContentHtml ?? '').not.toMatch(CREDIT_WORDS);
      }
    } finally {
      opened.close();
    }
  });
});
