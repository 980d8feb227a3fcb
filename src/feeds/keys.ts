import type { Keys } from '../store/keys.js';

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
  /** WebSub subscription of the feed (hash). */
  websub: string;
}

export function feedKeys(keys: Keys, feedId: string): FeedKeys {
  const state = keys.feedState(feedId);
  return { state, seen: `${state}:seen`, lock: `${state}:lock`, websub: `${keys.prefix}:websub:${feedId}` };
}

/** Lease of the single scheduler reconciler across poller replicas. */
export function reconcilerLeaseKey(keys: Keys): string {
  return `${keys.prefix}:reconciler`;
}

/** Sorted set of feed ids by the time their WebSub lease needs renewing. */
export function websubRenewalsKey(keys: Keys): string {
  return `${keys.prefix}:websub:renewals`;
}

/** A pushed body waiting for the poll worker (string, short TTL). */
export function websubPushKey(keys: Keys, feedId: string, pushId: string): string {
  return `${keys.prefix}:websub:push:${feedId}:${pushId}`;
}

/** Set of feed ids a poll disabled (410, long 401/403/404): the reconciler removes their schedulers. */
export function disabledFeedsKey(keys: Keys): string {
  return `${keys.prefix}:feeds:disabled`;
}
