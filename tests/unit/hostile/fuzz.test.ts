import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractArticle, ExtractInputError } from '../../../src/extract/extract.js';
import { FEED_LIMITS } from '../../../src/feeds/parse/limits.js';
import { FeedParseError, parseFeed } from '../../../src/feeds/parse/parse.js';
import { mutate, rng } from '../../fixtures/hostile/mutate.js';

/**
 * Issue 12, deliver 6: a fuzz pass — seeded random mutations of the feed and page fixtures through the feed
 * parser and the extractor. Every mutant must end as a result or as the one error class each promises
 * (FeedParseError, ExtractInputError), with the field limits holding, and the whole pass must stay within the
 * test's time and within a bound on heap growth. The seed is fixed so CI is repeatable; set NEWSFLOW_FUZZ_SEED
 * (and NEWSFLOW_FUZZ_COUNT) to explore — a failure prints the seed and the mutant's index to replay it.
 */
const SEED = Number(process.env.NEWSFLOW_FUZZ_SEED ?? 20261205);
const COUNT = Number(process.env.NEWSFLOW_FUZZ_COUNT ?? 400);
const HEAP_GROWTH_BOUND_MB = 512;

const fixtures = join(import.meta.dirname, '../../fixtures');
const feeds = readdirSync(join(fixtures, 'feeds'))
  .filter(f => /\.(xml|rdf|json|atom)$/.test(f))
  .map(f => ({ name: f, text: readFileSync(join(fixtures, 'feeds', f), 'latin1') }));
const pages = readdirSync(join(fixtures, 'pages')).map(d => ({
  name: d,
  html: readFileSync(join(fixtures, 'pages', d, 'source.html'), 'utf8'),
}));

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe(`fuzz (seed ${SEED})`, () => {
  it(
    `${COUNT} mutated feeds: a feed within the limits, or a FeedParseError — nothing else`,
    { timeout: 120_000 },
    async () => {
      expect(feeds.length).toBeGreaterThan(10);
      const r = rng(SEED);
      const heap0 = process.memoryUsage().heapUsed;
      let parsed = 0;
      let refused = 0;
      for (let i = 0; i < COUNT; i++) {
        const base = feeds[i % feeds.length]!;
        const doc = mutate(base.text, r);
        const where = `seed ${SEED} mutant ${i} of ${base.name}`;
        try {
          const feed = await parseFeed(doc, { baseUrl: 'https://fuzz.example/feed' });
          parsed++;
          for (const item of feed.items) {
            expect((item.title ?? '').length, where).toBeLessThanOrEqual(FEED_LIMITS.text);
            expect((item.link ?? '').length, where).toBeLessThanOrEqual(FEED_LIMITS.text);
            expect((item.summaryHtml ?? '').length, where).toBeLessThanOrEqual(FEED_LIMITS.html * 2);
            if (item.publishedAt !== null) expect(item.publishedAt, where).toMatch(ISO);
          }
        } catch (err) {
          if (!(err instanceof FeedParseError)) throw new Error(`${where}: ${(err as Error).stack}`);
          expect(err.message, where).not.toContain('\n');
          refused++;
        }
      }
      // Both outcomes occur: the mutations are neither all harmless nor all fatal.
      expect(parsed).toBeGreaterThan(COUNT / 10);
      expect(refused).toBeGreaterThan(0);
      expect((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toBeLessThan(HEAP_GROWTH_BOUND_MB);
    },
  );

  it(
    `${Math.ceil(COUNT / 8)} mutated pages: an outcome, or an ExtractInputError — nothing else`,
    { timeout: 120_000 },
    () => {
      expect(pages.length).toBeGreaterThan(5);
      const r = rng(SEED + 1);
      const heap0 = process.memoryUsage().heapUsed;
      const kinds = new Map<string, number>();
      for (let i = 0; i < Math.ceil(COUNT / 8); i++) {
        const base = pages[i % pages.length]!;
        const html = mutate(base.html, r);
        const where = `seed ${SEED + 1} mutant ${i} of ${base.name}`;
        try {
          const out = extractArticle({ html, url: `https://fuzz.example/${base.name}` }, { now: () => 0 });
          kinds.set(out.kind, (kinds.get(out.kind) ?? 0) + 1);
          if (out.kind === 'article') {
            expect(out.article.title ?? '', where).not.toMatch(/[<>]\s*\/?[a-z]+[^<>]*>/i);
          }
        } catch (err) {
          if (!(err instanceof ExtractInputError)) throw new Error(`${where}: ${(err as Error).stack}`);
          kinds.set(err.errorClass, (kinds.get(err.errorClass) ?? 0) + 1);
        }
      }
      expect(kinds.get('article') ?? 0).toBeGreaterThan(0);
      expect((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toBeLessThan(HEAP_GROWTH_BOUND_MB);
    },
  );
});
