/**
 * Every Redis key newsflow writes, in one place. Keys are built from the configured prefix so tests and
 * several deployments can share one Redis without touching each other.
 */
export interface Keys {
  prefix: string;
  /**
   * BullMQ's own prefix for its queue keys. On a Redis Cluster it carries the hash tag `{bull}`, as BullMQ's
   * Cluster guide requires (its scripts touch several keys of a queue); on one Redis it stays untagged, so an
   * upgrade finds the jobs already queued.
   */
  bullPrefix: string;
  /**
   * Key prefix of the story model, hash tag included: every key one dedupe decision touches (URL keys,
   * content keys, LSH buckets, stories, the stream) shares `{stories}`, so the decision script runs in one
   * Redis Cluster slot (docs/ARCHITECTURE.md, "Dedupe & stories"). Bodies, the bulk of memory, do not.
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
  /**
   * The stored body (encodeBody bytes, src/store/body.ts) of an article that represents its story: the one body
   * stored per story, at `body(story.rep)`. Tagged by the article (`{b:<articleId>}`), so bodies spread over a
   * cluster's primaries; written after the decision, read only through the story store.
   */
  body(articleId: string): string;
  /** Where a story's body was stored before bodies left the `{stories}` slot: still read, never written. */
  legacyStoryBody(storyId: string): string;
  /** Sorted set of article ids whose bodies may be garbage (score: when listed); drained by the pruner. */
  bodyGc: string;
  /** Sorted set of story ids by creation time, for export. */
  storiesByTime: string;
  /**
   * One publisher name's table entry (hash: `dom` the learned domain, `str` how it was corroborated, `name`,
   * `at`, and `n:<domain>` counts of pages claiming the name), keyed by `publisherKey(name)`; expires
   * `dedupe.publisherTtl` after its domain last confirmed it (decide-article-4.lua).
   */
  publisher(nameKey: string): string;
  /** Paragraph hash → how many stored articles of the site (registrable domain) carried it; expires with the dedupe window. */
  siteParagraphs(domain: string): string;
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
  /** Set by `newsflow demo` on the prefix it resets: a later demo may reset this prefix again. */
  demoMarker: string;
  /** Every key under this prefix (for cleanup of a prefix the caller owns). */
  pattern: string;
}

/** `{example.com}` for `example.com`, `example.com:8080` or `[::1]:8080` → `{[::1]}`: one slot per hostname. */
function hostTag(hostOrHostPort: string): string {
  return `{${hostOrHostPort.replace(/:\d+$/, '')}}`;
}

export interface KeyOptions {
  /** The deployment runs on a Redis Cluster: BullMQ's prefix gets its hash tag. */
  cluster?: boolean;
}

export function keysFor(prefix: string, opts: KeyOptions = {}): Keys {
  return {
    prefix,
    bullPrefix: opts.cluster ? `${prefix}:{bull}` : `${prefix}:bull`,
    stories: `${prefix}:{stories}:`,
    stream: `${prefix}:{stories}:articles`,
    deadLetters: `${prefix}:{stories}:articles:dlq`,
    metricsHistograms: `${prefix}:metrics:histograms`,
    article: id => `${prefix}:{stories}:art:${id}`,
    urlIndex: h => `${prefix}:{stories}:url:${h}`,
    articlesByTime: `${prefix}:{stories}:articles:by-time`,
    story: id => `${prefix}:{stories}:story:${id}`,
    storyMembers: id => `${prefix}:{stories}:story:${id}:m`,
    body: id => `${prefix}:{b:${id}}`,
    legacyStoryBody: id => `${prefix}:{stories}:story:${id}:body`,
    bodyGc: `${prefix}:{stories}:bodies:gc`,
    storiesByTime: `${prefix}:{stories}:stories:by-time`,
    publisher: nameKey => `${prefix}:{stories}:pub:${nameKey}`,
    siteParagraphs: domain => `${prefix}:{stories}:bp:${domain}`,
    feedState: feedId => `${prefix}:feed:${feedId}`,
    politeGate: host => `${prefix}:polite:${hostTag(host)}:${host}`,
    politeLeases: host => `${prefix}:polite:${hostTag(host)}:${host}:leases`,
    politeCrawlDelay: host => `${prefix}:polite:${hostTag(host)}:${host}:crawl-delay`,
    retryAfter: hostPort => `${prefix}:polite:${hostTag(hostPort)}:retry-after:${hostPort}`,
    robots: origin => `${prefix}:robots:${origin}`,
    demoMarker: `${prefix}:demo`,
    pattern: `${prefix}:*`,
  };
}

