import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../store/redis.js';
import { type Keys, feedKeys, websubPushKey } from '../../store/keys.js';
import { runScript } from '../../store/scripts.js';

/**
 * WebSub deliveries waiting for a poll worker, bounded per feed (issue 12): a feed's hub may have at most
 * `perMinute` deliveries stored per minute and `pendingBytes` waiting at once, each kept `ttlMs`. What falls
 * outside is not stored: the caller polls the feed instead, which reads everything the deliveries would have
 * carried. Writes go through one script (src/store/lua/websub-push-4.lua), so concurrent deliveries of one feed
 * cannot both pass a bound.
 */
export interface PushLimits {
  perMinute: number;
  pendingBytes: number;
  ttlMs: number;
}

export type PushVerdict = 'stored' | 'rate' | 'bytes' | 'gone';

function member(pushKey: string, bytes: number): string {
  return `${bytes}:${pushKey}`;
}

export async function storePush(
  redis: RedisClient,
  keys: Keys,
  feedId: string,
  push: { text: string; contentType: string; bytes: number },
  limits: PushLimits,
  now: number,
): Promise<{ verdict: PushVerdict; pushKey: string }> {
  const k = feedKeys(keys, feedId);
  const pushKey = websubPushKey(keys, feedId, randomUUID());
  const verdict = (await runScript(
    redis,
    'websub-push-4',
    [pushKey, k.websubQuota, k.websubPending, k.websub],
    [
      push.text,
      push.contentType,
      push.bytes,
      now,
      member(pushKey, push.bytes),
      limits.perMinute,
      60_000,
      limits.pendingBytes,
      limits.ttlMs,
    ],
  )) as PushVerdict;
  return { verdict, pushKey };
}

export interface StoredPush {
  body: string;
  contentType: string | undefined;
  bytes: number;
}

/** A stored delivery, or null when it expired (or was read and released already). */
export async function readPush(redis: RedisClient, pushKey: string): Promise<StoredPush | null> {
  const h = await redis.hgetall(pushKey);
  if (h.body === undefined) return null;
  return { body: h.body, contentType: h.contentType || undefined, bytes: Number(h.bytes) || 0 };
}

/** Deletes a delivery once processed and gives its bytes back to the feed's budget. */
export async function releasePush(
  redis: RedisClient,
  keys: Keys,
  feedId: string,
  pushKey: string,
  bytes: number,
): Promise<void> {
  await redis.multi().del(pushKey).zrem(feedKeys(keys, feedId).websubPending, member(pushKey, bytes)).exec();
}
