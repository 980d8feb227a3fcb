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
