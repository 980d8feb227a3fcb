import type { RedisClient } from '../../store/redis.js';
import { type Keys, feedKeys, legacyWebsubKey, websubRenewalsKey } from '../../store/keys.js';

/**
 * One WebSub subscription per feed, as data: hash `<prefix>:websub:<feedId>`, and a sorted set of feed ids by
 * renewal time. `token` is a random path segment of the callback URL (only the hub learns it), `secret` the HMAC
 * key the hub signs deliveries with.
 */
export type SubscriptionState =
  'requested' | 'active' | 'denied' | 'failed' | 'unsubscribing' | 'unsubscribed';

export interface Subscription {
  feedId: string;
  hub: string;
  topic: string;
  callback: string;
  token: string;
  secret: string;
  state: SubscriptionState;
  requestedAt: number | null;
  verifiedAt: number | null;
  leaseSeconds: number | null;
  expiresAt: number | null;
  lastError: string | null;
  lastPushAt: number | null;
  pushes: number;
  badSignatures: number;
  /** Deliveries past the feed's bounds, replaced by a poll (./pushes.ts). */
  pushesDeferred: number;
}

type NumField =
  | 'requestedAt'
  | 'verifiedAt'
  | 'leaseSeconds'
  | 'expiresAt'
  | 'lastPushAt'
  | 'pushes'
  | 'badSignatures'
  | 'pushesDeferred';

export async function readSubscription(
  redis: RedisClient,
  keys: Keys,
  feedId: string,
): Promise<Subscription | null> {
  let h = await redis.hgetall(feedKeys(keys, feedId).websub);
  if (!h.hub || !h.token) h = await moveLegacy(redis, keys, feedId);
  if (!h.hub || !h.token) return null;
  const n = (k: NumField): number | null => (h[k] ? Number(h[k]) : null);
  return {
    feedId,
    hub: h.hub,
    topic: h.topic ?? '',
    callback: h.callback ?? '',
    token: h.token,
    secret: h.secret ?? '',
    state: (h.state as SubscriptionState | undefined) ?? 'requested',
    requestedAt: n('requestedAt'),
    verifiedAt: n('verifiedAt'),
    leaseSeconds: n('leaseSeconds'),
    expiresAt: n('expiresAt'),
    lastError: h.lastError || null,
    lastPushAt: n('lastPushAt'),
    pushes: n('pushes') ?? 0,
    badSignatures: n('badSignatures') ?? 0,
    pushesDeferred: n('pushesDeferred') ?? 0,
  };
}

export async function writeSubscription(
  redis: RedisClient,
  keys: Keys,
  feedId: string,
  patch: Partial<Omit<Subscription, 'feedId'>>,
): Promise<void> {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    fields[k] = v === null ? '' : String(v);
  }
  if (Object.keys(fields).length > 0) await redis.hset(feedKeys(keys, feedId).websub, fields);
}

/** When to renew a lease: a tenth of it before it ends, at least a minute before, at most a day before. */
export function renewAt(expiresAt: number, leaseSeconds: number): number {
  const margin = Math.min(86_400_000, Math.max(Math.min(60_000, leaseSeconds * 500), leaseSeconds * 100));
  return expiresAt - margin;
}

export async function scheduleRenewal(
  redis: RedisClient,
  keys: Keys,
  feedId: string,
  at: number,
): Promise<void> {
  await redis.zadd(websubRenewalsKey(keys), String(at), feedId);
}

export async function dueRenewals(redis: RedisClient, keys: Keys, now: number): Promise<string[]> {
  return redis.zrangebyscore(websubRenewalsKey(keys), '-inf', String(now), 'LIMIT', 0, 100);
}

export async function forgetSubscription(redis: RedisClient, keys: Keys, feedId: string): Promise<void> {
  // Two slots in a Cluster: two commands. A crash between them leaves a renewal that finds no subscription.
  await redis.del(feedKeys(keys, feedId).websub);
  await redis.zrem(websubRenewalsKey(keys), feedId);
}

/**
 * Subscriptions written before the hash tag (`<prefix>:websub:<feedId>`) are moved to the tagged key the first
 * time they are read, so a running subscription survives the upgrade. Only a hash with a hub and a token is
 * one: `websub:renewals` (the sorted set a feed named "renewals" used to collide with) is never touched.
 */
async function moveLegacy(redis: RedisClient, keys: Keys, feedId: string): Promise<Record<string, string>> {
  const legacy = legacyWebsubKey(keys, feedId);
  if (legacy === websubRenewalsKey(keys) || (await redis.type(legacy)) !== 'hash') return {};
  const h = await redis.hgetall(legacy);
  if (!h.hub || !h.token) return {};
  await redis.hset(feedKeys(keys, feedId).websub, h);
  await redis.del(legacy);
  return h;
}
