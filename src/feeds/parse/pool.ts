/**
 * Feed parsing off the poller's event loop: a small pool of worker threads (`shared/thread-pool.ts`), each with
 * its own heap limit, and a deadline per document. A feed built to be slow or large costs its own poll — a
 * `parse` failure recorded on the feed with the reason — and its thread, never the event loop that renews BullMQ
 * locks, answers health checks and polls the other feeds.
 */
import { createThreadPool } from '../../shared/thread-pool.js';
import { FeedParseError } from './errors.js';
import type { ParseTask } from './pool-worker.js';
import { SitemapParseError, type ParsedSitemap } from './sitemap.js';
import type { ParsedFeed, ParseOptions } from './types.js';

export interface FeedParsePoolOptions {
  /** Threads (parsing is short: one or two keep up with hundreds of polls a minute). */
  size: number;
  /** Old-generation heap limit per thread, MB. */
  heapMb: number;
  /** A document still parsing after this long fails the poll and its thread is replaced. */
  timeoutMs: number;
  /** Threads are replaced after this many documents. */
  maxTasksPerWorker?: number | undefined;
}

export interface FeedParsePool {
  readonly size: number;
  /** Resolves with the parsed feed or rejects with a FeedParseError: the reason recorded with the feed. */
  parse(text: string, opts: ParseOptions): Promise<ParsedFeed>;
  /** The same for a sitemap: rejects with a SitemapParseError, or a FeedParseBudgetError for its cost. */
  parseSitemap(text: string, baseUrl: string): Promise<ParsedSitemap>;
  close(): Promise<void>;
}

/** A feed the parser gave up on for its cost (time or memory), not its content. */
export class FeedParseBudgetError extends FeedParseError {
  constructor(message: string) {
    super(message);
    this.name = 'FeedParseBudgetError';
  }
}

export function createFeedParsePool(opts: FeedParsePoolOptions): FeedParsePool {
  const pool = createThreadPool<ParseTask, ParsedFeed | ParsedSitemap>({
    name: 'feed parse',
    entry: new URL('./pool-worker.js', import.meta.url),
    size: opts.size,
    heapMb: opts.heapMb,
    taskTimeoutMs: opts.timeoutMs,
    maxTasksPerWorker: opts.maxTasksPerWorker ?? 5_000,
    error: (errorClass, message) => {
      if (errorClass === 'feed-parse') return new FeedParseError(message);
      if (errorClass === 'sitemap-parse') return new SitemapParseError(message);
      if (errorClass === 'timeout') {
        return new FeedParseBudgetError(`parsing took longer than ${opts.timeoutMs} ms`);
      }
      if (errorClass === 'out-of-memory') {
        return new FeedParseBudgetError(`parsing needed more than the ${opts.heapMb} MB heap limit`);
      }
      return new FeedParseError(`parser ${errorClass}: ${message}`);
    },
  });
  return {
    size: pool.size,
    parse: (text, o) =>
      pool.run({
        text,
        ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
        ...(o.contentType ? { contentType: o.contentType } : {}),
      }) as Promise<ParsedFeed>,
    parseSitemap: (text, baseUrl) => pool.run({ text, baseUrl, sitemap: true }) as Promise<ParsedSitemap>,
    close: () => pool.close(),
  };
}
