import type { Queue } from 'bullmq';
import { canonicalUrlKey, fetchUrlOf, hashKey } from '../dedupe/url-key.js';
import { parseSitemap, entryDate, type ParsedSitemap, type SitemapUrl } from '../feeds/parse/sitemap.js';
import { BACKFILL_CAPS, walkSitemaps, type WalkCaps, type WalkFailure } from '../feeds/sitemap/walk.js';
import { MustWait, type FetchRequest, type FetchResult, type Fetcher } from '../fetch/types.js';
import { bullQueueKey, QUEUE, type Keys } from '../store/keys.js';
import { isOomError, readMemory } from '../store/memory.js';
import type { RedisClient } from '../store/redis.js';
import type { StoryStore } from '../store/story-store.js';
import type { History } from './history.js';
import { articleJobId, articleJobOptions, type ArticleJobData } from './queues.js';
import { memoryBudgetError } from './run-once.js';

/**
 * `newsflow backfill`: a site's history from its sitemaps, as article jobs. The walk (src/feeds/sitemap/walk.ts)
 * reads an index and its children newest first through the gated fetcher (politeness shared with the workers);
 * each sitemap's URLs are filtered by date, checked against the store and the queue, and enqueued in chunks,
 * never more than `maxQueued` jobs waiting at once. A cursor in Redis (`backfillCursorKey`) records every sitemap
 * read to its end, so a rerun skips them; it expires 30 days after its last progress.
 */

/** How long a backfill's cursor outlives its last progress. */
export const BACKFILL_CURSOR_TTL_MS = 30 * 86_400_000;
/** URLs checked against the store and the queue, and enqueued, per round trip. */
const CHUNK = 500;

export interface BackfillCounts {
  /** Entries the sitemaps read listed. */
  listed: number;
  /** Dated before `--since`: left out. */
  before: number;
  /** Without a date (no news date, no lastmod): kept, `--since` cannot judge them. */
  undated: number;
  /** Not an http(s) URL newsflow can key. */
  invalid: number;
  /** Their article is stored already (or was, and retention removed it). */
  known: number;
  /** A job for the URL is in the queue already (or the URL was listed twice). */
  queued: number;
  /** Jobs added (in a dry run: the URLs that would be enqueued, stored or not). */
  enqueued: number;
}

export function zeroCounts(): BackfillCounts {
  return { listed: 0, before: 0, undated: 0, invalid: 0, known: 0, queued: 0, enqueued: 0 };
}

function addCounts(a: BackfillCounts, b: BackfillCounts): BackfillCounts {
  const out = zeroCounts();
  for (const k of Object.keys(out) as (keyof BackfillCounts)[]) out[k] = a[k] + b[k];
  return out;
}

