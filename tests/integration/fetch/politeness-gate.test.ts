import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolitenessGate, type GateAnswer, type PolitenessGate } from '../../../src/fetch/politeness.js';
import { keysFor } from '../../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

/** The Redis gate on its own, with an injected clock so every wait is exact. */
describe('politeness gate (Redis)', () => {
  let redis: Redis;
  const prefix = testPrefix('gate');
  const keys = keysFor(prefix);
  let clock = 1_000_000;
  let gate: PolitenessGate;

  const url = (s: string): URL => new URL(s);
  const granted = (a: GateAnswer): Extract<GateAnswer, { granted: true }> => {
    if (!a.granted) throw new Error(`expected a grant, got wait ${a.waitMs} (${a.why})`);
    return a;
  };

  beforeAll(() => {
    redis = testRedis();
    gate = createPolitenessGate({
      redis,
      keys,
      intervalMs: 1_000,
      maxInFlight: 1,
      leaseMs: 30_000,
      hosts: {
        'fast.example': { intervalMs: 0, maxInFlight: 2 },
        'slow.example:8080': { intervalMs: 5_000 },
      },
      now: () => clock,
    });
  });

  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  it('spaces request starts by the interval, per host', async () => {
    const a = granted(await gate.tryAcquire(url('https://a.example/1')));
    await a.release();
    expect(await gate.tryAcquire(url('https://a.example/2'))).toEqual({
      granted: false,
      waitMs: 1_000,
      why: 'interval',
    });
    // Another host is not affected.
    await granted(await gate.tryAcquire(url('https://b.example/1'))).release();
    clock += 1_000;
    await granted(await gate.tryAcquire(url('https://a.example/2'))).release();
  });

  it('staggers waiters one interval apart, and a continuation does not queue behind them', async () => {
    clock += 10_000;
    await granted(await gate.tryAcquire(url('https://c.example/'))).release();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await gate.tryAcquire(url('https://c.example/'));
      waits.push(a.granted ? 0 : a.waitMs);
    }
    expect(waits).toEqual([1_000, 2_000, 3_000, 4_000]);
    const cont = await gate.tryAcquire(url('https://c.example/next'), true);
    expect(cont.granted ? 0 : cont.waitMs).toBe(1_000);
    const after = await gate.tryAcquire(url('https://c.example/'));
    expect(after.granted ? 0 : after.waitMs).toBe(5_000);
  });

  it('limits requests in flight, and frees the slot on release', async () => {
    clock += 10_000;
    const one = granted(await gate.tryAcquire(url('https://fast.example/1')));
    const two = granted(await gate.tryAcquire(url('https://fast.example/2')));
    const three = await gate.tryAcquire(url('https://fast.example/3'));
    expect(three).toMatchObject({ granted: false, why: 'in-flight' });
    await one.release();
    await granted(await gate.tryAcquire(url('https://fast.example/3'))).release();
    await two.release();
  });

  it('expires the lease of a holder that died', async () => {
    clock += 10_000;
    granted(await gate.tryAcquire(url('https://dead.example/')));
    clock += 5_000;
    expect(await gate.tryAcquire(url('https://dead.example/'))).toMatchObject({
      granted: false,
      why: 'in-flight',
    });
    clock += 30_000;
    await granted(await gate.tryAcquire(url('https://dead.example/'))).release();
  });

  it('applies a per-host override by host:port', async () => {
    clock += 10_000;
    await granted(await gate.tryAcquire(url('http://slow.example:8080/'))).release();
    const next = await gate.tryAcquire(url('http://slow.example:8080/'));
    expect(next.granted ? 0 : next.waitMs).toBe(5_000);
    expect(gate.limitsFor(url('http://slow.example/'))).toEqual({ intervalMs: 1_000, maxInFlight: 1 });
  });

  it('raises the interval to the robots.txt Crawl-delay', async () => {
    clock += 10_000;
    await gate.setCrawlDelay('crawl.example', 3_000, 60_000);
    await granted(await gate.tryAcquire(url('https://crawl.example/'))).release();
    const next = await gate.tryAcquire(url('https://crawl.example/'));
    expect(next.granted ? 0 : next.waitMs).toBe(3_000);
  });

  it('blocks a hostname:port for its Retry-After, for everyone', async () => {
    clock += 10_000;
    const a = granted(await gate.tryAcquire(url('https://busy.example/a')));
    await a.release(120_000);
    clock += 1_000;
    expect(await gate.tryAcquire(url('https://busy.example/b'))).toEqual({
      granted: false,
      waitMs: 119_000,
      why: 'retry-after',
    });
    // Same hostname, other port: not the server that asked.
    await granted(await gate.tryAcquire(url('http://busy.example/'))).release();
    // A shorter Retry-After does not shorten the block.
    clock += 1_000;
    const other = createPolitenessGate({
      redis,
      keys,
      intervalMs: 0,
      maxInFlight: 5,
      leaseMs: 1_000,
      now: () => clock,
    });
    expect(await other.tryAcquire(url('https://busy.example/c'))).toMatchObject({
      granted: false,
      why: 'retry-after',
    });
    clock += 118_000;
    await granted(await other.tryAcquire(url('https://busy.example/c'))).release();
  });

  it('uses Redis TIME when no clock is injected', async () => {
    const real = createPolitenessGate({ redis, keys, intervalMs: 60_000, maxInFlight: 1, leaseMs: 1_000 });
    await granted(await real.tryAcquire(url('https://time.example/'))).release();
    const next = await real.tryAcquire(url('https://time.example/'));
    expect(next.granted ? 0 : next.waitMs).toBeGreaterThan(50_000);
  });
});
