import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { feedKeys, legacyWebsubKey, websubRenewalsKey, keysFor, type Keys } from '../../../src/store/keys.js';
import { createWebSubManager } from '../../../src/feeds/websub/manager.js';
import { readPush, releasePush, storePush, type PushLimits } from '../../../src/feeds/websub/pushes.js';
import {
  readSubscription,
  scheduleRenewal,
  writeSubscription,
} from '../../../src/feeds/websub/subscriptions.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

/** Issue 12, row 7: what one feed's hub can make newsflow store is bounded, and its hub URL is a fetch. */
describe('WebSub bounds per feed (real Redis)', () => {
  const redis: Redis = testRedis();
  const prefixes: string[] = [];
  let keys: Keys;
  const limits: PushLimits = { perMinute: 3, pendingBytes: 10_000, ttlMs: 60_000 };
  const t0 = Date.parse('2026-12-01T00:00:00Z');

  beforeEach(async () => {
    const prefix = testPrefix('websub-bounds');
    prefixes.push(prefix);
    keys = keysFor(prefix);
    await writeSubscription(redis, keys, 'wire', { hub: 'https://hub.example/', token: 'a'.repeat(32) });
  });

  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  const push = (bytes: number) => ({ text: 'x'.repeat(bytes), contentType: 'application/rss+xml', bytes });

  it('stores at most perMinute deliveries a minute, then again in the next minute', async () => {
    const verdicts: string[] = [];
    for (let i = 0; i < 5; i++) {
      verdicts.push((await storePush(redis, keys, 'wire', push(10), limits, t0 + i)).verdict);
    }
    expect(verdicts).toEqual(['stored', 'stored', 'stored', 'rate', 'rate']);
    expect((await storePush(redis, keys, 'wire', push(10), limits, t0 + 60_000)).verdict).toBe('stored');
    const sub = await readSubscription(redis, keys, 'wire');
    expect(sub).toMatchObject({ pushes: 4, pushesDeferred: 2 });
  });

  it('keeps at most pendingBytes waiting; a delivery read and released gives its bytes back', async () => {
    const a = await storePush(redis, keys, 'wire', push(6_000), limits, t0);
    expect(a.verdict).toBe('stored');
    expect((await storePush(redis, keys, 'wire', push(6_000), limits, t0 + 1)).verdict).toBe('bytes');
    const read = await readPush(redis, a.pushKey);
    expect(read).toMatchObject({ bytes: 6_000, contentType: 'application/rss+xml' });
    await releasePush(redis, keys, 'wire', a.pushKey, read!.bytes);
    expect(await redis.exists(a.pushKey)).toBe(0);
    expect((await storePush(redis, keys, 'wire', push(6_000), limits, t0 + 2)).verdict).toBe('stored');
  });

  it('a delivery that expired unread stops counting; every key it wrote expires', async () => {
    const a = await storePush(redis, keys, 'wire', push(6_000), { ...limits, ttlMs: 1_000 }, t0);
    expect(a.verdict).toBe('stored');
    const k = feedKeys(keys, 'wire');
    for (const key of [a.pushKey, k.websubQuota, k.websubPending]) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(60_000);
    }
    // Later than its expiry (by the injected clock): the waiting set drops it, the bytes are free again.
    expect((await storePush(redis, keys, 'wire', push(6_000), limits, t0 + 1_001)).verdict).toBe('stored');
  });

  it('writes nothing for a subscription that is gone', async () => {
    await redis.del(feedKeys(keys, 'gone').websub);
    const r = await storePush(redis, keys, 'gone', push(10), limits, t0);
    expect(r.verdict).toBe('gone');
    expect(await redis.keys(`${keys.prefix}:websub:{gone}*`)).toEqual([]);
  });

  it('moves a subscription stored under the old key, and never reads the renewals set as one', async () => {
    await redis.hset(legacyWebsubKey(keys, 'old'), {
      hub: 'https://hub.example/',
      token: 'b'.repeat(32),
      state: 'active',
    });
    expect(await readSubscription(redis, keys, 'old')).toMatchObject({
      state: 'active',
      token: 'b'.repeat(32),
    });
    expect(await redis.exists(legacyWebsubKey(keys, 'old'))).toBe(0);
    expect(await redis.hget(feedKeys(keys, 'old').websub, 'state')).toBe('active');

    await scheduleRenewal(redis, keys, 'wire', t0);
    expect(await readSubscription(redis, keys, 'renewals')).toBeNull();
    expect(await redis.type(websubRenewalsKey(keys))).toBe('zset');
  });

  it('sends subscriptions only to hubs the address policy allows', async () => {
    const config = buildConfig(
      'config',
      {
        redis: { keyPrefix: keys.prefix },
        websub: { callbackUrl: 'https://news.example/websub' },
        fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [80, 443], timeout: '2s' },
      },
      [],
    );
    const manager = createWebSubManager(redis, keys, config.service, createLogger('silent'))!;
    for (const [feed, hub] of [
      ['meta', 'http://169.254.169.254/hub'],
      ['compat', 'http://[::127.0.0.1]/hub'],
      ['private', 'http://10.1.2.3/hub'],
      ['port', 'http://127.0.0.1:6379/hub'],
      ['scheme', 'gopher://127.0.0.1/hub'],
    ] as const) {
      await manager.ensure(feed, hub, 'https://feed.example/rss', t0);
      const sub = await readSubscription(redis, keys, feed);
      expect(sub?.state, hub).toBe('failed');
      expect(sub?.lastError, hub).toMatch(/blocked/);
    }
  });
});
