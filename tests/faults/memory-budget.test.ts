import { afterEach, describe, expect, it } from 'vitest';
import { failuresKey, keysFor, statsKey } from '../../src/store/keys.js';
import { readMemory } from '../../src/store/memory.js';
import { createRedis, waitReady } from '../../src/store/redis.js';
import { createStoryStore } from '../../src/store/story-store.js';
import { testPrefix } from '../helpers/redis.js';
import { checkInvariant, waitForDrain } from './lib/checker.js';
import { faultService, startCluster } from './lib/cluster.js';
import { sleep, unsettledUrls, waitUntil } from './lib/converge.js';
import { redisServerInstalled, startOwnRedis } from './lib/own-redis.js';
import { growingFeed } from './lib/growing-feed.js';
import { startSyntheticSite, type SyntheticSite } from './lib/synthetic-site.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const COUNT = 800;
/**
 * Bytes above an empty Redis: about a third of what the run needs (measured: an 800-page run ends at 12.7 MB
 * used from 0.97 MB empty, ~2.9 × this budget).
 */
const BUDGET = 4 * 1024 * 1024;

/**
 * Issue 11 item 7: the service on a Redis of its own whose maxmemory the run needs about three times over.
 * Back-pressure must hold memory under maxmemory (sampled every 50 ms), with no failure record caused by OOM
 * and nothing lost: every page stored or still queued. Raising maxmemory (the operator's other remedy besides
 * shorter retention) lets the same processes finish the run.
 * TODO(retention): with `newsflow prune` on main, shorten retention.stories here and show throughput resuming
 * after pruning instead of after raising maxmemory, and extend checkInvariant with expired URLs.
 */
describe.skipIf(!redisServerInstalled())('Redis memory budget: back-pressure instead of OOM failures', () => {
  it('pauses at the high watermark, never exceeds maxmemory, records no OOM failure, and resumes', async () => {
    const own = await startOwnRedis();
    cleanups.push(() => own.stop());
    const redis = createRedis(own.url, 'worker');
    cleanups.push(() => redis.disconnect());
    await waitReady(redis);
    const empty = await readMemory(redis);
    const max = empty.used + BUDGET;
    await redis.config('SET', 'maxmemory', String(max));

    // The feed publishes over time, as a real one does: the poller enqueues as items appear, until it pauses.
    const feed = growingFeed({ count: COUNT, initial: 60, perSecond: 60 });
    const site: SyntheticSite = await startSyntheticSite({
      count: COUNT,
      routes: { '/feed.xml': feed.route(() => site.origin) },
    });
    cleanups.push(() => site.close());
    const prefix = testPrefix('faults-mem');
    const keys = keysFor(prefix);
    const cluster = startCluster(
      faultService({
        redisUrl: own.url,
        prefix,
        ports: [Number(new URL(site.origin).port)],
        service: { memory: { checkInterval: '100ms' } },
      }),
      [{ id: 'synthetic', url: site.feedUrl, interval: '1s' }],
    );
    cleanups.push(() => cluster.killAll());
    const env = { REDIS_URL: own.url };
    const poller = cluster.spawn('poller', env);
    const extractor = cluster.spawn('extractor', env);

    // used_memory sampled all along.
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await readMemory(redis)).used);
        await sleep(50);
      }
    })();
    cleanups.push(async () => {
      sampling = false;
      await sampler;
    });

    // The extractor reaches the high watermark and pauses; stored articles stop growing.
    const paused = (): boolean => extractor.logs.some(l => /high watermark/.test(String(l.msg)));
    expect(await waitUntil(paused, { timeoutMs: 120_000, pollMs: 200 })).toBe(true);
    let last = -1;
    expect(
      await waitUntil(
        async () => {
          const n = await redis.zcard(keys.storiesByTime);
          const still = n === last;
          last = n;
          return still;
        },
        { timeoutMs: 60_000, pollMs: 3_000 },
      ),
    ).toBe(true);
    const storedAtBudget = last;
    expect(storedAtBudget).toBeGreaterThan(10);
    expect(storedAtBudget).toBeLessThan(COUNT);
    const peakAtBudget = peak;
    expect(peakAtBudget).toBeLessThanOrEqual(max);
    // One line per transition per process, not one per job.
    expect(extractor.logs.filter(l => /high watermark/.test(String(l.msg)))).toHaveLength(1);

    // Nothing failed for memory, and nothing is lost: every page is stored or still queued.
    const failures = await redis.xrange(failuresKey(keys), '-', '+');
    expect(failures.filter(([, f]) => /OOM|maxmemory/i.test(f.join(' ')))).toEqual([]);
    const stats = await redis.hgetall(statsKey(keys));
    expect(Object.keys(stats).filter(k => /failed/.test(k))).toEqual([]);
    const store = createStoryStore(redis, keys, { streamMaxLen: 1_000_000 });
    for (const id of await redis.zrange(keys.storiesByTime, 0, -1)) {
      expect((await store.get(id))?.contentText.length, id).toBeGreaterThan(100);
    }

    // The operator raises maxmemory: the same processes resume and finish the run.
    await redis.config('SET', 'maxmemory', '0');
    const after = await readMemory(redis);
    expect(
      await waitUntil(async () => (await unsettledUrls(redis, keys, site.urls)).length === 0, {
        timeoutMs: 120_000,
        pollMs: 500,
      }),
    ).toBe(true);
    expect(extractor.logs.some(l => /intake resumed|no back-pressure/.test(String(l.msg)))).toBe(true);
    expect(await waitForDrain(redis, keys, { timeoutMs: 30_000, settleMs: 1_500 })).toBe(true);
    const report = await checkInvariant(redis, keys, cluster.historyFile);
    expect(report.violations).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.stored).toBe(COUNT);
    sampling = false;
    await sampler;

    poller.child.kill('SIGTERM');
    extractor.child.kill('SIGTERM');
    expect(await Promise.all([poller.exited, extractor.exited])).toEqual([0, 0]);
    console.log(
      `memory-budget: maxmemory ${max} B (empty ${empty.used} B), ${storedAtBudget} of ${COUNT} stored at the ` +
        `budget, peak used_memory ${peakAtBudget} B; after raising maxmemory ${report.stored} stored, ` +
        `${report.failed} failed, used_memory ${after.used} B then ${peak} B at the end`,
    );
  }, 300_000);
});
