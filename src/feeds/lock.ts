import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/**
 * A Redis lease (SET NX PX); `release` deletes it only while it is still ours. Null when someone holds it.
 * With `renew`, the holder extends it every third of `ttlMs` until released, so `ttlMs` bounds how long a holder
 * that died (SIGKILL, a lost machine) keeps everyone else out, not how long the work under it may take.
 */
export async function acquireLease(
  redis: Redis,
  key: string,
  ttlMs: number,
  opts: { renew?: boolean } = {},
): Promise<{ release(): Promise<void> } | null> {
  const token = randomUUID();
  const got = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (got !== 'OK') return null;
  let timer: NodeJS.Timeout | undefined;
  if (opts.renew) {
    timer = setInterval(
      () => {
        redis.eval(RENEW, 1, key, token, String(ttlMs)).then(
          kept => {
            if (kept !== 1) clearInterval(timer);
          },
          () => undefined,
        );
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    timer.unref();
  }
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