/**
 * Feed keys beyond the state hash, all derived from `Keys` (src/store/keys.ts) so a prefix owns every one:
 * `<prefix>:feed:<id>` (state hash), `…:seen` (item ids → arrival time), `…:lock` (one poll at a time).
 */
export interface FeedKeys {
  state: string;
  /** Sorted set: item id key → arrival time (published date, or first sight). */
  seen: string;
  /** Held while one poll of the feed runs (scheduled poll, push, `run --once` never overlap). */
  lock: string;
  /**
   * Hash of a sitemap source: child sitemap URL → the `lastmod` it had when last read, so an unchanged child is
   * not fetched again. Rewritten by each poll with the children its indexes list (bounded by them).
   */
  sitemaps: string;
  /**
   * WebSub subscription of the feed (hash). The feed's WebSub keys share the hash tag `{<feedId>}` (one Cluster
   * slot, so the delivery script sees them together), and no feed id can name a key of another kind: the
   * braces keep `websub:{renewals}` apart from `websub:renewals`.
   */
  websub: string;
  /** Deliveries stored in the current minute: hash {w: window start, n}. */
  websubQuota: string;
  /** Deliveries waiting for a poll worker: sorted set `<bytes>:<delivery key>` → expiry. */
  websubPending: string;
}

export function feedKeys(keys: Keys, feedId: string): FeedKeys {
  const state = keys.feedState(feedId);
  const websub = `${keys.prefix}:websub:{${feedId}}`;
  return {
    state,
    seen: `${state}:seen`,
    lock: `${state}:lock`,
    sitemaps: `${state}:sitemaps`,
    websub,
    websubQuota: `${websub}:quota`,
    websubPending: `${websub}:pending`,
  };
}

/** Where a subscription lived before the hash tag (read once and moved, see websub/subscriptions.ts). */
export function legacyWebsubKey(keys: Keys, feedId: string): string {
  return `${keys.prefix}:websub:${feedId}`;
}

/** Lease of the single scheduler reconciler across poller replicas. */
export function reconcilerLeaseKey(keys: Keys): string {
  return `${keys.prefix}:reconciler`;
}

/** Sorted set of feed ids by the time their WebSub lease needs renewing. */
export function websubRenewalsKey(keys: Keys): string {
  return `${keys.prefix}:websub:renewals`;
}

/** A pushed body waiting for the poll worker (hash {body, contentType, bytes}, expires). */
export function websubPushKey(keys: Keys, feedId: string, pushId: string): string {
  return `${feedKeys(keys, feedId).websub}:push:${pushId}`;
}

/** Set of feed ids a poll disabled (410, long 401/403/404): the reconciler removes their schedulers. */
export function disabledFeedsKey(keys: Keys): string {
  return `${keys.prefix}:feeds:disabled`;
}

/** Failure records, counters and once-markers share the hash tag `{ops}`: one script writes them together. */
export function failuresKey(keys: Keys): string {
  return `${keys.prefix}:{ops}:failures`;
}

export function statsKey(keys: Keys): string {
  return `${keys.prefix}:{ops}:stats`;
}

export function failureOnceKey(keys: Keys, once: string): string {
  return `${keys.prefix}:{ops}:failure-once:${once}`;
}

/** Lease of the one pruner across replicas (src/store/retention.ts). */
export function pruneLeaseKey(keys: Keys): string {
  return `${keys.prefix}:{ops}:prune-lease`;
}

/** The dead-job sweeper's shared cursor (a store time, moved forward only). */
export function deadJobCursorKey(keys: Keys): string {
  return `${keys.prefix}:{ops}:dead-job-cursor`;
}

/**
 * The cursor of `newsflow backfill` for one source (hash: its `--since`, state, counts so far, and `d:<sitemap URL>`
 * for each sitemap read to its end, so a rerun skips it). `kind` `feed`: `id` is a feed id of feeds.yaml; `site`:
 * `id` is the hash of a site URL given on the command line. Expires 30 days after its last progress
 * (src/pipeline/backfill.ts); its fields are bounded by the sitemaps the site's indexes list.
 */
export function backfillCursorKey(keys: Keys, kind: 'feed' | 'site', id: string): string {
  return `${keys.prefix}:backfill:${kind}:${id}`;
}

/** One of BullMQ's own keys of a queue (e.g. `failed`, the sorted set of failed jobs), for direct reads. */
export function bullQueueKey(keys: Keys, queue: string, suffix: string): string {
  return `${keys.bullPrefix}:${queue}:${suffix}`;
}

export const QUEUE = {
  poll: 'poll-feed',
  extract: 'fetch-article',
} as const;
