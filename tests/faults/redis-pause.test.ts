import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { keysFor } from '../../src/store/keys.js';
import { createRedis, waitReady } from '../../src/store/redis.js';
import { testPrefix } from '../helpers/redis.js';
import { checkInvariant, readHistory, waitForDrain } from './lib/checker.js';
import { faultService, startCluster } from './lib/cluster.js';
import { sleep, unsettledUrls, urlHashOf, waitUntil } from './lib/converge.js';
import { growingFeed } from './lib/growing-feed.js';
import { redisServerInstalled, startOwnRedis } from './lib/own-redis.js';
import { startSyntheticSite, type SyntheticSite } from './lib/synthetic-site.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const COUNT = 120;
/** Published before the pause (the feed grows to it over a few seconds); the rest only after SIGCONT. */
const HOLD = 80;
const PAUSE_AFTER_STORED = 30;
const PAUSE_MS = 10_000;

/** When a probe settled, and how. */
interface Settled<T> {
  at: number;
  ok: boolean;
  value?: T;
  error?: string;
}

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    value => ({ at: Date.now(), ok: true, value }),
    (err: unknown) => ({ at: Date.now(), ok: false, error: (err as Error).message }),
  );
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  // The cap only keeps a hung request from outliving the test; a fail-fast answer comes long before it.
  const res = await fetch(url, { signal: AbortSignal.timeout(PAUSE_MS * 3) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.skipIf(!redisServerInstalled())('Redis paused (SIGSTOP) for 10 s', () => {
  it('producers fail fast while workers wait; nothing is lost; work resumes in the same processes', async () => {
    const own = await startOwnRedis();
    cleanups.push(() => own.stop());
    const feed = growingFeed({ count: COUNT, initial: 40, perSecond: 10, hold: HOLD });
    const site: SyntheticSite = await startSyntheticSite({
      count: COUNT,
      pageDelayMs: 40,
      routes: { '/feed.xml': feed.route(() => site.origin) },
    });
    cleanups.push(() => site.close());
    const prefix = testPrefix('faults-pause');
    const keys = keysFor(prefix);
    const port = Number(new URL(site.origin).port);
    const cluster = startCluster(
      faultService({
        redisUrl: own.url,
        prefix,
        ports: [port],
        service: { poller: { tick: '1s' }, api: { host: '127.0.0.1', port: 0 } },
      }),
      [{ id: 'synthetic', url: site.feedUrl, interval: '1s' }],
    );
    cleanups.push(() => cluster.killAll());
    const env = { REDIS_URL: own.url };
    const poller = cluster.spawn('poller', env);
    const extractor = cluster.spawn('extractor', env);
    const api = cluster.spawn('api', env);
    const nodePids = new Set([poller.child.pid, extractor.child.pid]);

    const redis = createRedis(own.url, 'worker');
    const producer = createRedis(own.url, 'producer');
    cleanups.push(() => {
      redis.disconnect();
      producer.disconnect();
    });
    await Promise.all([waitReady(redis), waitReady(producer)]);
    // A producer as the runtime builds one (src/store/redis.ts), on a queue of its own.
    const probeQueue = new Queue('pause-probe', { connection: producer, prefix: keys.bullPrefix });
    cleanups.push(() => probeQueue.close());

    let apiUrl = '';
    expect(
      await waitUntil(
        () => {
          const line = api.logs.find(l => l.msg === 'api listening');
          apiUrl = typeof line?.address === 'string' ? line.address : '';
          return apiUrl !== '';
        },
        { timeoutMs: 30_000 },
      ),
    ).toBe(true);
    expect((await getJson(`${apiUrl}/readyz`)).status).toBe(200);
    expect(
      await waitUntil(
        () =>
          readHistory(cluster.historyFile).filter(h => h.ev === 'outcome' && h.outcome === 'stored').length >=
          PAUSE_AFTER_STORED,
        { timeoutMs: 60_000, pollMs: 50 },
      ),
    ).toBe(true);

    own.pause();
    const pausedAt = Date.now();
    // Producers: the api's readiness and feed list (its producer connection), and an enqueue. Worker role: a
    // PING that must wait the pause out rather than fail.
    const probes = {
      readyz: settle(getJson(`${apiUrl}/readyz`)),
      feeds: settle(getJson(`${apiUrl}/feeds`)),
      enqueue: settle(probeQueue.add('probe', { at: pausedAt })),
      workerPing: settle(redis.ping()),
    };
    await sleep(Math.max(0, pausedAt + PAUSE_MS - Date.now()));
    const resumedAt = Date.now();
    own.resume();
    feed.release();

    // Each producer probe answered while Redis was still stopped, with an error, not a hang.
    const [readyz, feeds, enqueue] = await Promise.all([probes.readyz, probes.feeds, probes.enqueue]);
    expect(readyz.at, 'readyz answered during the pause').toBeLessThan(resumedAt);
    expect(feeds.at, '/feeds answered during the pause').toBeLessThan(resumedAt);
    expect(enqueue.at, 'the enqueue settled during the pause').toBeLessThan(resumedAt);
    expect(readyz).toMatchObject({ ok: true, value: { status: 503, body: { redis: false } } });
    expect(feeds).toMatchObject({ ok: true, value: { status: 503 } });
    expect(enqueue).toMatchObject({ ok: false });
    expect(enqueue.error).toMatch(/timed out/i);
    // The worker-role command waited the pause out and then succeeded.
    const workerPing = await probes.workerPing;
    expect(workerPing).toMatchObject({ ok: true, value: 'PONG' });
    expect(workerPing.at).toBeGreaterThanOrEqual(resumedAt);

    // After SIGCONT: the producer works again, the same processes finish the feed, everything is accounted for.
    expect((await getJson(`${apiUrl}/readyz`)).status).toBe(200);
    expect(
      await waitUntil(
        async () => feed.visible() === COUNT && (await unsettledUrls(redis, keys, site.urls)).length === 0,
        { timeoutMs: 90_000, pollMs: 500 },
      ),
    ).toBe(true);
    expect(await waitForDrain(redis, keys, { timeoutMs: 30_000, settleMs: 2_000 })).toBe(true);
    const report = await checkInvariant(redis, keys, cluster.historyFile);
    expect(report.violations).toEqual([]);

    expect(poller.alive() && extractor.alive() && api.alive()).toBe(true);
    const history = readHistory(cluster.historyFile);
    expect([...new Set(history.map(h => h.pid))].filter(pid => !nodePids.has(pid))).toEqual([]);
    const after = history.filter(h => h.t > resumedAt);
    expect(after.some(h => h.ev === 'outcome' && h.pid === extractor.child.pid)).toBe(true);
    // What the feed published after SIGCONT was enqueued by the same poller.
    const heldBack = new Set(site.urls.slice(HOLD).map(urlHashOf));
    const polledAfter = new Set(
      after
        .filter(h => h.ev === 'enqueue' && h.by === 'poll' && h.pid === poller.child.pid)
        .map(h => h.urlHash),
    );
    expect([...heldBack].filter(h => !polledAfter.has(h))).toEqual([]);
    for (const p of [poller, extractor, api]) p.child.kill('SIGTERM');
    expect(await Promise.all([poller.exited, extractor.exited, api.exited])).toEqual([0, 0, 0]);

    console.log(
      `redis-pause: paused ${resumedAt - pausedAt} ms; producer probes answered after ` +
        `${[readyz, feeds, enqueue].map(p => p.at - pausedAt).join('/')} ms ` +
        `(readyz/feeds/enqueue: ${enqueue.error}); worker PING after ${workerPing.at - pausedAt} ms; ` +
        `${report.stored} stored, ${report.failed} recorded ${JSON.stringify(report.failedByClass)}, ` +
        `${history.filter(h => h.ev === 'start').length} job starts for ${report.enqueued} URLs`,
    );
  });
});
