import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import {
  createArticleWorker,
  createPollWorker,
  createRuntime,
  type Runtime,
} from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import { failuresKey } from '../../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

/**
 * Issue 12 row 11: jobs added with hostile data (the queue dashboard can add any job) end as one recorded failure
 * each, with the reason, and never read, delete or write a key their data names.
 */
describe('processors check job data before it names a key', () => {
  let rt: Runtime;
  let redis: Redis;
  const workers: Worker[] = [];
  const prefix = testPrefix('jobdata');

  beforeAll(async () => {
    const config = buildConfig(
      'config',
      { log: { level: 'silent' }, redis: { keyPrefix: prefix }, extract: { threads: 1 } },
      [{ id: 'wire', url: 'http://127.0.0.1:9/feed' }],
    );
    redis = testRedis();
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
    workers.push(createPollWorker(rt, 2), createArticleWorker(rt, 2));
  });

  afterAll(async () => {
    await Promise.all(workers.map(w => w.close()));
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  /** The job's return value once it completed (a failed job fails the test). */
  async function finished(job: Job, queue: Queue = rt.pollQueue): Promise<unknown> {
    const end = Date.now() + 20_000;
    for (;;) {
      const state = await job.getState();
      const fresh = await queue.getJob(job.id!);
      if (state === 'completed') return fresh?.returnvalue;
      if (state === 'failed') throw new Error(`job ${job.id} failed: ${fresh?.failedReason}`);
      if (Date.now() > end) throw new Error(`job ${job.id} still ${state}`);
      await new Promise(r => setTimeout(r, 50));
    }
  }

  it('a poll job whose pushKey names another key leaves that key alone and is recorded', async () => {
    // Keys a hostile pushKey could name: a feed's state hash and a stored story's body.
    const victims = [`${prefix}:feed:wire`, `${prefix}:{stories}:story:abc:body`];
    await redis.hset(victims[0]!, { url: 'http://127.0.0.1:9/feed', body: 'state, not a push' });
    await redis.set(victims[1]!, '{"body":"the only copy"}');
    const jobs = await rt.pollQueue.addBulk([
      { name: 'poll', data: { feedId: 'wire', trigger: 'push', pushKey: victims[0]! } },
      { name: 'poll', data: { feedId: 'wire', trigger: 'push', pushKey: victims[1]! } },
      { name: 'poll', data: { feedId: 'wire:seen', trigger: 'manual' } as never },
      {
        name: 'poll',
        data: { feedId: 'wire', feed: { id: 'other', url: 'http://127.0.0.1:9/', tags: [], enabled: true } },
      },
    ]);
    const outcomes = await Promise.all(jobs.map(j => finished(j)));
    for (const o of outcomes) expect(o).toMatchObject({ outcome: 'failed', class: 'invalid-job' });
    expect(await redis.hgetall(victims[0]!)).toEqual({
      url: 'http://127.0.0.1:9/feed',
      body: 'state, not a push',
    });
    expect(await redis.get(victims[1]!)).toBe('{"body":"the only copy"}');
    // Nothing written under the bogus feed id either.
    expect(await redis.exists(`${prefix}:feed:wire:seen:lock`, `${prefix}:feed:other`)).toBe(0);

    const records = (await redis.xrange(failuresKey(rt.keys), '-', '+')).map(([, f]) => {
      const r: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) r[f[i]!] = f[i + 1]!;
      return r;
    });
    const feedRecords = records.filter(r => r.scope === 'feed' && r.class === 'invalid-job');
    expect(feedRecords).toHaveLength(4);
    expect(feedRecords.map(r => r.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/pushKey is not a WebSub delivery of this feed/),
        expect.stringMatching(/feedId/),
        expect.stringMatching(/feed\.id other is not feedId wire/),
      ]),
    );
  });

  it('an article job whose urlHash is not its URL’s is recorded, and claims no URL key', async () => {
    const url = 'http://127.0.0.1:9/a/1';
    const victimHash = hashKey('https://victim.example/story');
    const job = await rt.articleQueue.add('article', {
      url,
      urlKey: canonicalUrlKey(url)!,
      urlHash: victimHash,
      feed: { id: 'wire', url: 'http://127.0.0.1:9/feed' },
      item: {},
      enqueuedAt: new Date().toISOString(),
    });
    expect(await finished(job, rt.articleQueue)).toMatchObject({ outcome: 'failed', class: 'invalid-job' });
    expect(await redis.exists(rt.keys.urlIndex(victimHash), rt.keys.article(victimHash))).toBe(0);
    const recs = (await redis.xrange(failuresKey(rt.keys), '-', '+')).filter(([, f]) =>
      f.join('\n').includes('urlHash is not the hash of urlKey'),
    );
    expect(recs).toHaveLength(1);
    // The record names the job's feed, so the feed's console page lists it among its items not stored.
    const fields = recs[0]![1];
    expect(fields[fields.indexOf('feed') + 1]).toBe('wire');
  });
});
