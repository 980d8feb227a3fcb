import type { RedisClient } from '../store/redis.js';

/**
 * The per-feed seen set: a sorted set of item id keys scored by arrival time (the item's published date, or
 * when it was first seen). It answers "which items are new" and "how many items arrived in the last 7 days"
 * (the adaptive interval) in one round trip, and is trimmed to the newest `cap` ids so it stays bounded.
 */
export interface SeenEntry {
  key: string;
  arrival: number;
}

export interface SeenResult {
  /** Keys not seen before this call. */
  fresh: Set<string>;
  itemsLast7Days: number;
}

const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

export async function markSeen(
  redis: RedisClient,
  key: string,
  entries: readonly SeenEntry[],
  now: number,
  cap: number,
): Promise<SeenResult> {
  const unique = [...new Map(entries.map(e => [e.key, e])).values()];
  const scores = unique.length > 0 ? await redis.zmscore(key, ...unique.map(e => e.key)) : [];
  const fresh = unique.filter((_, i) => scores[i] === null);
  const multi = redis.multi();
  if (fresh.length > 0) multi.zadd(key, 'NX', ...fresh.flatMap(e => [String(e.arrival), e.key]));
  // Keep the newest `cap` ids: rank 0 is the oldest arrival.
  multi.zremrangebyrank(key, 0, -(cap + 1));
  multi.zcount(key, String(now - WEEK_MS + 1), String(now + DAY_MS));
  const replies = (await multi.exec()) ?? [];
  const count = replies[replies.length - 1]?.[1];
  return { fresh: new Set(fresh.map(e => e.key)), itemsLast7Days: Number(count ?? 0) };
}

export async function countSeenLastWeek(redis: RedisClient, key: string, now: number): Promise<number> {
  return redis.zcount(key, String(now - WEEK_MS + 1), String(now + DAY_MS));
}
