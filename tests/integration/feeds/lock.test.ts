import { afterAll, describe, expect, it } from 'vitest';
import { acquireLease } from '../../../src/feeds/lock.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

describe('feed lock lease (real Redis)', () => {
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
});
