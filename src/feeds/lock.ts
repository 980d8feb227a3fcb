import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** A Redis lease (SET NX PX); `release` deletes it only while it is still ours. Null when someone holds it. */
export async function acquireLease(
  redis: Redis,
  key: string,
  ttlMs: number,
): Promise<{ release(): Promise<void> } | null> {
  const token = randomUUID();
  const got = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (got !== 'OK') return null;
  return {
    async release() {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
