import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedParseError, parseFeed } from '../../../src/feeds/parse/parse.js';
import {
  createFeedParsePool,
  FeedParseBudgetError,
  type FeedParsePool,
} from '../../../src/feeds/parse/pool.js';

const fixtures = join(import.meta.dirname, '../../fixtures/feeds');

/** An ordinary feed large enough that parsing it takes a while (~0.2 s on this machine kind). */
function bigFeed(items: number): string {
  const body = Array.from(
    { length: items },
    (_, i) =>
      `<item><title>Item ${i}</title><link>https://example.org/${i}</link><guid>g${i}</guid>` +
      `<description>${'Words of a long description. '.repeat(16)}</description></item>`,
  ).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link>${body}</channel></rss>`;
}

let pool: FeedParsePool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('feed parse pool (worker threads, a deadline per document)', () => {
  it('returns what parseFeed returns in this thread, and the same one-line reason for what is not a feed', async () => {
    pool = createFeedParsePool({ size: 1, heapMb: 256, timeoutMs: 30_000 });
    const text = readFileSync(join(fixtures, 'rss2-full.xml'), 'utf8');
    const opts = { baseUrl: 'https://news.example/feed', contentType: 'application/rss+xml' };
    expect(await pool.parse(text, opts)).toEqual(await parseFeed(text, opts));

    const garbage = readFileSync(join(fixtures, 'garbage.txt'), 'utf8');
    const local = await parseFeed(garbage).catch((e: unknown) => e);
    const pooled = await pool.parse(garbage, {}).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(FeedParseError);
    expect(pooled).toBeInstanceOf(FeedParseError);
    expect(pooled).not.toBeInstanceOf(FeedParseBudgetError);
    expect((pooled as Error).message).toBe((local as Error).message);
  });

  it('a document that overruns its deadline fails with the reason, its thread is replaced, the next one parses', async () => {
    pool = createFeedParsePool({ size: 1, heapMb: 256, timeoutMs: 30_000 });
    // Warm the thread so the deadline below measures parsing, not start-up.
    await pool.parse(bigFeed(1), {});
    await pool.close();
    pool = createFeedParsePool({ size: 1, heapMb: 256, timeoutMs: 5 });
    const err = await pool.parse(bigFeed(20_000), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseBudgetError);
    expect((err as Error).message).toBe('parsing took longer than 5 ms');
    await pool.close();
    pool = createFeedParsePool({ size: 1, heapMb: 256, timeoutMs: 30_000 });
    expect((await pool.parse(bigFeed(3), {})).items).toHaveLength(3);
  });
});
