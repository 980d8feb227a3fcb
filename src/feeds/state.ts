import type { RedisClient } from '../store/redis.js';
import { disabledFeedsKey, feedKeys, type Keys } from '../store/keys.js';
import type { IdPolicy } from './parse/identity.js';

/**
 * A feed's state as data: one Redis hash per feed (`<prefix>:feed:<id>`), string fields, times as ISO 8601 UTC
 * so `feeds list`, `GET /feeds` and redis-cli all read the same thing. `src/metrics/status.ts` reads it too.
 */
export interface FeedState {
  /** URL polled: the config URL, or where 301/308-only redirects moved it. */
  url: string | null;
  /** The feeds.yaml URL this state belongs to; a different one in config starts the feed afresh. */
  configUrl: string | null;
  movedFrom: string | null;
  movedAt: string | null;
  lastStatus: number | null;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  lastErrorClass: string | null;
  lastErrorReason: string | null;
  lastErrorAt: string | null;
  consecutiveErrors: number;
  /** Start of the current 401/403/404 streak. */
  firstHardErrorAt: string | null;
  nextPollAt: string | null;
  etag: string | null;
  lastModified: string | null;
  /** sha256 of the last body parsed: an identical body counts as unchanged. */
  bodyHash: string | null;
  /** Last time a body was parsed (a daily full read re-checks the store even when nothing changed). */
  lastParsedAt: string | null;
  /** Distinct items seen since the feed was added. */
  itemsSeen: number;
  itemsLast7Days: number;
  lastNewItemAt: string | null;
  intervalMs: number | null;
  intervalReason: string | null;
  /** The interval before errors started; backoff multiplies it. */
  healthyIntervalMs: number | null;
  disabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  idPolicy: IdPolicy;
  idPolicyReason: string | null;
  title: string | null;
  siteUrl: string | null;
  format: string | null;
  ttlMinutes: number | null;
  hub: string | null;
  self: string | null;
  /** Polls that found every item new (items were probably missed between two polls). */
  overflows: number;
  lastOverflowAt: string | null;
  /** The halved interval an overflow left as a ceiling (held for a day after the last overflow). */
  overflowIntervalMs: number | null;
  /** Article URLs the last overflow's news sitemap read enqueued. */
  lastOverflowFilled: number | null;
  /** The site's news sitemap found for overflows (`none`: looked for, none found), and when it was looked for. */
  newsSitemap: string | null;
  newsSitemapCheckedAt: string | null;
  /** A sitemap source given a site root: the sitemaps discovered for it (space-separated), found anew daily. */
  sitemaps: string | null;
}

const NUMBERS = new Set<keyof FeedState>([
  'lastStatus',
  'consecutiveErrors',
  'itemsSeen',
  'itemsLast7Days',
  'intervalMs',
  'healthyIntervalMs',
  'ttlMinutes',
  'overflows',
  'overflowIntervalMs',
  'lastOverflowFilled',
]);

export const EMPTY_STATE: FeedState = {
  url: null,
  configUrl: null,
  movedFrom: null,
  movedAt: null,
  lastStatus: null,
  lastPolledAt: null,
  lastSuccessAt: null,
  lastErrorClass: null,
  lastErrorReason: null,
  lastErrorAt: null,
  consecutiveErrors: 0,
  firstHardErrorAt: null,
  nextPollAt: null,
  etag: null,
  lastModified: null,
  bodyHash: null,
  lastParsedAt: null,
  itemsSeen: 0,
  itemsLast7Days: 0,
  lastNewItemAt: null,
  intervalMs: null,
  intervalReason: null,
  healthyIntervalMs: null,
  disabled: false,
  disabledReason: null,
  disabledAt: null,
  idPolicy: 'guid',
  idPolicyReason: null,
  title: null,
  siteUrl: null,
  format: null,
  ttlMinutes: null,
  hub: null,
  self: null,
  overflows: 0,
  lastOverflowAt: null,
  overflowIntervalMs: null,
  lastOverflowFilled: null,
  newsSitemap: null,
  newsSitemapCheckedAt: null,
  sitemaps: null,
};

export function stateFromHash(hash: Readonly<Record<string, string>>): FeedState {
  const out: Record<string, unknown> = { ...EMPTY_STATE };
  for (const key of Object.keys(EMPTY_STATE) as (keyof FeedState)[]) {
    const raw = hash[key];
    if (raw === undefined || raw === '') continue;
    if (NUMBERS.has(key)) {
      const n = Number(raw);
      if (Number.isFinite(n)) out[key] = n;
    } else if (key === 'disabled') out[key] = raw === '1' || raw === 'true';
    else if (key === 'idPolicy') out[key] = raw === 'link' ? 'link' : 'guid';
    else out[key] = raw;
  }
  return out as unknown as FeedState;
}

/** Fields to HSET; null clears a field (written as ''). */
export function stateToHash(patch: Partial<FeedState>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) out[key] = '';
    else if (typeof value === 'boolean') out[key] = value ? '1' : '';
    else out[key] = String(value);
  }
  return out;
}

export async function readFeedState(redis: RedisClient, key: string): Promise<FeedState> {
  return stateFromHash(await redis.hgetall(key));
}

export async function writeFeedState(
  redis: RedisClient,
  key: string,
  patch: Partial<FeedState>,
): Promise<void> {
  const fields = stateToHash(patch);
  if (Object.keys(fields).length > 0) await redis.hset(key, fields);
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function msOf(isoString: string | null): number | null {
  if (!isoString) return null;
  const t = Date.parse(isoString);
  return Number.isFinite(t) ? t : null;
}

/** What `feeds list` calls the feed's health. */
export type FeedStatus = 'healthy' | 'backing-off' | 'disabled' | 'new';

export function feedStatus(enabledInConfig: boolean, s: FeedState): FeedStatus {
  if (!enabledInConfig || s.disabled) return 'disabled';
  if (s.consecutiveErrors > 0) return 'backing-off';
  if (!s.lastPolledAt) return 'new';
  return 'healthy';
}

/**
 * Re-enables a feed a poll disabled (410 Gone, long 401/403/404): its errors are forgotten and the poller
 * schedules it again. One function for `newsflow feeds enable` and the console's button, so both undo the
 * same fields.
 */
export async function enableFeed(redis: RedisClient, keys: Keys, feedId: string): Promise<void> {
  const stateKey = feedKeys(keys, feedId).state;
  // Two slots on a cluster, so two steps: the state first, then the reconciler's list; a rerun finishes both.
  await redis
    .multi()
    .hdel(stateKey, 'disabled', 'disabledReason', 'disabledAt', 'firstHardErrorAt', 'nextPollAt')
    .hset(stateKey, 'consecutiveErrors', '0')
    .exec();
  await redis.srem(disabledFeedsKey(keys), feedId);
}
