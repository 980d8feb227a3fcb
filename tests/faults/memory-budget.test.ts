import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { fieldsToRecord } from '../../src/consumer/events.js';
import { failuresKey, keysFor, statsKey } from '../../src/store/keys.js';
import { readMemory } from '../../src/store/memory.js';
import { createRedis, waitReady } from '../../src/store/redis.js';
import { createStoryStore } from '../../src/store/story-store.js';
import { testPrefix } from '../helpers/redis.js';
import { checkInvariant, waitForDrain } from './lib/checker.js';
import { faultService, startCluster } from './lib/cluster.js';
import { sleep, unsettledUrls, urlHashOf, waitUntil } from './lib/converge.js';
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
 * With retention the run still needs about twice this, but what retention cannot remove has to fit under the low
 * watermark: finished BullMQ jobs (kept 24 h / 10 000, ~1.7 KB each here), feed state, and Redis' own buffers
 * (measured at a 4 MiB budget: 0 stories left after pruning, 1.4 MB of finished jobs, used_memory 80 % — paused
 * for good).
 */
const RETENTION_BUDGET = 6 * 1024 * 1024;

/** used_memory sampled every 50 ms until stopped (or the test's cleanup); `peak()` is the largest seen. */
function sampleUsedMemory(redis: Redis): { peak(): number; stop(): Promise<void> } {
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await readMemory(redis)).used);
      await sleep(50);
    }
  })();
  const stop = async (): Promise<void> => {
    sampling = false;
    await sampler;
  };
  cleanups.push(stop);
  return { peak: () => peak, stop };
}

/**
 * Both scenarios: a Redis of their own with maxmemory `budget` above its empty use, a synthetic site whose
 * feed publishes over time (as a real one does: the poller enqueues as items appear, until it pauses), and a
 * poller and an extractor process on it.
 */
async function startRun(budget: number, prefixName: string, service: Record<string, unknown>) {
  const own = await startOwnRedis();
  cleanups.push(() => own.stop());
  const redis = createRedis(own.url, 'worker');
  cleanups.push(() => redis.disconnect());
  await waitReady(redis);
  const empty = await readMemory(redis);
  const max = empty.used + budget;
  await redis.config('SET', 'maxmemory', String(max));
  const feed = growingFeed({ count: COUNT, initial: 60, perSecond: 60 });
  const site: SyntheticSite = await startSyntheticSite({
    count: COUNT,
    routes: { '/feed.xml': feed.route(() => site.origin) },
  });
  cleanups.push(() => site.close());
  const prefix = testPrefix(prefixName);
  const keys = keysFor(prefix);
  const cluster = startCluster(
    faultService({ redisUrl: own.url, prefix, ports: [Number(new URL(site.origin).port)], service }),
    [{ id: 'synthetic', url: site.feedUrl, interval: '1s' }],
  );
  cleanups.push(() => cluster.killAll());
  const env = { REDIS_URL: own.url };
  const poller = cluster.spawn('poller', env);
  const extractor = cluster.spawn('extractor', env);
  return { own, redis, empty, max, feed, site, prefix, keys, cluster, poller, extractor };
}

/**
 * Issue 11 item 7: the service on a Redis of its own whose maxmemory the run needs about three times over.
 * Back-pressure must hold memory under maxmemory (sampled every 50 ms), with no failure record caused by OOM
 * and nothing lost: every page stored or still queued. Raising maxmemory (the operator's other remedy besides
 * shorter retention) lets the same processes finish the run.
 * The second scenario runs the same pipeline with a 3 s retention: the pruner makes the room.
 */
describe.skipIf(!redisServerInstalled())('Redis memory budget: back-pressure instead of OOM failures', () => {
  it('pauses at the high watermark, never exceeds maxmemory, records no OOM failure, and resumes', async () => {
    const { redis, empty, max, site, keys, cluster, poller, extractor } = await startRun(
      BUDGET,
      'faults-mem',
      { memory: { checkInterval: '100ms' } },
    );

    // used_memory sampled all along.
    const used = sampleUsedMemory(redis);

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
    const peakAtBudget = used.peak();
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
    await used.stop();

    poller.child.kill('SIGTERM');
    extractor.child.kill('SIGTERM');
    expect(await Promise.all([poller.exited, extractor.exited])).toEqual([0, 0]);
    console.log(
      `memory-budget: maxmemory ${max} B (empty ${empty.used} B), ${storedAtBudget} of ${COUNT} stored at the ` +
        `budget, peak used_memory ${peakAtBudget} B; after raising maxmemory ${report.stored} stored, ` +
        `${report.failed} failed, used_memory ${after.used} B then ${used.peak()} B at the end`,
    );
  }, 300_000);
  it('with short retention the pruner makes room: the run goes through the budget, pausing and resuming', async () => {
    const { redis, max, feed, site, keys, poller, extractor } = await startRun(
      RETENTION_BUDGET,
      'faults-mem-prune',
      {
        memory: { checkInterval: '100ms' },
        dedupe: { window: '3s' },
        retention: { stories: '3s', urls: '1h', interval: '500ms', batch: 500 },
      },
    );

    const used = sampleUsedMemory(redis);

    // Every page ends stored or expired (its URL key a tombstone), none failed.
    expect(
      await waitUntil(
        async () => feed.visible() === COUNT && (await unsettledUrls(redis, keys, site.urls)).length === 0,
        { timeoutMs: 150_000, pollMs: 500 },
      ),
    ).toBe(true);
    await used.stop();
    expect(used.peak()).toBeLessThanOrEqual(max);
    const failures = await redis.xrange(failuresKey(keys), '-', '+');
    expect(failures.filter(([, f]) => /OOM|maxmemory/i.test(f.join(' ')))).toEqual([]);
    expect(failures).toEqual([]);
    const expired = (await redis.xrange(keys.stream, '-', '+')).filter(([, f]) => f[1] === 'story.expired');
    expect(expired.length).toBeGreaterThan(0);
    // Each URL whose key is a tombstone was expired with its story, and the story.expired event names it.
    const expiredMembers = new Set(
      expired.flatMap(([, f]) => JSON.parse(fieldsToRecord(f).members ?? '[]') as string[]),
    );
    const hashes = site.urls.map(urlHashOf);
    const values = await redis.mget(...hashes.map(h => keys.urlIndex(h)));
    const tombstoned = hashes.filter((_, i) => values[i] === '~');
    expect(tombstoned.length).toBeGreaterThan(0);
    expect(tombstoned.filter(h => !expiredMembers.has(h))).toEqual([]);
    // Intake paused at the high watermark and resumed once pruning made room — more than once.
    const paused = extractor.logs.filter(l => /high watermark/.test(String(l.msg))).length;
    const resumed = extractor.logs.filter(l => /intake resumed/.test(String(l.msg))).length;
    expect(paused).toBeGreaterThanOrEqual(1);
    expect(resumed).toBeGreaterThanOrEqual(paused - 1);
    poller.child.kill('SIGTERM');
    extractor.child.kill('SIGTERM');
    expect(await Promise.all([poller.exited, extractor.exited])).toEqual([0, 0]);
    console.log(
      `memory-budget with retention 3s: maxmemory ${max} B, peak used_memory ${used.peak()} B, ${expired.length} stories ` +
        `expired, extractor paused ${paused} and resumed ${resumed} times, 0 failures`,
    );
  }, 300_000);
});
