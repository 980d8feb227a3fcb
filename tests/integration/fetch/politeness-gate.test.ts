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
      inline: false,
    });
    // Another host is not affected.
    await granted(await gate.tryAcquire(url('https://b.example/1'))).release();
    clock += 1_000;
    await granted(await gate.tryAcquire(url('https://a.example/2'))).release();
  });

  it('counts the interval from the end of a request too', async () => {
    clock += 10_000;
    const a = granted(await gate.tryAcquire(url('https://end.example/1')));
    clock += 600; // the request took 600 ms
    await a.release();
    clock += 500; // 1.1 s after its start, but only 0.5 s after its end
    expect(await gate.tryAcquire(url('https://end.example/2'))).toEqual({
      granted: false,
      waitMs: 500,
      why: 'interval',
      inline: false,
    });
    clock += 500;
    await granted(await gate.tryAcquire(url('https://end.example/2'))).release();
  });

  it('staggers deferred waiters one interval apart; an in-process waiter does not queue behind them', async () => {
    clock += 10_000;
    await granted(await gate.tryAcquire(url('https://c.example/'))).release();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await gate.tryAcquire(url('https://c.example/'));
      waits.push(a.granted ? 0 : a.waitMs);
    }
    expect(waits).toEqual([1_000, 2_000, 3_000, 4_000]);
    // A waiter allowed to sit out a wait in-process gets the next free moment and takes no place in line.
    const cont = await gate.tryAcquire(url('https://c.example/next'), {
      inlineLimitMs: 60_000,
      continuation: true,
    });
    expect(cont).toEqual({ granted: false, waitMs: 1_000, why: 'interval', inline: true });
    const after = await gate.tryAcquire(url('https://c.example/'));
    expect(after.granted ? 0 : after.waitMs).toBe(5_000);
  });

  it('lets one new fetch per host wait in-process; the others are deferred to their place in line', async () => {
    clock += 10_000;
    await granted(await gate.tryAcquire(url('https://one.example/'))).release();
    const opts = (token: string) => ({ inlineLimitMs: 2_000, token });
    expect(await gate.tryAcquire(url('https://one.example/a'), opts('a'))).toMatchObject({
      waitMs: 1_000,
      inline: true,
    });
    // Staggered after the in-process waiter's place.
    expect(await gate.tryAcquire(url('https://one.example/b'), opts('b'))).toMatchObject({
      waitMs: 2_000,
      inline: false,
    });
    expect(await gate.tryAcquire(url('https://one.example/c'), opts('c'))).toMatchObject({
      waitMs: 3_000,
      inline: false,
    });
    // The in-process waiter asks again with its token and keeps its right; once granted, the right is free again.
    clock += 400;
    expect(await gate.tryAcquire(url('https://one.example/a'), opts('a'))).toMatchObject({
      waitMs: 600,
      inline: true,
    });
    clock += 600;
    await granted(await gate.tryAcquire(url('https://one.example/a'), opts('a'))).release();
    expect(await gate.tryAcquire(url('https://one.example/b'), opts('b'))).toMatchObject({
      waitMs: 1_000,
      inline: true,
    });
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
      inline: false,
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
      inline: false,
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
