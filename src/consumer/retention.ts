import type { RedisClient } from '../store/redis.js';

/**
 * Time-based retention, part of the stream contract: entries older than `minAgeMs` are trimmed (XTRIM MINID),
 * on top of the XADD MAXLEN ~ cap. Events only point at bodies kept in their own keys, so trimming loses no
 * content — a consumer that fell further behind than the retention reads current state from the API or
 * `newsflow export` instead of the stream.
 */
export async function trimStreamByAge(
  redis: RedisClient,
  stream: string,
  minAgeMs: number,
  now: () => number = Date.now,
): Promise<number> {
  const minId = `${Math.max(0, Math.floor(now() - minAgeMs))}-0`;
  // Exact, not `~`: with `~` Redis only drops whole macro nodes (~100 entries), so a quiet stream would keep old
  // entries forever. Each run removes one interval's worth of entries, so exact trimming stays cheap.
  return await redis.xtrim(stream, 'MINID', minId);
}

/** How often the service applies the age limit: a tenth of it, between 10 s and 1 min. */
export function trimIntervalMs(minAgeMs: number): number {
  return Math.min(60_000, Math.max(10_000, Math.floor(minAgeMs / 10)));
}
