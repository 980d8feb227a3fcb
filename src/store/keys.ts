/**
 * Every Redis key newsflow writes, in one place. Keys are built from the configured prefix so tests and
 * several deployments can share one Redis without touching each other.
 */
export interface Keys {
  prefix: string;
  /** BullMQ's own prefix for its queue keys. */
  bullPrefix: string;
  /**
   * Key prefix of the story model, hash tag included: every key one dedupe decision touches (URL keys,
   * content keys, LSH buckets, stories, bodies, the stream) shares `{stories}`, so the decision script runs
   * in one Redis Cluster slot (docs/ARCHITECTURE.md, "Dedupe & stories").
   */
  stories: string;
  /** The public stream consumers read (story.created / story.member_added / story.updated). */
  stream: string;
  /**
   * Dead-letter stream: entries a consumer group gave up on, with the error (see docs/CONSUMING.md). Same hash
   * tag as the stream: the consumer moves an entry with XADD + XACK in one MULTI, which must stay in one slot.
   */
  deadLetters: string;
  /** Hash of cross-process histogram buckets, read by /metrics at scrape time. */
  metricsHistograms: string;
  /** JSON of one member article: metadata, `storyId` and `relation` (StoredMember); the body lives with its story. */
  article(id: string): string;
  /** URL key (canonical URL hash) → article id. */
  urlIndex(urlHash: string): string;
  /** Sorted set of article ids by store time, for listing and export. */
  articlesByTime: string;
  /** One story: hash {rep, repCls, repPub, repN, orig, origMember, n, created, updated}. */
  story(storyId: string): string;
  /** Sorted set of a story's member article ids, in join order. */
  storyMembers(storyId: string): string;
  /** JSON of the story's representative article: the only body stored for the story. */
  storyBody(storyId: string): string;
  /** Sorted set of story ids by creation time, for export. */
  storiesByTime: string;
  /**
   * One publisher name's table entry (hash: `dom` the learned domain, `str` how it was corroborated, `name`,
   * `at`, and `n:<domain>` counts of pages claiming the name), keyed by `publisherKey(name)`; expires
   * `dedupe.publisherTtl` after its domain last confirmed it (decide-article-4.lua).
   */
  publisher(nameKey: string): string;
  /** Per-feed state hash. */
  feedState(feedId: string): string;
  /**
   * Politeness gate of one host (`URL.host`): hash {next, tail}, shared by every worker. The gate's keys share
   * the hash tag `{hostname}` so its script runs in one Redis Cluster slot.
   */
  politeGate(host: string): string;
  /** Sorted set of in-flight request leases to one host (score = lease expiry). */
  politeLeases(host: string): string;
  /** robots.txt Crawl-delay of one host, in ms (expires with the robots cache). */
  politeCrawlDelay(host: string): string;
  /** Retry-After of one hostname:port, as the epoch ms until which nobody asks it again. */
  retryAfter(hostPort: string): string;
  /** Cached robots.txt policy of one origin (JSON, 24 h). */
  robots(origin: string): string;
  /** Every key under this prefix (for cleanup of a prefix the caller owns). */
  pattern: string;
}

/** `{example.com}` for `example.com`, `example.com:8080` or `[::1]:8080` → `{[::1]}`: one slot per hostname. */
function hostTag(hostOrHostPort: string): string {
  return `{${hostOrHostPort.replace(/:\d+$/, '')}}`;
}

export function keysFor(prefix: string): Keys {
  return {
    prefix,
    bullPrefix: `${prefix}:bull`,
    stories: `${prefix}:{stories}:`,
    stream: `${prefix}:{stories}:articles`,
    deadLetters: `${prefix}:{stories}:articles:dlq`,
    metricsHistograms: `${prefix}:metrics:histograms`,
    article: id => `${prefix}:{stories}:art:${id}`,
    urlIndex: h => `${prefix}:{stories}:url:${h}`,
    articlesByTime: `${prefix}:{stories}:articles:by-time`,
    story: id => `${prefix}:{stories}:story:${id}`,
    storyMembers: id => `${prefix}:{stories}:story:${id}:m`,
    storyBody: id => `${prefix}:{stories}:story:${id}:body`,
    storiesByTime: `${prefix}:{stories}:stories:by-time`,
    publisher: nameKey => `${prefix}:{stories}:pub:${nameKey}`,
    feedState: feedId => `${prefix}:feed:${feedId}`,
    politeGate: host => `${prefix}:polite:${hostTag(host)}:${host}`,
    politeLeases: host => `${prefix}:polite:${hostTag(host)}:${host}:leases`,
    politeCrawlDelay: host => `${prefix}:polite:${hostTag(host)}:${host}:crawl-delay`,
    retryAfter: hostPort => `${prefix}:polite:${hostTag(hostPort)}:retry-after:${hostPort}`,
    robots: origin => `${prefix}:robots:${origin}`,
    pattern: `${prefix}:*`,
  };
}

export const QUEUE = {
  poll: 'poll-feed',
  extract: 'fetch-article',
} as const;
