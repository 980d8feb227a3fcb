/**
 * Worker-thread side of the feed parse pool (pool.ts): one document per message, parsed by `parseFeed`, or by
 * `parseSitemap` for a sitemap source's documents.
 */
import { serveTasks } from '../../shared/thread-pool-worker.js';
import { parseSitemap, SitemapParseError, type ParsedSitemap } from './sitemap.js';
import type { ParsedFeed } from './types.js';
import { FeedParseError } from './errors.js';
import { parseFeed } from './parse.js';

export interface ParseTask {
  text: string;
  baseUrl?: string;
  contentType?: string;
  sitemap?: boolean;
}

serveTasks<ParseTask, ParsedFeed | ParsedSitemap>(
  (task: ParseTask) =>
    task.sitemap
      ? parseSitemap(task.text, { baseUrl: task.baseUrl ?? '' })
      : parseFeed(task.text, { baseUrl: task.baseUrl, contentType: task.contentType }),
  err =>
    err instanceof FeedParseError
      ? 'feed-parse'
      : err instanceof SitemapParseError
        ? 'sitemap-parse'
        : 'parse-error',
);