export interface BackfillDeps {
  redis: RedisClient;
  keys: Keys;
  /** The gated fetcher (politeness shared through Redis); a `MustWait` is slept out here. */
  fetcher: Fetcher;
  store: Pick<StoryStore, 'knownUrlHashes'>;
  articleQueue: Queue<ArticleJobData, unknown>;
  articleAttempts: number;
  history?: History | undefined;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillPlan {
  /** The article jobs' feed: the source's id and URL. */
  feed: { id: string; url: string };
  roots: readonly string[];
  /** Entries dated before this (epoch ms) are left out; undated ones are kept. */
  sinceMs: number | null;
  /** Stop once this many URLs were enqueued by this run. */
  limit: number | null;
  /** Enqueue only while the article queue holds fewer waiting + delayed jobs than this. */
  maxQueued: number;
  /** Walk and count (per month); enqueue nothing, write no cursor. */
  dryRun: boolean;
  /** Where progress is kept (null: nowhere, a dry run). */
  cursorKey: string | null;
  caps?: WalkCaps;
  /** How often a full queue is looked at again (ms). */
  queuePollMs?: number;
}

export interface BackfillProgress {
  /** Sitemaps fetched by this run; skipped as read by an earlier run; failed; listed so far (roots + children). */
  sitemapsRead: number;
  sitemapsSkipped: number;
  sitemapsFailed: number;
  sitemapsListed: number;
  counts: BackfillCounts;
  /** The queue's size while enqueuing pauses for room, else null. */
  queueFull: number | null;
}

export interface BackfillResult {
  /** This run's counts. */
  counts: BackfillCounts;
  /** Over every run of this backfill (the cursor's counts plus this run's). */
  totals: BackfillCounts;
  sitemaps: { read: number; skipped: number; failed: number; listed: number };
  /** Decoded bytes of the sitemaps read. */
  bytes: number;
  failures: WalkFailure[];
  /** A walk cap stopped the backfill; a rerun resumes. */
  capped: 'depth' | 'count' | 'bytes' | null;
  /** `limit` URLs were enqueued before the walk's end; a rerun resumes. */
  stoppedAtLimit: boolean;
  /** Every sitemap was read and nothing failed: the cursor is marked complete. */
  complete: boolean;
  /** Dry run: entries per month (`YYYY-MM` of the news date, else lastmod), of those that would be enqueued. */
  months: Map<string, number>;
}

/** What an earlier run left: the sitemaps it read to their end and its counts. */
export interface BackfillResume {
  done: Set<string>;
  totals: BackfillCounts;
  started: string;
  runs: number;
}

export type CursorOpening =
  | { kind: 'fresh'; note: string | null }
  | { kind: 'resume'; resume: BackfillResume }
  /** The cursor was written with another `--since`: resuming would skip sitemaps read under another filter. */
  | { kind: 'conflict'; since: string | null; done: number; updated: string };

/** The URL of a sitemap read to its end, as a cursor field. */
const DONE = 'd:';

/**
 * Reads the cursor: resumes a backfill under way with the same `--since`; starts over after a completed one
 * (clearing it) or when `restart`; reports a cursor written with another `--since` as a conflict.
 */
export async function openCursor(
  redis: RedisClient,
  key: string,
  opts: { since: string | null; restart: boolean },
): Promise<CursorOpening> {
  if (opts.restart) {
    const had = await redis.del(key);
    return {
      kind: 'fresh',
      note: had ? 'the earlier backfill of this source was cleared (--restart)' : null,
    };
  }
  const fields = await redis.hgetall(key);
  if (!fields.state) return { kind: 'fresh', note: null };
  const done = new Set<string>();
  for (const f of Object.keys(fields)) if (f.startsWith(DONE)) done.add(f.slice(DONE.length));
  if (fields.state === 'complete') {
    await redis.del(key);
    return {
      kind: 'fresh',
      note: `the earlier backfill of this source completed at ${fields.updated ?? '?'}: starting over`,
    };
  }
  const since = fields.since ? fields.since : null;
  if (since !== opts.since) {
    return { kind: 'conflict', since, done: done.size, updated: fields.updated ?? '?' };
  }
  return {
    kind: 'resume',
    resume: {
      done,
      totals: parseCounts(fields.counts),
      started: fields.started ?? new Date().toISOString(),
      runs: Number(fields.runs) || 0,
    },
  };
}

function parseCounts(json: string | undefined): BackfillCounts {
  const out = zeroCounts();
  try {
    const v = JSON.parse(json ?? '{}') as Record<string, unknown>;
    for (const k of Object.keys(out) as (keyof BackfillCounts)[]) {
      const n = v[k];
      if (typeof n === 'number' && Number.isFinite(n) && n >= 0) out[k] = n;
    }
  } catch {
    // a damaged cursor counts from zero
  }
  return out;
}

/** Thrown through the walk to end it: `limit` URLs were enqueued. */
class Stop extends Error {
  constructor() {
    super('backfill limit reached');
    this.name = 'Stop';
  }
}

/**
 * A fetcher for a command that may wait: the gate's `MustWait` (another worker has the host's slot, a Retry-After)
 * is slept out here and the request asked again, instead of deferring a job.
 */
export function patientFetcher(
  fetcher: Fetcher,
  opts: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): Fetcher {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  return {
    async fetch(req: FetchRequest): Promise<FetchResult> {
      for (;;) {
        try {
          return await fetcher.fetch(req);
        } catch (err) {
          if (!(err instanceof MustWait)) throw err;
          await sleep(Math.max(10, err.untilMs - now()));
        }
      }
    },
    close: () => fetcher.close(),
  };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}

/** A Redis write refused for memory is the run's budget (exit 3), said as `run --once` says it. */
async function budgeted<T>(redis: RedisClient, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isOomError(err)) throw err;
    const f = await readMemory(redis);
    throw memoryBudgetError(f.used, f.max);
  }
}

