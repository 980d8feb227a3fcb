import type { Queue } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import type { FeedConfig } from '../config/schema.js';
import { feedStatus, stateFromHash, type FeedStatus } from '../feeds/state.js';
import { type Keys, failuresKey, statsKey } from '../store/keys.js';
import { readMemory, type Watermarks } from '../store/memory.js';
import { SERVICE_DEFAULTS } from '../config/schema.js';

/**
 * Read-only views of the running system, computed from Redis alone (no process-local state), so `newsflow
 * status`, `GET /feeds` and `/metrics` agree whichever process serves them.
 */

export type FeedHealth = 'ok' | 'backing-off' | 'disabled' | 'never-polled';

export interface FeedView {
  id: string;
  url: string;
  title: string | null;
  enabled: boolean;
  health: FeedHealth;
  lastStatus: number | null;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  consecutiveErrors: number;
  lastError: { class: string; reason: string; at: string | null } | null;
  nextPollAt: string | null;
  intervalMs: number | null;
  intervalReason: string | null;
  disabledReason: string | null;
  /** The whole state hash, including fields this view does not interpret. */
  state: Record<string, string>;
}

const HEALTH: Record<FeedStatus, FeedHealth> = {
  healthy: 'ok',
  'backing-off': 'backing-off',
  disabled: 'disabled',
  new: 'never-polled',
};

/** The feeds module's rule (src/feeds/state.ts, also behind `feeds list`), in this view's words. */
export function feedHealth(enabledInConfig: boolean, hash: Readonly<Record<string, string>>): FeedHealth {
  return HEALTH[feedStatus(enabledInConfig, stateFromHash(hash))];
}

export function feedView(feed: FeedConfig, hash: Record<string, string>): FeedView {
  const s = stateFromHash(hash);
  return {
    id: feed.id,
    url: s.url ?? feed.url,
    title: feed.title ?? s.title ?? null,
    enabled: feed.enabled,
    health: HEALTH[feedStatus(feed.enabled, s)],
    lastStatus: s.lastStatus,
    lastPolledAt: s.lastPolledAt,
    lastSuccessAt: s.lastSuccessAt,
    consecutiveErrors: s.consecutiveErrors,
    lastError: s.lastErrorClass
      ? { class: s.lastErrorClass, reason: s.lastErrorReason ?? '', at: s.lastErrorAt }
      : null,
    nextPollAt: s.nextPollAt,
    intervalMs: s.intervalMs,
    intervalReason: s.intervalReason,
    disabledReason: s.disabledReason ?? (feed.enabled ? null : 'disabled in feeds.yaml'),
    state: hash,
  };
}

export async function readFeeds(
  redis: RedisClient,
  keys: Keys,
  feeds: readonly FeedConfig[],
): Promise<FeedView[]> {
  if (feeds.length === 0) return [];
  // Not one pipeline: on a cluster the feeds' state hashes lie in many slots. Sent at once all the same.
  const states = await Promise.all(feeds.map(f => redis.hgetall(keys.feedState(f.id))));
  return feeds.map((f, i) => feedView(f, states[i] ?? {}));
}

export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;
export type QueueCounts = Record<(typeof QUEUE_STATES)[number], number>;

export async function readQueues(queues: readonly Queue[]): Promise<Record<string, QueueCounts>> {
  const out: Record<string, QueueCounts> = {};
  for (const q of queues) {
    const counts = await q.getJobCounts(...QUEUE_STATES);
    out[q.name] = Object.fromEntries(QUEUE_STATES.map(s => [s, counts[s] ?? 0])) as QueueCounts;
  }
  return out;
}

export interface GroupView {
  name: string;
  consumers: number;
  /** Delivered to a consumer, not acknowledged yet. */
  pending: number;
  /** Entries in the stream the group has not read yet; null when Redis cannot tell (after trimming or XDEL). */
  lag: number | null;
  lastDeliveredId: string;
  /** Time of the oldest entry the group still has to handle (pending, or first unread); null when none. */
  oldestAt: string | null;
  /** Its age in ms at the time of reading; null when the group has nothing to handle. */
  oldestAgeMs: number | null;
  /**
   * The oldest entry it has to handle is older than retention.stories: the stories it points at may be gone
   * already (docs/CONSUMING.md, Retention). Always false when stories are kept for ever.
   */
  behindRetention: boolean;
}

export interface StreamView {
  key: string;
  length: number;
  firstId: string | null;
  lastId: string | null;
  groups: GroupView[];
}

