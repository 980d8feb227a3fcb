import { z } from 'zod';
import { parseClusterNodes } from '../shared/redis-target.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const DURATION_RE = /^(\d+)(ms|s|m|h|d)$/;

/**
 * A duration written with its unit: `500ms`, `90s`, `15m`, `2h`, `1d`. A bare number is rejected (`timeout: 20`
 * read as milliseconds made every fetch fail); only `0` may go without one — zero is zero in any unit.
 */
const duration = z.unknown().transform((value, ctx): number => {
  if (value === 0) return 0;
  if (typeof value === 'number') {
    ctx.addIssue({
      code: 'custom',
      message: `${value} has no unit: write ${value}s, ${value}ms, ${value}m… (durations take ms, s, m, h or d)`,
    });
    return z.NEVER;
  }
  if (typeof value === 'string' && DURATION_RE.test(value.trim())) return parseDurationMs(value.trim());
  ctx.addIssue({
    code: 'custom',
    message: `expected a duration such as 500ms, 30s, 15m, 2h or 1d, got ${JSON.stringify(value) ?? String(value)}`,
  });
  return z.NEVER;
});

export function parseDurationMs(text: string): number {
  const m = DURATION_RE.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return n * unit;
}

const cidr = z
  .string()
  .refine(v => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(v), 'expected a CIDR such as 127.0.0.0/8');

