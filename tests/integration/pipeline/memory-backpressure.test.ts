import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failuresKey, keysFor, statsKey } from '../../../src/store/keys.js';
import { readMemory, startMemoryGauge } from '../../../src/store/memory.js';

import { createRedis, waitReady } from '../../../src/store/redis.js';
import { startRedisServer, type ManagedRedis } from '../../../src/store/redis-server.js';
import { createStoryStore } from '../../../src/store/story-store.js';
import { deferOnMustWait, type Runtime } from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';
import { startSyntheticSite, type SyntheticSite } from '../../faults/lib/synthetic-site.js';

/**
 * Issue 11 item 4 against real Redis servers of the test's own (never the shared one: its maxmemory is not ours
 * to change): an OOM reply delays a job without spending an attempt, and `run --once` that reaches the high
 * watermark ends with exit 3 and the budget message, no article recorded as failed for it.
 */
describe('memory back-pressure', () => {
  let own: ManagedRedis;
  let ownDir: string;
  let admin: Redis;

  beforeAll(async () => {
    ownDir = mkdtempSync(join(tmpdir(), 'nf-mem-redis-'));
    own = await startRedisServer({ dataDir: ownDir, appendOnly: false });
    admin = createRedis(own.url, 'worker');
    await waitReady(admin);
  });
  afterAll(async () => {
    admin?.disconnect();
    await own?.stop();
    rmSync(ownDir, { recursive: true, force: true });
  });

  it('an OOM reply inside a job moves it to delayed: no attempt spent, no failure, done on the next run', async () => {
    // The queue lives on the shared test Redis; the write that meets OOM goes to our own full Redis.
    await admin.config('SET', 'maxmemory', '1');
    const prefix = testPrefix('mem-oom');
    const redis = testRedis();
    const queue = new Queue('oom-job', { connection: redis, prefix });
    const events = new QueueEvents('oom-job', { connection: testRedis(), prefix });
    const gauge = startMemoryGauge(admin, { high: 0.85, low: 0.75, intervalMs: 100 }, createLogger('silent'));
    const rt = {
      memory: () => gauge,
      config: { service: { memory: { checkInterval: 100 } } },
      log: createLogger('silent'),
    } as unknown as Pick<Runtime, 'memory' | 'config' | 'log'>;
    const calls: number[] = [];
    const failed: string[] = [];
    const worker = new Worker(
      'oom-job',
      async (job: Job, token) => {
        calls.push(Date.now());
        return deferOnMustWait(job, token, rt, async () => {
          if (calls.length === 1) await admin.set('nf-oom-probe', 'x'); // refused: OOM
          return 'done';
        });
      },
      { connection: testRedis(), prefix },
    );
    worker.on('failed', (_job, err) => failed.push(err.message));
    try {
      await events.waitUntilReady();
      // One attempt only: had the OOM spent it, the job would fail instead of completing.
      const job = await queue.add('j', {}, { attempts: 1 });
      await job.waitUntilFinished(events, 20_000);
      const done = (await queue.getJob(job.id!))!;
      expect(await done.getState()).toBe('completed');
      expect(done.returnvalue).toBe('done');
      expect(calls).toHaveLength(2);
      // It waited (moveToDelayed) before the second run rather than being retried at once.
      expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(900);
      expect(failed).toEqual([]);
      expect(gauge.state()).toBe('high');
    } finally {
      gauge.close();
      await worker.close();
      await events.close();
      await queue.close();
      await cleanupPrefix(redis, prefix);
      redis.disconnect();
      await admin.config('SET', 'maxmemory', '0');
    }
  }, 60_000);

  describe('run --once on a Redis smaller than the run needs', () => {
    let site: SyntheticSite;
    beforeAll(async () => {
      site = await startSyntheticSite({ count: 400 });
    });
    afterAll(async () => {
      await site?.close();
    });

    it('exits 3 with the budget message; nothing failed for memory; every stored story intact', async () => {
      const prefix = testPrefix('mem-once');
      const keys = keysFor(prefix);
      const before = await readMemory(admin);
      // Room for part of the run only: the high watermark (85 %) is reached well before the feed is done.
      const max = before.used + 5 * 1024 * 1024;
      await admin.config('SET', 'maxmemory', String(max));
      const port = Number(new URL(site.origin).port);
      const dir = writeConfigDir(
        {
          redis: { url: own.url, keyPrefix: prefix },
          log: { level: 'warn' },
          extractor: { concurrency: 4 },
          fetch: {
            allowNetworks: ['127.0.0.0/8'],
            allowedPorts: [port],
            politeness: { interval: '0s', maxInFlight: 64 },
            robots: { enabled: false },
          },
          memory: { checkInterval: '200ms' },
        },
        [{ id: 'synthetic', url: site.feedUrl }],
      );
      try {
        const r = await runCli(['run', '--once', '--config', dir], { REDIS_URL: own.url }, 240_000);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(
          /^newsflow: Redis memory budget reached \(used \d+(\.\d)? [KMG]iB of \d+(\.\d)? [KMG]iB\): raise maxmemory or shorten retention\.stories$/m,
        );
        // One transition line, not one per job.
        expect(r.stderr.match(/high watermark/g) ?? []).toHaveLength(1);
        const failures = await admin.xrange(failuresKey(keys), '-', '+');
        expect(failures.filter(([, f]) => /OOM|maxmemory/i.test(f.join(' ')))).toEqual([]);
        const stats = await admin.hgetall(statsKey(keys));
        expect(Object.keys(stats).filter(k => /failed/.test(k))).toEqual([]);
        // Some work got in before the budget, and each story it stored is whole.
        await admin.config('SET', 'maxmemory', '0');
        const store = createStoryStore(admin, keys, { streamMaxLen: 1_000_000 });
        const ids = await admin.zrange(keys.storiesByTime, 0, -1);
        expect(ids.length).toBeGreaterThan(5);
        expect(ids.length).toBeLessThan(400);
        for (const id of ids) {
          const story = await store.readStory(id);
          expect(story?.members.length, id).toBeGreaterThanOrEqual(1);
          const body = await store.get(id);
          expect(body?.id).toBe(story?.representativeId);
          expect(body?.contentText.length).toBeGreaterThan(100);
        }
        expect(await admin.xlen(keys.stream)).toBe(ids.length);
      } finally {
        await admin.config('SET', 'maxmemory', '0');
        await cleanupPrefix(admin, prefix);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  });
});