export async function runBackfill(
  deps: BackfillDeps,
  plan: BackfillPlan,
  resume: BackfillResume | null,
  onProgress?: (p: BackfillProgress) => void,
): Promise<BackfillResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const caps = plan.caps ?? BACKFILL_CAPS;
  const done = resume?.done ?? new Set<string>();
  const earlier = resume?.totals ?? zeroCounts();
  const counts = zeroCounts();
  const months = new Map<string, number>();
  const failures: WalkFailure[] = [];
  /** Sitemaps this run asked for (a child two indexes list is read once); bounded by the caps. */
  const asked = new Set<string>();
  let read = 0;
  let bytes = 0;
  let skipped = 0;
  let listed = plan.roots.length;
  let queueFull: number | null = null;
  let stopping = false;
  let stoppedAtLimit = false;
  let capped: BackfillResult['capped'] = null;

  const progress = (): void =>
    onProgress?.({
      sitemapsRead: read,
      sitemapsSkipped: skipped,
      sitemapsFailed: failures.length,
      sitemapsListed: listed,
      counts,
      queueFull,
    });

  const cursor = plan.dryRun ? null : plan.cursorKey;
  const writeCursor = async (fields: Record<string, string>): Promise<void> => {
    if (!cursor) return;
    await budgeted(deps.redis, () =>
      deps.redis
        .multi()
        .hset(cursor, {
          ...fields,
          counts: JSON.stringify(addCounts(earlier, counts)),
          updated: new Date(now()).toISOString(),
        })
        .pexpire(cursor, BACKFILL_CURSOR_TTL_MS)
        .exec(),
    );
  };
  await writeCursor({
    state: 'running',
    since: plan.sinceMs === null ? '' : new Date(plan.sinceMs).toISOString(),
    started: resume?.started ?? new Date(now()).toISOString(),
    runs: String((resume?.runs ?? 0) + 1),
  });

  const inner = patientFetcher(deps.fetcher, { now, sleep });
  const fetcher: Fetcher = {
    async fetch(req) {
      if (stopping) throw new Stop();
      asked.add(req.url);
      const res = await inner.fetch(req);
      read++;
      if (res.ok) bytes += res.text.length;
      // A document read is shown once parsed (an index's children then count in `listed`).
      else progress();
      return res;
    },
    close: () => inner.close(),
  };

  const parse = (text: string, baseUrl: string): Promise<ParsedSitemap> => {
    const parsed = parseSitemap(text, { baseUrl });
    if (parsed.kind === 'index') listed += parsed.sitemaps.length;
    progress();
    return Promise.resolve(parsed);
  };

  /** Room in the article queue: waits (polling) while it holds `maxQueued` jobs or more. */
  const room = async (): Promise<number> => {
    for (;;) {
      const c = await deps.articleQueue.getJobCounts('waiting', 'delayed', 'prioritized');
      const size = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
      if (size < plan.maxQueued) {
        if (queueFull !== null) {
          queueFull = null;
          progress();
        }
        return plan.maxQueued - size;
      }
      queueFull = size;
      progress();
      await sleep(plan.queuePollMs ?? 1_000);
    }
  };

  const enqueue = async (jobs: ArticleJobData[]): Promise<void> => {
    let rest = jobs;
    while (rest.length > 0) {
      const n = Math.min(rest.length, await room());
      const batch = rest.slice(0, n);
      rest = rest.slice(n);
      await budgeted(deps.redis, () =>
        deps.articleQueue.addBulk(
          batch.map(data => ({
            name: 'article',
            data,
            opts: { ...articleJobOptions(deps.articleAttempts), jobId: articleJobId(data.urlHash) },
          })),
        ),
      );
      counts.enqueued += batch.length;
      for (const data of batch) {
        deps.history?.record({
          ev: 'enqueue',
          jobId: articleJobId(data.urlHash),
          urlHash: data.urlHash,
          url: data.url,
          by: 'backfill',
        });
      }
      progress();
    }
  };

  /** Whether jobs of these URL hashes exist in the article queue (waiting, delayed, active or kept). */
  const inQueue = async (hashes: string[]): Promise<boolean[]> => {
    if (hashes.length === 0) return [];
    const pipe = deps.redis.pipeline();
    for (const h of hashes) pipe.exists(bullQueueKey(deps.keys, QUEUE.extract, articleJobId(h)));
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
  };

  const atLimit = (): boolean => plan.limit !== null && counts.enqueued >= plan.limit;

  /** One chunk of a sitemap's entries. Returns false when the limit ended it before its last entry. */
  const handle = async (urls: SitemapUrl[]): Promise<boolean> => {
    const candidates: ArticleJobData[] = [];
    const hashes = new Set<string>();
    const at = new Date(now()).toISOString();
    for (const u of urls) {
      if (plan.dryRun && atLimit()) return false;
      counts.listed++;
      const date = entryDate(u);
      const ms = date === null ? NaN : Date.parse(date);
      const month = date !== null && Number.isFinite(ms) ? date.slice(0, 7) : null;
      if (month !== null && plan.sinceMs !== null && ms < plan.sinceMs) {
        counts.before++;
        continue;
      }
      const urlKey = canonicalUrlKey(u.loc);
      if (!urlKey) {
        counts.invalid++;
        continue;
      }
      if (month === null) counts.undated++;
      if (plan.dryRun) {
        counts.enqueued++;
        if (month !== null) months.set(month, (months.get(month) ?? 0) + 1);
        continue;
      }
      const urlHash = hashKey(urlKey);
      if (hashes.has(urlHash)) {
        counts.queued++;
        continue;
      }
      hashes.add(urlHash);
      candidates.push({
        url: fetchUrlOf(u.loc) ?? u.loc,
        urlKey,
        urlHash,
        feed: plan.feed,
        item: {
          title: u.title,
          publishedAt: u.publishedAt,
          contentHtml: null,
          summaryHtml: null,
          authors: [],
          source: null,
        },
        enqueuedAt: at,
      });
    }
    if (plan.dryRun) return true;
    const known = await deps.store.knownUrlHashes(candidates.map(c => c.urlHash));
    const unknown = candidates.filter((_, i) => !known[i]);
    counts.known += candidates.length - unknown.length;
    const queued = await inQueue(unknown.map(c => c.urlHash));
    let fresh = unknown.filter((_, i) => !queued[i]);
    counts.queued += unknown.length - fresh.length;
    let whole = true;
    if (plan.limit !== null && fresh.length > plan.limit - counts.enqueued) {
      fresh = fresh.slice(0, Math.max(0, plan.limit - counts.enqueued));
      whole = false;
    }
    await enqueue(fresh);
    progress();
    return whole;
  };

  const onUrls = async (urls: SitemapUrl[], from: { url: string }): Promise<void> => {
    for (let i = 0; i < urls.length; i += CHUNK) {
      const whole = await handle(urls.slice(i, i + CHUNK));
      // The limit ended this sitemap before its last entry: it is read again (from its start) by the next run.
      if (!whole || (atLimit() && i + CHUNK < urls.length)) throw new Stop();
    }
    // Read to its end: a rerun skips it. Stop before the next sitemap if the limit is reached.
    done.add(from.url);
    await writeCursor({ [`${DONE}${from.url}`]: '1' });
    if (atLimit()) stopping = true;
  };

  const skip = (child: { loc: string }): boolean => {
    if (done.has(child.loc)) {
      skipped++;
      return true;
    }
    return asked.has(child.loc);
  };

  progress();
  for (const root of plan.roots) {
    if (done.has(root)) {
      skipped++;
      continue;
    }
    if (asked.has(root)) continue;
    const remaining: WalkCaps = {
      maxDepth: caps.maxDepth,
      maxSitemaps: caps.maxSitemaps - read,
      maxBytes: caps.maxBytes - bytes,
    };
    if (remaining.maxSitemaps <= 0 || remaining.maxBytes <= 0) {
      capped = remaining.maxSitemaps <= 0 ? 'count' : 'bytes';
      break;
    }
    try {
      const walk = await walkSitemaps({ fetcher, roots: [root], caps: remaining, skip, onUrls, parse });
      if (walk.rootFailure) failures.push(walk.rootFailure);
      failures.push(...walk.failures);
      if (walk.capped) {
        capped = walk.capped;
        break;
      }
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      stoppedAtLimit = true;
      break;
    }
  }
  const complete = !stoppedAtLimit && capped === null && failures.length === 0;
  if (complete) await writeCursor({ state: 'complete' });
  else await writeCursor({});
  progress();
  return {
    counts,
    totals: addCounts(earlier, counts),
    sitemaps: { read, skipped, failed: failures.length, listed },
    bytes,
    failures,
    capped,
    stoppedAtLimit,
    complete,
    months,
  };
}
