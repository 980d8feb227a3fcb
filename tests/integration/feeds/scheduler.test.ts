import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import type { FeedConfig } from '../../../src/config/schema.js';
import { startLiveFeeds } from '../../../src/feeds/live-feeds.js';
import { reconcilerLeaseKey, keysFor, QUEUE } from '../../../src/store/keys.js';
import { SCHEDULER_PREFIX, startFeedScheduler, type FeedScheduler } from '../../../src/feeds/scheduler.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { startService, type Service } from '../../../src/pipeline/service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { rssFeed, startFeedServer, type FeedServer } from './feed-server.js';

/** Polls `check` until it holds (or fails after `timeoutMs`): the loaded 2-core CI machine needs slack. */
async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Writes feeds.yaml the way editors do: a new file renamed over the old one. */
function writeFeeds(dir: string, feeds: Partial<FeedConfig>[]): void {
  const tmp = join(dir, `.feeds.${Date.now()}.tmp`);
  writeFileSync(tmp, stringify({ feeds }));
  renameSync(tmp, join(dir, 'feeds.yaml'));
}

describe('feed schedulers with real BullMQ: feeds.yaml edits apply while running, one reconciler', () => {
  let server: FeedServer;
  let redis: Redis;
  const dirs: string[] = [];
  const prefixes: string[] = [];

  const configDir = (prefix: string, feeds: Partial<FeedConfig>[]): string => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-sched-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'newsflow.yaml'),
      stringify({
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        poller: { tick: '500ms', concurrency: 4 },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [server.port],
          politeness: { interval: 0, maxInFlight: 20 },
        },
      }),
    );
    writeFeeds(dir, feeds);
    return dir;
  };
  const hits = (path: string): number => server.requests.filter(r => r.path === path).length;
  const feedEntry = (id: string, interval = '1s'): Partial<FeedConfig> => ({
    id,
    url: server.url(`/${id}.xml`),
    interval: interval as unknown as number,
  });

  beforeAll(async () => {
    server = await startFeedServer();
    redis = testRedis();
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      // A new body each time: every poll parses, nothing is "unchanged".
      let n = 0;
      server.route(`/${id}.xml`, () => ({
        body: rssFeed([{ guid: `${id}-${n}`, title: `${id} ${n++}` }], Date.now()),
      }));
    }
  });

  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
    await server?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a feed added to feeds.yaml starts being polled, a removed one stops, without a restart', async () => {
    const prefix = testPrefix('sched');
    prefixes.push(prefix);
    const dir = configDir(prefix, [feedEntry('a')]);
    const rt: Runtime = await createRuntime(
      loadConfig(dir, { env: {} }),
      testRedisUrl(),
      createLogger('silent'),
    );
    let service: Service | undefined;
    try {
      service = await startService(rt, ['poller']);
      await until(() => hits('/a.xml') >= 2, 'feed a polled twice');

      writeFeeds(dir, [feedEntry('a'), feedEntry('b')]);
      await until(() => hits('/b.xml') >= 2, 'feed b (added while running) polled');
      expect(rt.feedById('b')?.url).toBe(server.url('/b.xml'));

      writeFeeds(dir, [feedEntry('b')]);
      await until(
        async () => !(await rt.pollQueue.getJobSchedulers(0, -1)).some(s => s.key === `${SCHEDULER_PREFIX}a`),
        'scheduler of a removed',
      );
      // Jobs already queued or running when it was removed may still finish; after that, silence.
      await sleep(1_500);
      const settled = hits('/a.xml');
      const bBefore = hits('/b.xml');
      await sleep(3_000);
      expect(hits('/a.xml')).toBe(settled);
      expect(hits('/b.xml')).toBeGreaterThan(bBefore);

      // An invalid edit keeps the last good list (and its schedulers).
      writeFileSync(join(dir, 'feeds.yaml'), 'feeds:\n  - id: Not Valid\n    url: nope\n');
      await sleep(2_000);
      const keys = (await rt.pollQueue.getJobSchedulers(0, -1)).map(s => s.key);
      expect(keys).toEqual([`${SCHEDULER_PREFIX}b`]);
    } finally {
      await service?.shutdown(5_000);
      await rt.close();
    }
  });

  it('two pollers at once: one scheduler per feed, at most one pending job per scheduler, one lease holder', async () => {
    const prefix = testPrefix('sched2');
    prefixes.push(prefix);
    const ids = ['c', 'd', 'e', 'f'];
    const dir = configDir(
      prefix,
      ids.map(id => feedEntry(id)),
    );
    const config = loadConfig(dir, { env: {} });
    const rts = await Promise.all(
      [0, 1].map(() => createRuntime(config, testRedisUrl(), createLogger('silent'))),
    );
    const services: Service[] = [];
    const before = Object.fromEntries(ids.map(id => [id, hits(`/${id}.xml`)]));
    try {
      // Both start together: both race for the lease at boot.
      services.push(...(await Promise.all(rts.map(rt => startService(rt, ['poller'])))));
      const queue = new Queue(QUEUE.poll, { connection: redis, prefix: keysFor(prefix).bullPrefix });
      try {
        await until(async () => (await queue.getJobSchedulers(0, -1)).length === ids.length, 'schedulers');
        for (let round = 0; round < 10; round++) {
          const schedulers = await queue.getJobSchedulers(0, -1);
          expect(schedulers.map(s => s.key).sort()).toEqual(ids.map(id => `${SCHEDULER_PREFIX}${id}`));
          const delayed = await queue.getDelayed();
          const perScheduler = new Map<string, number>();
          for (const j of delayed) {
            const key = j.repeatJobKey ?? 'none';
            perScheduler.set(key, (perScheduler.get(key) ?? 0) + 1);
          }
          for (const [key, count] of perScheduler) expect(count, key).toBeLessThanOrEqual(1);
          await sleep(400);
        }
        expect(await redis.exists(reconcilerLeaseKey(keysFor(prefix)))).toBe(1);
        // Each feed (interval 1 s) was polled, and not twice as often as one poller would.
        for (const id of ids) {
          const polled = hits(`/${id}.xml`) - before[id]!;
          expect(polled, id).toBeGreaterThanOrEqual(1);
          expect(polled, id).toBeLessThanOrEqual(8);
        }
      } finally {
        await queue.close();
      }
    } finally {
      await Promise.all(services.map(s => s.shutdown(5_000)));
      await Promise.all(rts.map(rt => rt.close()));
    }
  });

  it('the lease moves to another replica when its holder stops; the new holder applies edits', async () => {
    const prefix = testPrefix('sched3');
    prefixes.push(prefix);
    const dir = configDir(prefix, [feedEntry('g', '1h')]);
    const keys = keysFor(prefix);
    const queue = new Queue(QUEUE.poll, { connection: redis, prefix: keys.bullPrefix });
    const start = (): FeedScheduler =>
      startFeedScheduler({
        redis,
        keys,
        queue,
        now: Date.now,
        tickMs: 60_000,
        log: createLogger('silent'),
        feeds: startLiveFeeds({
          configDir: dir,
          watch: true,
          initial: loadConfig(dir, { env: {} }).feeds,
          log: createLogger('silent'),
          maxRemoveShare: 0.5,
        }),
        loopMs: 200,
        leaseMs: 1_500,
      });
    const one = start();
    const two = start();
    try {
      await until(() => one.isLeader() || two.isLeader(), 'a leader');
      await sleep(600);
      expect([one.isLeader(), two.isLeader()].filter(Boolean)).toHaveLength(1);
      const [leader, follower] = one.isLeader() ? [one, two] : [two, one];
      await until(async () => (await queue.getJobSchedulers(0, -1)).length === 1, 'scheduler of g');
      await leader.stop();
      await until(() => follower.isLeader(), 'the follower takes the lease', 10_000);
      writeFeeds(dir, [feedEntry('g', '1h'), feedEntry('a', '1h')]);
      await until(
        async () =>
          (await queue.getJobSchedulers(0, -1))
            .map(s => s.key)
            .sort()
            .join() === 'feed-a,feed-g',
        'the new leader reconciles the edit',
      );
    } finally {
      await one.stop();
      await two.stop();
      await queue.close();
    }
  });
  it('feeds.yaml written in place (truncate, then write) never applies a partial read; mass removals wait for a confirming read', async () => {
    const prefix = testPrefix('sched4');
    prefixes.push(prefix);
    const three = ['a', 'b', 'c'].map(id => feedEntry(id, '1h'));
    const dir = configDir(prefix, three);
    const file = join(dir, 'feeds.yaml');
    const good3 = join(dir, 'good3.yaml.txt');
    const good4 = join(dir, 'good4.yaml.txt');
    writeFileSync(good3, stringify({ feeds: three }));
    writeFileSync(good4, stringify({ feeds: [...three, feedEntry('d', '1h')] }));
    const logs: { msg: string; removed?: number; feeds?: number }[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) },
    );
    const rt: Runtime = await createRuntime(loadConfig(dir, { env: {} }), testRedisUrl(), log);
    let service: Service | undefined;
    let sampling = true;
    let fewest = Infinity;
    const schedulerCount = async (): Promise<number> => (await rt.pollQueue.getJobSchedulers(0, -1)).length;
    try {
      service = await startService(rt, ['poller']);
      await until(async () => (await schedulerCount()) === 3, 'three schedulers');
      const sampler = (async () => {
        while (sampling) {
          fewest = Math.min(fewest, await schedulerCount(), rt.feeds().length);
          await sleep(10);
        }
      })();

      // The command: an invalid file, written in place. The last good list stays, and the log says so once.
      execFileSync('/bin/sh', ['-c', `printf 'feeds:\\n  - id: x\\n    url: [unclosed\\n' > '${file}'`]);
      await sleep(2_500);
      expect(rt.feeds().map(f => f.id)).toEqual(['a', 'b', 'c']);
      expect(logs.filter(l => /is invalid/.test(l.msg))).toHaveLength(1);

      // Valid files written in place, by cat and by a slow writer (truncate, then the text in pieces).
      for (let round = 0; round < 3; round++) {
        execFileSync('/bin/sh', ['-c', `cat '${round % 2 ? good3 : good4}' > '${file}'`]);
        await sleep(1_200);
        const text = stringify({ feeds: round % 2 ? [...three, feedEntry('d', '1h')] : three });
        const fd = openSync(file, 'w');
        await sleep(40);
        for (let at = 0; at < text.length; at += 40) {
          writeSync(fd, text.slice(at, at + 40));
          await sleep(15);
        }
        closeSync(fd);
        await sleep(1_200);
      }
      await until(() => rt.feeds().length === 3, 'the last write applied');
      expect(fewest, 'schedulers or feeds seen while files were written').toBeGreaterThanOrEqual(3);
      expect(logs.filter(l => l.msg === 'feed schedulers reconciled' && (l.removed ?? 0) > 0)).toEqual([
        expect.objectContaining({ removed: 1 }),
        expect.objectContaining({ removed: 1 }),
      ]);

      // Stopping 2 of 3 feeds (more than poller.maxRemoveShare) waits for a read a few seconds later…
      sampling = false;
      await sampler;
      writeFeeds(dir, [feedEntry('a', '1h')]);
      await sleep(2_000);
      expect(await schedulerCount()).toBe(3);
      expect(logs.filter(l => /would stop 2 of 3 feeds/.test(l.msg))).toHaveLength(1);
      await until(async () => (await schedulerCount()) === 1, 'the confirmed removal applied', 15_000);
      // …and one taken back within those seconds is never applied.
      writeFeeds(dir, three);
      await until(async () => (await schedulerCount()) === 3, 'three schedulers again');
      writeFileSync(file, 'feeds: []\n');
      await sleep(1_500);
      writeFeeds(dir, three);
      await sleep(6_000);
      expect(await schedulerCount()).toBe(3);
      expect(logs.filter(l => /reloaded/.test(l.msg) && l.feeds === 0)).toEqual([]);
    } finally {
      sampling = false;
      await service?.shutdown(5_000);
      await rt.close();
    }
  });
});
