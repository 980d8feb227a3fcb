import { afterEach, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../helpers/redis.js';
import { checkInvariant, waitForDrain } from './lib/checker.js';
import { faultPrefix, faultService, startCluster } from './lib/cluster.js';
import { startSyntheticSite } from './lib/synthetic-site.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fault suite baseline', () => {
  it('with no fault, every enqueued URL ends stored with one event; the checker sees it', async () => {
    const site = await startSyntheticSite({ count: 60 });
    cleanups.push(() => site.close());
    const { prefix, redis, keys } = faultPrefix('faults-base', cleanups);
    const port = Number(new URL(site.origin).port);
    const cluster = startCluster(faultService({ redisUrl: testRedisUrl(), prefix, ports: [port] }), [
      { id: 'synthetic', url: site.feedUrl },
    ]);
    cleanups.push(() => cluster.killAll());
    cluster.spawn('poller');
    cluster.spawn('extractor');
    // The poll enqueues all 60 at once; wait for them, then for the queue to drain.
    for (let i = 0; i < 200 && (await redis.hlen(`${prefix}:{ops}:stats`)) === 0; i++) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(await waitForDrain(redis, keys, { timeoutMs: 90_000, settleMs: 2_000 })).toBe(true);
    const report = await checkInvariant(redis, keys, cluster.historyFile);
    expect(report.violations).toEqual([]);
    expect(report.enqueued).toBe(60);
    expect(report.stored).toBe(60);
  });
});
