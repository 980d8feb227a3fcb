import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/**
 * Redis leases (SET NX PX with a holder token): the one implementation behind the per-feed poll lock and the
 * scheduler's reconciler lease. Renew and release act only while the lease is still the caller's, so a holder
 * that stalled past its TTL cannot extend or delete a lease someone else took since.
 */
export async function takeLease(
  redis: RedisClient,
  key: string,
  token: string,
  ttlMs: number,
): Promise<boolean> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

/** True while the lease is still `token`'s (and now extended by `ttlMs`). */
export async function renewLease(
  redis: RedisClient,
  key: string,
  token: string,
  ttlMs: number,
): Promise<boolean> {
  return (await runScript(redis, 'lease-renew-1', [key], [token, ttlMs])) === 1;
}

export async function releaseLease(redis: RedisClient, key: string, token: string): Promise<void> {
  await runScript(redis, 'lease-release-1', [key], [token]);
}

/**
 * Takes a lease for one piece of work; null when someone holds it. With `renew`, the holder extends it every
 * third of `ttlMs` until released, so `ttlMs` bounds how long a holder that died (SIGKILL, a lost machine) keeps
 * everyone else out, not how long the work under it may take.
 */
export async function acquireLease(
  redis: RedisClient,
  key: string,
  ttlMs: number,
  opts: { renew?: boolean } = {},
): Promise<{ release(): Promise<void> } | null> {
  const token = randomUUID();
  if (!(await takeLease(redis, key, token, ttlMs))) return null;
  let timer: NodeJS.Timeout | undefined;
  if (opts.renew) {
    timer = setInterval(
      () => {
        renewLease(redis, key, token, ttlMs).then(
          kept => {
            if (!kept) clearInterval(timer);
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
      await releaseLease(redis, key, token);
    },
  };
}