export async function readStream(
  redis: RedisClient,
  key: string,
  opts: { now?: () => number; retentionMs?: number | null } = {},
): Promise<StreamView> {
  const length = await redis.xlen(key);
  if (length === 0 && (await redis.exists(key)) === 0) {
    return { key, length: 0, firstId: null, lastId: null, groups: [] };
  }
  const now = (opts.now ?? Date.now)();
  const info = pairs((await redis.call('XINFO', 'STREAM', key)) as unknown[]);
  const raw = ((await redis.call('XINFO', 'GROUPS', key)) as unknown[][]).map(g => pairs(g));
  const groups = await Promise.all(
    raw.map(async m => {
      const name = text(m.name);
      const lastDeliveredId = text(m['last-delivered-id']) || '0-0';
      // The oldest entry the group still owes: its oldest pending one, or the first it has not read.
      const [pendingSummary, firstUnread] = await Promise.all([
        redis.xpending(key, name),
        redis.xrange(key, `(${lastDeliveredId}`, '+', 'COUNT', 1),
      ]);
      const times = [text(pendingSummary[1]), firstUnread[0]?.[0] ?? '']
        .filter(Boolean)
        .map(id => Number(id.split('-')[0]));
      const oldest = times.length > 0 ? Math.min(...times) : null;
      const oldestAgeMs = oldest === null ? null : Math.max(0, now - oldest);
      return {
        name,
        consumers: Number(m.consumers ?? 0),
        pending: Number(m.pending ?? 0),
        lag: m.lag === null || m.lag === undefined ? null : Number(m.lag),
        lastDeliveredId,
        oldestAt: oldest === null ? null : new Date(oldest).toISOString(),
        oldestAgeMs,
        behindRetention:
          oldestAgeMs !== null && opts.retentionMs !== null && opts.retentionMs !== undefined
            ? oldestAgeMs > opts.retentionMs
            : false,
      };
    }),
  );
  const entryId = (e: unknown): string | null => (Array.isArray(e) ? text(e[0]) : null);
  return { key, length, firstId: entryId(info['first-entry']), lastId: entryId(info['last-entry']), groups };
}

export interface DeadLetterView {
  key: string;
  total: number;
  byReason: Record<string, number>;
  byGroup: Record<string, number>;
  /** How many entries the counts cover: at most `scanLimit`, newest first. */
  scanned: number;
}

export async function readDeadLetters(
  redis: RedisClient,
  key: string,
  scanLimit = 10_000,
): Promise<DeadLetterView> {
  const total = await redis.xlen(key);
  const entries = total > 0 ? await redis.xrevrange(key, '+', '-', 'COUNT', scanLimit) : [];
  const byReason: Record<string, number> = {};
  const byGroup: Record<string, number> = {};
  for (const [, flat] of entries) {
    const f = pairs(flat);
    const reason = typeof f.reason === 'string' && f.reason ? f.reason : 'unknown';
    const group = typeof f.group === 'string' && f.group ? f.group : 'unknown';
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    byGroup[group] = (byGroup[group] ?? 0) + 1;
  }
  return { key, total, byReason, byGroup, scanned: entries.length };
}

export interface FailureView {
  /** Counters from `<prefix>:stats`: scope → class → count. */
  counts: Record<string, Record<string, number>>;
  recent: {
    id: string;
    scope: string;
    feedOrArticle: string;
    url: string;
    class: string;
    reason: string;
    at: string;
    /** The feed the record is about: a feed's own id, or the feed of an article's item ('' when unknown). */
    feed: string;
  }[];
}

export async function readStats(redis: RedisClient, keys: Keys): Promise<Record<string, number>> {
  const raw = await redis.hgetall(statsKey(keys));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}

export async function readFailures(redis: RedisClient, keys: Keys, recent = 5): Promise<FailureView> {
  const stats = await readStats(redis, keys);
  const counts: Record<string, Record<string, number>> = {};
  for (const [field, n] of Object.entries(stats)) {
    const m = /^(\w+)\.failed\.(.+)$/.exec(field);
    if (!m) continue;
    (counts[m[1]!] ??= {})[m[2]!] = n;
  }
  const rows = await redis.xrevrange(failuresKey(keys), '+', '-', 'COUNT', recent);
  return { counts, recent: rows.map(failureRow) };
}

export type FailureRow = FailureView['recent'][number];

function failureRow([id, flat]: [string, string[]]): FailureRow {
  const f = pairs(flat);
  const s = (k: string): string => (typeof f[k] === 'string' ? f[k] : '');
  return {
    id,
    scope: s('scope'),
    feedOrArticle: s('id'),
    url: s('url'),
    class: s('class'),
    reason: s('reason'),
    at: s('at'),
    // Feed records are about their feed; article records name the feed of their item (records written before
    // the field existed name none).
    feed: s('scope') === 'feed' ? s('id') : s('feed'),
  };
}

