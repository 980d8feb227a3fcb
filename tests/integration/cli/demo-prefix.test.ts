import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysFor } from '../../../src/store/keys.js';
import { runCli } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

/** Issue 13 item 8: `newsflow demo` honours NEWSFLOW_KEY_PREFIX, and never resets a prefix holding other data. */
describe('newsflow demo and NEWSFLOW_KEY_PREFIX', { timeout: 180_000 }, () => {
  let redis: Redis;
  const mine = testPrefix('demo');
  const foreign = testPrefix('demo-foreign');

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    for (const p of [mine, foreign]) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  it('stores the demo under NEWSFLOW_KEY_PREFIX and may run again there', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['demo'], { REDIS_URL: testRedisUrl(), NEWSFLOW_KEY_PREFIX: mine }, 120_000);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`stream ${keysFor(mine).stream}: 3 events`);
      expect(await redis.xlen(keysFor(mine).stream)).toBe(3);
    }
  });

  it('refuses (exit 2) a prefix holding keys it did not write, and leaves them', async () => {
    const key = keysFor(foreign).feedState('wire');
    await redis.hset(key, 'lastPolledAt', '2026-01-01T00:00:00.000Z');
    const r = await runCli(['demo'], { REDIS_URL: testRedisUrl(), NEWSFLOW_KEY_PREFIX: foreign }, 120_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`prefix "${foreign}" holds keys the demo did not write`));
    expect(await redis.hget(key, 'lastPolledAt')).toBe('2026-01-01T00:00:00.000Z');
    expect(await redis.exists(keysFor(foreign).stream)).toBe(0);
  });
});
