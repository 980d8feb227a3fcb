/**
 * Every Redis key newsflow writes, in one place. Keys are built from the configured prefix so tests and
 * several deployments can share one Redis without touching each other.
 */
export interface Keys {
  prefix: string;
  /** BullMQ's own prefix for its queue keys. */
  bullPrefix: string;
  /** The public stream consumers read. */
  stream: string;
  /** Dead-letter stream: entries a consumer group gave up on, with the error (see docs/CONSUMING.md). */
  deadLetters: string;
  /** Hash of cross-process histogram buckets, read by /metrics at scrape time. */
  metricsHistograms: string;
  /** JSON of one stored article. */
  article(id: string): string;
  /** URL key (canonical URL hash) → article id. */
  urlIndex(urlHash: string): string;
  /** Sorted set of article ids by store time, for listing and export. */
  articlesByTime: string;
  /** Per-feed state hash. */
  feedState(feedId: string): string;
  /** Every key under this prefix (for cleanup of a prefix the caller owns). */
  pattern: string;
}

export function keysFor(prefix: string): Keys {
  return {
    prefix,
    bullPrefix: `${prefix}:bull`,
    stream: `${prefix}:articles`,
    deadLetters: `${prefix}:articles:dlq`,
    metricsHistograms: `${prefix}:metrics:histograms`,
    article: id => `${prefix}:article:${id}`,
    urlIndex: h => `${prefix}:url:${h}`,
    articlesByTime: `${prefix}:articles:by-time`,
    feedState: feedId => `${prefix}:feed:${feedId}`,
    pattern: `${prefix}:*`,
  };
}

export const QUEUE = {
  poll: 'poll-feed',
  extract: 'fetch-article',
} as const;