export interface FailurePage {
  rows: FailureRow[];
  /** Stream id to pass as `before` for the next page; null at the end of the stream. */
  next: string | null;
  /** Entries examined for this page; the scan stops at `scanLimit` even when the page is not full. */
  scanned: number;
  scanLimitHit: boolean;
}

/**
 * The failures stream newest first, one page at a time, keeping the entries that match (class, scope, id):
 * at most `scanLimit` entries are read per page, so a rare class costs a bounded read, not the whole stream.
 */
export async function readFailurePage(
  redis: RedisClient,
  keys: Keys,
  q: {
    before?: string | undefined;
    class?: string | undefined;
    scope?: string | undefined;
    id?: string | undefined;
    /** Records of this feed: its polls and its items. */
    feed?: string | undefined;
    limit: number;
    scanLimit?: number;
  },
): Promise<FailurePage> {
  const scanLimit = q.scanLimit ?? 2_000;
  const rows: FailureRow[] = [];
  let end = q.before ? `(${q.before}` : '+';
  let scanned = 0;
  for (;;) {
    const batch = await redis.xrevrange(failuresKey(keys), end, '-', 'COUNT', Math.min(500, scanLimit));
    if (batch.length === 0) return { rows, next: null, scanned, scanLimitHit: false };
    for (const entry of batch) {
      scanned++;
      end = `(${entry[0]}`;
      const row = failureRow(entry);
      if (q.class && row.class !== q.class) continue;
      if (q.scope && row.scope !== q.scope) continue;
      if (q.id && row.feedOrArticle !== q.id) continue;
      if (q.feed && row.feed !== q.feed) continue;
      rows.push(row);
      if (rows.length >= q.limit) return { rows, next: entry[0], scanned, scanLimitHit: false };
    }
    if (scanned >= scanLimit) return { rows, next: end.slice(1), scanned, scanLimitHit: true };
  }
}

/**
 * Redis memory against the back-pressure watermarks (config `memory`), from INFO memory. `high`: at or above the
 * high watermark — pollers and extractors are paused; `between`: below high, not yet below low — a role that
 * paused stays paused until below low; `ok`: below low; `unlimited`: maxmemory 0, no back-pressure.
 */
export interface MemoryView {
  used: number;
  max: number;
  ratio: number;
  highWatermark: number;
  lowWatermark: number;
  state: 'ok' | 'between' | 'high' | 'unlimited';
}

export const DEFAULT_WATERMARKS: Watermarks = {
  high: SERVICE_DEFAULTS.memory.highWatermark,
  low: SERVICE_DEFAULTS.memory.lowWatermark,
};

export async function readMemoryView(
  redis: RedisClient,
  w: Watermarks = DEFAULT_WATERMARKS,
): Promise<MemoryView> {
  const f = await readMemory(redis);
  const state = f.max <= 0 ? 'unlimited' : f.ratio >= w.high ? 'high' : f.ratio >= w.low ? 'between' : 'ok';
  return { ...f, ratio: Number(f.ratio.toFixed(4)), highWatermark: w.high, lowWatermark: w.low, state };
}

export interface SystemStatus {
  at: string;
  memory: MemoryView;
  queues: Record<string, QueueCounts>;
  feeds: FeedView[];
  stream: StreamView;
  deadLetters: DeadLetterView;
  failures: FailureView;
  counters: Record<string, number>;
}

export async function readStatus(deps: {
  redis: RedisClient;
  keys: Keys;
  queues: readonly Queue[];
  feeds: readonly FeedConfig[];
  now?: () => number;
  memory?: Watermarks;
  /** retention.stories: a consumer group owing entries older than this is flagged. */
  retentionMs?: number | null;
}): Promise<SystemStatus> {
  const { redis, keys } = deps;
  const [memory, queues, feeds, stream, deadLetters, failures, counters] = await Promise.all([
    readMemoryView(redis, deps.memory),
    readQueues(deps.queues),
    readFeeds(redis, keys, deps.feeds),
    readStream(redis, keys.stream, { now: deps.now ?? Date.now, retentionMs: deps.retentionMs ?? null }),
    readDeadLetters(redis, keys.deadLetters),
    readFailures(redis, keys),
    readStats(redis, keys),
  ]);
  const now = deps.now ?? Date.now;
  return {
    at: new Date(now()).toISOString(),
    memory,
    queues,
    feeds,
    stream,
    deadLetters,
    failures,
    counters,
  };
}

/** Redis replies of the form [k1, v1, k2, v2…] as a record. */
export function pairs(flat: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
