import { afterAll, describe, expect, it } from 'vitest';
import { acquireLease, releaseLease, renewLease, takeLease } from '../../../src/store/lease.js';
import { runScript } from '../../../src/store/scripts.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

describe('leases and small scripts (real Redis)', () => {
  const redis = testRedis();
  const prefix = testPrefix('lease');
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  it('a renewed lease outlives its TTL while held, and is free at once after release', async () => {
    const key = `${prefix}:renewed`;
    const lease = await acquireLease(redis, key, 300, { renew: true });
    expect(lease).not.toBeNull();
    await sleep(1_000);
    expect(await acquireLease(redis, key, 300)).toBeNull();
    await lease!.release();
    const next = await acquireLease(redis, key, 300);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('a lease whose holder stopped renewing (died) frees itself after its TTL', async () => {
    const key = `${prefix}:orphan`;
    // Taken as a dead holder leaves it: set, never renewed, never released.
    expect(await acquireLease(redis, key, 300)).not.toBeNull();
    expect(await acquireLease(redis, key, 300)).toBeNull();
    await sleep(500);
    const next = await acquireLease(redis, key, 300, { renew: true });
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('renew and release act only for the holder: a stalled holder cannot touch the lease someone took since', async () => {
    const key = `${prefix}:tokens`;
    expect(await takeLease(redis, key, 'a', 200)).toBe(true);
    expect(await takeLease(redis, key, 'b', 200)).toBe(false);
    expect(await renewLease(redis, key, 'a', 200)).toBe(true);
    await sleep(400);
    expect(await takeLease(redis, key, 'b', 5_000)).toBe(true);
    expect(await renewLease(redis, key, 'a', 5_000)).toBe(false);
    await releaseLease(redis, key, 'a');
    expect(await redis.get(key)).toBe('b');
    await releaseLease(redis, key, 'b');
    expect(await redis.exists(key)).toBe(0);
  });

  it('cursor-advance moves a cursor forward only', async () => {
    const key = `${prefix}:cursor`;
    await runScript(redis, 'cursor-advance-1', [key], ['100']);
    await runScript(redis, 'cursor-advance-1', [key], ['40']);
    expect(await redis.get(key)).toBe('100');
    await runScript(redis, 'cursor-advance-1', [key], ['250']);
    expect(await redis.get(key)).toBe('250');
  });
});
