import { afterEach, describe, expect, it } from 'vitest';
import { keysFor } from '../../src/store/keys.js';
import { createRedis, waitReady } from '../../src/store/redis.js';
import { testPrefix } from '../helpers/redis.js';
import { checkInvariant, readHistory, waitForDrain, storedLines } from './lib/checker.js';
import { faultService, startCluster } from './lib/cluster.js';
import { sleep, unsettledUrls, urlHashOf, waitUntil } from './lib/converge.js';
import { growingFeed } from './lib/growing-feed.js';
import { redisServerInstalled, startOwnRedis } from './lib/own-redis.js';
import { startSyntheticSite, type SyntheticSite } from './lib/synthetic-site.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const COUNT = 160;
/** Published before the fault (the feed grows to it over a few seconds); the rest only after the restart. */
const HOLD = 100;
/** Stored articles before the kill: enough to check survivors, few enough that the kill lands mid-run. */
const KILL_AFTER_STORED = 30;
const DOWN_MS = 1_500;

describe.skipIf(!redisServerInstalled())('Redis kill -9 mid-run, restarted from its AOF', () => {
  it('keeps every acknowledged article; the same workers resume; the next polls make the store converge', async () => {
    const own = await startOwnRedis();
    cleanups.push(() => own.stop());
    // The feed grows for ~6 s, so polls (every ~1 s) parse new items up to the outage; pages are a little slow.
    const feed = growingFeed({ count: COUNT, initial: 40, perSecond: 10, hold: HOLD });
    const site: SyntheticSite = await startSyntheticSite({
      count: COUNT,
      pageDelayMs: 40,
      routes: { '/feed.xml': feed.route(() => site.origin) },
    });
    cleanups.push(() => site.close());
    const prefix = testPrefix('faults-kill');
    const keys = keysFor(prefix);
    const port = Number(new URL(site.origin).port);
    const cluster = startCluster(
      faultService({ redisUrl: own.url, prefix, ports: [port], service: { poller: { tick: '1s' } } }),
      [{ id: 'synthetic', url: site.feedUrl, interval: '1s' }],
    );
    cleanups.push(() => cluster.killAll());
    // REDIS_URL would win over the config: pin the processes to this Redis whatever the environment says.
    const env = { REDIS_URL: own.url };
    const poller = cluster.spawn('poller', env);
    const extractor = cluster.spawn('extractor', env);
    const nodePids = new Set([poller.child.pid, extractor.child.pid]);

    expect(
      await waitUntil(() => storedLines(readHistory(cluster.historyFile)).length >= KILL_AFTER_STORED, {
        timeoutMs: 60_000,
        pollMs: 50,
      }),
    ).toBe(true);
    const killAt = Date.now();
    await own.kill9();
    // Acknowledged: the store's script had answered before the kill (the line is written after its reply).
    const beforeKill = readHistory(cluster.historyFile).filter(h => h.t < killAt);
    const acknowledged = storedLines(beforeKill);
    const enqueuedBeforeKill = new Set(beforeKill.filter(h => h.ev === 'enqueue').map(h => h.urlHash));
    const finishedBeforeKill = new Set(beforeKill.filter(h => h.ev === 'outcome').map(h => h.jobId));
    const inFlight = new Set(
      beforeKill.filter(h => h.ev === 'start' && !finishedBeforeKill.has(h.jobId)).map(h => h.jobId),
    );
    await sleep(DOWN_MS);
    await own.restart();
    const restartedAt = Date.now();
    feed.release();

    const redis = createRedis(own.url, 'worker');
    cleanups.push(() => redis.disconnect());
    await waitReady(redis);

    // Every acknowledged article survived as written before the kill: same article id under its URL key,
    // and its admission event's stream id (Redis' clock at XADD) is from before the kill — not re-stored since.
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_STORED);
    // Mid-run: work was waiting or running when Redis died.
    expect(acknowledged.length).toBeLessThan(enqueuedBeforeKill.size);
    const ids = await redis.mget(...acknowledged.map(h => keys.urlIndex(h.urlHash)));
    const survivors = acknowledged.filter((h, i) => ids[i] === h.articleId);
    expect(survivors.map(h => h.urlHash)).toEqual(acknowledged.map(h => h.urlHash));
    const admittedAt = new Map<string, number>();
    for (const [id, fields] of await redis.xrange(keys.stream, '-', '+')) {
      const type = fields[fields.indexOf('type') + 1];
      const articleId = fields[fields.indexOf('articleId') + 1];
      if (
        (type === 'story.created' || type === 'story.member_added') &&
        articleId &&
        !admittedAt.has(articleId)
      ) {
        admittedAt.set(articleId, Number(id.split('-')[0]));
      }
    }
    const admittedBeforeKill = acknowledged.filter(
      h => (admittedAt.get(h.articleId ?? '') ?? Infinity) < killAt,
    );
    expect(admittedBeforeKill.length).toBe(acknowledged.length);

    // Without restarting a node process: the feed finishes publishing, polls enqueue what is missing, the
    // extractor drains the queue, and every page ends stored or recorded.
    expect(
      await waitUntil(
        async () => feed.visible() === COUNT && (await unsettledUrls(redis, keys, site.urls)).length === 0,
        { timeoutMs: 90_000, pollMs: 500 },
      ),
    ).toBe(true);
    expect(await waitForDrain(redis, keys, { timeoutMs: 30_000, settleMs: 2_000 })).toBe(true);
    const report = await checkInvariant(redis, keys, cluster.historyFile);
    expect(report.violations).toEqual([]);

    // The same two processes did all the work, before and after the outage.
    expect(poller.alive() && extractor.alive()).toBe(true);
    const history = readHistory(cluster.historyFile);
    expect([...new Set(history.map(h => h.pid))].filter(pid => !nodePids.has(pid))).toEqual([]);
    const after = history.filter(h => h.t > restartedAt);
    expect(after.some(h => h.ev === 'outcome' && h.pid === extractor.child.pid)).toBe(true);
    // What the feed published after the restart was enqueued by the same poller.
    const heldBack = new Set(site.urls.slice(HOLD).map(urlHashOf));
    const polledAfter = new Set(
      after
        .filter(h => h.ev === 'enqueue' && h.by === 'poll' && h.pid === poller.child.pid)
        .map(h => h.urlHash),
    );
    expect([...heldBack].filter(h => !polledAfter.has(h))).toEqual([]);
    // …and they still shut down cleanly.
    poller.child.kill('SIGTERM');
    extractor.child.kill('SIGTERM');
    expect(await Promise.all([poller.exited, extractor.exited])).toEqual([0, 0]);

    console.log(
      `redis-kill: ${acknowledged.length} acknowledged and ${inFlight.size} running of ` +
        `${enqueuedBeforeKill.size} enqueued at the kill; after it ${report.stored} stored, ` +
        `${report.failed} recorded ${JSON.stringify(report.failedByClass)}, ` +
        `${history.filter(h => h.ev === 'start').length} job starts for ${report.enqueued} URLs`,
    );
  });
});