export const serviceSchema = z
  .object({
    redis: z
      .object({
        /** `REDIS_URL` wins over this. Unset: 127.0.0.1:6379 if it answers, else a managed local redis-server. */
        url: z.string().url().nullable().default(null),
        /** Every key newsflow writes starts with this. */
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
          .default('newsflow'),
        /** Where a managed redis-server keeps its data. */
        dataDir: z.string().default('./data/redis'),
        /**
         * A Redis Cluster instead of one Redis (docs/OPERATIONS.md, "One Redis, Sentinel or a Cluster"). `nodes`:
         * seed nodes, each `host:port` or `redis[s]://[user:password@]host:port` (credentials and TLS as for
         * `url`); `REDIS_CLUSTER_NODES` (comma-separated) wins. When set, every connection is a cluster client
         * and `url` / `REDIS_URL` are not used.
         */
        cluster: z
          .object({
            nodes: z
              .array(z.string())
              .default([])
              .superRefine((nodes, ctx) => {
                if (nodes.length === 0) return;
                try {
                  parseClusterNodes(nodes);
                } catch (err) {
                  ctx.addIssue({ code: 'custom', message: (err as Error).message });
                }
              }),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    poller: z
      .object({
        concurrency: z.number().int().min(1).max(1000).default(8),
        /** Poll interval for feeds that set none, until the adaptive interval has data (items in the last 7 days). */
        defaultInterval: duration.default(3_600_000),
        /** Adaptive interval = 7 days ÷ (items in the last 7 days × adaptiveFactor), clamped to [min, max]. */
        minInterval: duration.default(5 * 60_000),
        maxInterval: duration.default(24 * 3_600_000),
        adaptiveFactor: z.number().positive().max(100).default(1),
        /** ±fraction applied to every interval so feeds do not poll in lockstep. */
        jitter: z.number().min(0).max(0.5).default(0.1),
        /** Error backoff (interval × 2^errors) and any Retry-After/Cache-Control/Expires wait stop here. */
        maxBackoff: duration.default(48 * 3_600_000),
        /** A feed answering 401/403/404 for longer than this is disabled (410 disables at once). */
        disableAfter: duration.default(7 * 86_400_000),
        /** How often each feed's BullMQ scheduler wakes to ask whether the feed is due (at most its interval). */
        tick: duration.default(5 * 60_000),
        /**
         * BullMQ stall detection for poll jobs (its defaults). A poller that dies after taking a scheduler's job and
         * before BullMQ queued the scheduler's next one stops that feed's ticks until the job comes back, within
         * about lockDuration + stalledInterval.
         */
        lockDuration: duration.default(30_000),
        stalledInterval: duration.default(30_000),
        /** Re-read config/feeds.yaml when it changes and reconcile the schedulers, without a restart. */
        watchConfig: z.boolean().default(true),
        /**
         * A feeds.yaml reload that stops more than this share of the enabled feeds is applied only when a second
         * read a few seconds later still says so (a file read mid-write looks like "no feeds").
         */
        maxRemoveShare: z.number().min(0).max(1).default(0.5),
        /**
         * Items taken from one poll of a feed (the first ones: feeds list newest first); the rest are dropped and
         * counted. Bounds the jobs one hostile feed can enqueue and its seen set (10 × this at most). Real feeds
         * list 10–100 items; 1 000 leaves room for the few that publish whole archives.
         */
        maxItemsPerPoll: z.number().int().min(1).max(5_000).default(1_000),
        /**
         * Feeds are parsed in worker threads, off the event loop that renews locks and polls the other feeds. A
         * document still parsing after parseTimeout fails its poll (`parse`, recorded on the feed) and costs its
         * thread; parseHeapMb bounds what one document can allocate. Real feeds parse in milliseconds; two
         * threads, so one slow document never holds up the others.
         */
        parseThreads: z.number().int().min(1).max(64).default(2),
        parseTimeout: duration.default(10_000),
        parseHeapMb: z.number().int().min(64).max(4096).default(256),
      })
      .strict()
      .prefault({}),
    websub: z
      .object({
        /**
         * Public URL that reaches the WebSub listener's `/websub` route (e.g. https://news.example.com/websub).
         * Unset: no WebSub; feeds are polled only.
         */
        callbackUrl: z
          .string()
          .url()
          .refine(u => /^https?:/i.test(u), 'only http and https callbacks')
          .nullable()
          .default(null),
        /** Lease asked of hubs; they may grant another. */
        leaseSeconds: z.number().int().min(60).max(31_536_000).default(864_000),
        /** While pushes arrive, the feed is still polled this often. */
        safetyPoll: duration.default(24 * 3_600_000),
        /**
         * Where the api role serves `/websub` (hub verifications and deliveries): a listener of its own, apart
         * from the API, so only this port needs to face the internet.
         */
        listen: z
          .object({
            host: z.string().default('127.0.0.1'),
            port: z.number().int().min(0).max(65535).default(8081),
          })
          .strict()
          .prefault({}),
        /**
         * Bounds on deliveries, per feed. A delivery past them is not stored: the feed is polled instead (one
         * poll however many deliveries), so nothing is lost and a hostile hub costs one fetch.
         */
        push: z
          .object({
            /** Largest delivery body accepted (a larger one gets 413). */
            maxBytes: z
              .number()
              .int()
              .positive()
              .default(5 * MiB),
            /** Deliveries stored per feed per minute. */
            perMinute: z.number().int().min(1).max(10_000).default(6),
            /** Bytes of deliveries waiting for a poll worker, per feed. */
            pendingBytes: z
              .number()
              .int()
              .positive()
              .default(8 * MiB),
            /** How long a stored delivery waits for a poll worker; the feed is polled if it was not read. */
            ttl: duration.default(15 * 60_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    extractor: z
      .object({
        concurrency: z.number().int().min(1).max(256).default(4),
        /** How long a job may run before BullMQ considers it stalled if its lock is not renewed. */
        lockDuration: duration.default(60_000),
        /** How often each worker looks for jobs whose worker died (their lock expired). */
        stalledInterval: duration.default(30_000),
        /** A job found stalled more often than this fails for good, recorded with class `stalled`. */
        maxStalledCount: z.number().int().min(0).max(50).default(2),
        attempts: z.number().int().min(1).max(50).default(4),
      })
      .strict()
      .prefault({}),
    extract: z
      .object({
        /** DOM Readability runs on: lite (default: parse5-built, jsdom's output, ~10× faster), jsdom, linkedom. */
        dom: z.enum(['lite', 'jsdom', 'linkedom']).default('lite'),
        /** Extraction threads in the extractor role; 0 = one per core. */
        threads: z.number().int().min(0).max(256).default(0),
        /** Old-generation heap limit per extraction thread, MB. */
        heapMb: z.number().int().min(64).max(16384).default(512),
        /** A page whose extraction runs longer fails with class `timeout` (its thread is replaced). */
        timeout: duration.default(60_000),
        /** Pages longer than this many characters are refused before parsing. */
        maxHtmlChars: z.number().int().min(1024).default(6_000_000),
      })
      .strict()
      .prefault({}),
    fetch: z
      .object({
        userAgent: z.string().min(1).default('newsflow/0.1 (+https://github.com/newsflow/newsflow)'),
        timeout: duration.default(20_000),
        connectTimeout: duration.default(5_000),
        headersTimeout: duration.default(10_000),
        maxRedirects: z.number().int().min(0).max(20).default(5),
        /** CIDRs the SSRF guard lets through (e.g. 127.0.0.0/8 for local tests). Empty in production. */
        allowNetworks: z.array(cidr).default([]),
        allowedPorts: z.array(z.number().int().min(1).max(65535)).default([80, 443]),
        maxBytes: z
          .object({
            feed: z
              .number()
              .int()
              .positive()
              .default(5 * MiB),
            page: z
              .number()
              .int()
              .positive()
              .default(3 * MiB),
            robots: z
              .number()
              .int()
              .positive()
              .default(500 * KiB),
            /** Decoded bytes of one sitemap (the protocol's limit is 50 MB uncompressed). */
            sitemap: z
              .number()
              .int()
              .positive()
              .default(50 * MiB),
          })
          .strict()
          .prefault({}),
        /** Idle time allowed between body chunks; `timeout` bounds the whole response. */
        bodyTimeout: duration.default(10_000),
        /** Longest Retry-After (429/503) honoured, per hostname:port. */
        maxRetryAfter: duration.default(48 * 3_600_000),
        /** Per-host gate in Redis, shared by every worker: request spacing and concurrency per host. */
        politeness: z
          .object({
            /** Minimum time between two request starts to one host (raised to its robots.txt Crawl-delay). */
            interval: duration.default(1_000),
            maxInFlight: z.number().int().min(1).max(100).default(1),
            /** Longest robots.txt Crawl-delay honoured. */
            maxCrawlDelay: duration.default(60_000),
            /** Per-host overrides, keyed by hostname or host:port. */
            hosts: z
              .record(
                z.string().min(1),
                z
                  .object({
                    interval: duration.optional(),
                    maxInFlight: z.number().int().min(1).max(100).optional(),
                  })
                  .strict(),
              )
              .default({}),
          })
          .strict()
          .prefault({}),
        /** robots.txt for article pages (feeds are fetched regardless: the operator subscribed to them). */
        robots: z
          .object({
            enabled: z.boolean().default(true),
            cacheTtl: duration.default(24 * 3_600_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    dedupe: z
      .object({
        /** LSH buckets, content keys and signatures expire after this: copies arrive within hours or days. */
        window: duration.default(30 * 86_400_000),
        /** Texts shorter than this (in words) get no content keys: paywall and consent stubs look alike. */
        minTokens: z.number().int().min(5).max(1000).default(30),
        /** Words in the lead hash; WordPress feed excerpts are the first 55 words. */
        leadWords: z.number().int().min(10).max(500).default(50),
        /** MinHash LSH layout over the 128 permutations (bands × rows ≤ 128). */
        lsh: z
          .object({
            bands: z.number().int().min(1).max(128).default(42),
            rows: z.number().int().min(1).max(128).default(3),
          })
          .strict()
          .refine(l => l.bands * l.rows <= 128, 'bands × rows must not exceed 128 permutations')
          .prefault({}),
        /** How an LSH candidate is confirmed (estimates from the two signatures). */
        confirm: z
          .object({
            jaccard: z.number().min(0).max(1).default(0.8),
            containment: z.number().min(0).max(1).default(0.8),
            /** Containment applies when the shorter text has at most this fraction of the longer's shingles. */
            shorterBy: z.number().min(0).max(1).default(0.5),
            /** Lightly edited copies (≤ ~8 % of words changed) fall below `jaccard`: accepted from here on… */
            editedJaccard: z.number().min(0).max(1).default(0.4),
            /**
             * Every match by similarity needs the facts (numbers and names, dedupe/normalize.ts factTokens) to
             * agree: this share of the facts of the text with fewer of them is found in the other…
             */
            numbersContainment: z.number().min(0).max(1).default(0.8),
            /**
             * …and not both texts have facts of their own — at least `ownFacts` and at least `ownFactsShare` of
             * their facts: a copy adds facts or drops some, two filled templates (one company's notice and
             * another's) each have their own. The share keeps an edited copy of a long text (a few facts
             * changed among ~100) a copy.
             */
            ownFacts: z.number().int().min(1).max(1000).default(2),
            ownFactsShare: z.number().min(0).max(1).default(0.1),
          })
          .strict()
          .prefault({}),
        /**
         * Publisher names pinned to their domain ("Invezz: invezz.com"): a credit naming only the site
         * resolves there, and no page can teach the table otherwise for that name.
         */
        publishers: z
          .record(
            z.string().trim().min(1).max(200),
            z
              .string()
              .trim()
              .regex(
                /^(?:https?:\/\/)?[\p{L}\p{N}.-]+(?::\d+)?(?:\/.*)?$/iu,
                'a domain such as invezz.com (or its home page URL)',
              ),
          )
          .default({}),
        /** A learned publisher → domain entry is forgotten this long after the last page of that domain confirmed it. */
        publisherTtl: duration.default(30 * 86_400_000),
        /** Pages of one domain declaring a name, within publisherTtl, that teach the table without other evidence. */
        publisherMinPages: z.number().int().min(1).max(1000).default(3),
      })
      .strict()
      .prefault({}),
    stream: z
      .object({
        /** Approximate cap on stream entries (XADD MAXLEN ~); bodies live in their own keys, so trimming loses no content. */
        maxLen: z.number().int().min(1000).default(1_000_000),
        /** Also trim entries older than this (XTRIM MINID), checked every 10 s–1 min; null keeps entries until maxLen. */
        minAge: duration.nullable().default(null),
        /** Approximate cap on the dead-letter stream `<prefix>:articles:dlq`. */
        deadLetterMaxLen: z.number().int().min(100).default(100_000),
      })
      .strict()
      .prefault({}),
    /**
     * Memory back-pressure (docs/OPERATIONS.md): every role reads used_memory / maxmemory from `INFO memory`.
     * At or above highWatermark pollers stop polling (so no article jobs are enqueued) and extractors stop taking
     * jobs; below lowWatermark both resume. maxmemory 0 (unlimited) means no back-pressure.
     */
    /**
     * How long stored stories live (issue 11): a story whose last activity (created, a member joined, a new
     * representative) is older than `stories` is removed whole by the pruner; its URLs stay known for `urls` as
     * tombstones, so a URL still listed in a feed is not fetched again. null keeps stories for ever.
     */
    retention: z
      .object({
        stories: duration.nullable().default(30 * 86_400_000),
        urls: duration.default(90 * 86_400_000),
        /** How often the pruner looks for expired stories (one replica at a time), and how many per look. */
        interval: duration.default(60_000),
        batch: z.number().int().min(1).max(10_000).default(200),
        /**
         * A folder: each removed story (the `stories export` line plus its body) is appended to
         * `<archive>/<YYYY-MM-DD>.jsonl.gz` before removal; if that fails the story stays. null: no archive.
         */
        archive: z.string().min(1).nullable().default(null),
      })
      .strict()
      .prefault({}),
    memory: z
      .object({
        highWatermark: z.number().gt(0).max(1).default(0.85),
        lowWatermark: z.number().gt(0).max(1).default(0.75),
        /** How often each process reads INFO memory. */
        checkInterval: duration.default(1_000),
      })
      .strict()
      .refine(m => m.lowWatermark < m.highWatermark, {
        message: 'memory.lowWatermark must be below memory.highWatermark',
      })
      .prefault({}),
    /**
     * Consumer-group settings of `newsflow tail --group`; the consumer client (src/consumer) takes its defaults
     * from here too, so a library user who passes nothing gets the same.
     */
    consumer: z
      .object({
        claimMinIdle: duration.default(60_000),
        maxDeliveries: z.number().int().min(1).max(1000).default(5),
        block: duration.default(5_000),
        count: z.number().int().min(1).max(1000).default(16),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Bearer token (or Basic-auth password) for the queue dashboard at /admin/queues; null disables the dashboard. */
        adminToken: z.string().min(16, 'at least 16 characters').nullable().default(null),
        /**
         * The operator console at `/` (stories, feeds, failures, consumers): read-only for anyone who reaches the
         * API; its two actions (enable a feed, poll now) need adminToken.
         */
        console: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    shutdown: z
      .object({ grace: duration.default(30_000) })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Content keys, awaits and LSH entries name stories and expire after dedupe.window: a story removed
    // before them would leave keys naming a story that is gone.
    if (c.retention.stories !== null && c.retention.stories < c.dedupe.window) {
      ctx.addIssue({
        code: 'custom',
        path: ['retention', 'stories'],
        message: 'must be at least dedupe.window (content keys name stories until the window ends)',
      });
    }
  });

/** What a feed id may be: it goes into Redis key names and URLs (also checked on job data and WebSub routes). */
export const FEED_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const feedIdSchema = z
  .string()
  .regex(FEED_ID_RE, 'lower-case letters, digits, _ and -, at most 64, starting with a letter or digit');

const httpUrl = z.string().superRefine((u, ctx) => {
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a URL (expected http:// or https://…)' });
    return;
  }
  if (!/^https?:$/.test(parsed.protocol)) {
    ctx.addIssue({ code: 'custom', message: 'only http and https feeds' });
  }
});

export const feedSchema = z
  .object({
    id: feedIdSchema,
    url: httpUrl,
    /**
     * `feed`: RSS, Atom or JSON Feed. `sitemap`: a sitemap, a sitemap index or a site root (`https://site/`, whose
     * sitemaps are found in robots.txt or at common paths), polled like a feed. Absent means `feed`.
     */
    type: z.enum(['feed', 'sitemap']).optional(),
    /**
     * The site's news sitemap (or any sitemap): read when a poll of this feed overflows (every item new) to fill
     * the gap, and by `newsflow backfill`. Without it the news sitemap is looked for in the site's robots.txt.
     */
    sitemap: httpUrl.optional(),
    title: z.string().optional(),
    tags: z.array(z.string()).default([]),
    enabled: z.boolean().default(true),
    /** Overrides the adaptive interval for this feed. */
    interval: duration.optional(),
  })
  .strict();

/** A feed as the service holds it once parsed (interval in ms): the shape job data carries between processes. */
export const parsedFeedSchema = feedSchema.extend({
  interval: z.number().int().nonnegative().optional(),
});

export const feedsFileSchema = z
  .object({
    feeds: z.array(feedSchema).default([]),
  })
  .strict();

export type ServiceConfig = z.infer<typeof serviceSchema>;

/**
 * Every default of newsflow.yaml as the schema fills it in — the one place a default is written. Code that needs
 * a default without a loaded config (the consumer client, extraction called as a library) reads it here.
 */
export const SERVICE_DEFAULTS: ServiceConfig = freezeDeep(serviceSchema.parse({}));

/** Freezes an object and everything in it (config objects are read-only once validated). */
export function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freezeDeep(v);
  }
  return value;
}
export type FeedConfig = z.infer<typeof feedSchema>;
