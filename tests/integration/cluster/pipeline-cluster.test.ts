import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { createConsumer, type ConsumerMessage } from '../../../src/consumer/consumer.js';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../../src/demo/fixture-site.js';
import { storePush } from '../../../src/feeds/websub/pushes.js';
import { readFailures, readStatus } from '../../../src/metrics/status.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { runOnce } from '../../../src/pipeline/run-once.js';
import { createLogger } from '../../../src/shared/logger.js';
import { deadJobCursorKey, feedKeys } from '../../../src/store/keys.js';
import { acquireLease } from '../../../src/store/lease.js';
import { primaries, scanKeys, type ClusterTarget, type RedisTarget } from '../../../src/store/redis.js';
import { pruneStories } from '../../../src/store/retention.js';
import { runScript } from '../../../src/store/scripts.js';
import { startSyntheticSite, type SyntheticSite } from '../../faults/lib/synthetic-site.js';
import {
  redisClusterAvailable,
  startRedisCluster,
  type RedisClusterHandle,
} from '../../helpers/redis-cluster.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedisUrl } from '../../helpers/redis.js';

/**
 * Issue 18: the pipeline on a real Redis Cluster (3 primaries + 3 replicas, AOF) gives what it gives on one Redis —
 * the same stories, members, relations and credits — with the index in the `{stories}` slot and the bodies spread
 * over the primaries; every multi-key script runs in one slot (a CROSSSLOT error would fail the run).
 */
describe.skipIf(!redisClusterAvailable())('the pipeline on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let target: ClusterTarget;
  let fixture: FixtureSite;
  let synthetic: SyntheticSite;
  const runtimes: Runtime[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    target = { cluster: cluster.nodes.slice(0, 2) };
    fixture = await startFixtureSite();
    synthetic = await startSyntheticSite({ count: 24 });
  }, 60_000);

  afterAll(async () => {
    for (const rt of runtimes) {
      await cleanupPrefix(rt.redis, rt.keys.prefix).catch(() => undefined);
      await rt.close();
    }
    await fixture?.close();
    await synthetic?.close();
    await cluster?.stop();
  });

  async function pipeline(redis: RedisTarget, prefix: string): Promise<Runtime> {
    const feeds = [
      ...fixture.feeds,
      { id: 'synthetic', url: synthetic.feedUrl, tags: [], enabled: true },
      // A feed that fails: its failure record is written by the records script.
      { id: 'gone', url: `${synthetic.origin}/no-such-feed.xml`, tags: [], enabled: true },
    ];
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [...fixturePorts(fixture), Number(new URL(synthetic.origin).port)],
          // Spacing on: every request goes through the politeness scripts.
          politeness: { interval: '5ms', maxInFlight: 4 },
        },
      },
      feeds,
    );
    const rt = await createRuntime(config, redis, createLogger('silent'));
    runtimes.push(rt);
    return rt;
  }

  /** Each story as its members and the credit each carries, independent of ids and key layout. */
  async function storiesOf(rt: Runtime): Promise<string[]> {
    const out: string[] = [];
    for await (const ids of rt.store.storyIds()) {
      for (const id of ids) {
        const story = (await rt.store.readStory(id))!;
        const body = (await rt.store.get(id))!;
        const members = story.members
          .map(
            m =>
              `${m.url} ${m.relation} ${m.attribution?.originalUrl ?? '-'} ${m.attribution?.originalPublisher ?? '-'}`,
          )
          .sort();
        out.push(`${body.title} | ${body.wordCount} | ${members.join(' ; ')}`);
      }
    }
    return out.sort();
  }

  it('poll → extract → dedupe → stream → consumer group: the same stories as on one Redis, bodies on several primaries', async () => {
    const single = await pipeline(testRedisUrl(), testPrefix('cl-single'));
    const onCluster = await pipeline(target, testPrefix('cl'));
    expect(onCluster.redis).toBeInstanceOf(Cluster);
    // BullMQ's keys carry a hash tag on a cluster (its scripts take several keys of a queue).
    expect(onCluster.keys.bullPrefix).toMatch(/:\{bull\}$/);

    const a = await runOnce(single, { pollIntervalMs: 50 });
    const b = await runOnce(onCluster, { pollIntervalMs: 50 });
    expect(b.articlesStored).toBeGreaterThanOrEqual(24);
    expect(b.feedsFailed).toBe(1);
    expect({ ...b, durationMs: 0 }).toMatchObject({
      feedsPolled: a.feedsPolled,
      itemsSeen: a.itemsSeen,
      articlesStored: a.articlesStored,
      duplicates: a.duplicates,
      failures: a.failures,
    });
    const [storiesA, storiesB] = [await storiesOf(single), await storiesOf(onCluster)];
    expect(storiesB).toEqual(storiesA);
    // The seed case: the aggregator's copy is in the original's story, credited to it.
    expect(
      storiesB.some(s =>
        / syndicated-copy http:\/\/127\.0\.0\.1:\d+\/2026\/11\/20\/calder-electric-cranes\/ Harbor Ledger/.test(
          s,
        ),
      ),
    ).toBe(true);

    // Bodies: one per story, spread over the primaries; the index keys all in the {stories} slot.
    const client = onCluster.redis as Cluster;
    const perPrimary: number[] = [];
    for (const node of primaries(client)) {
      let n = 0;
      for await (const keys of scanKeys(node, onCluster.keys.body('*'))) n += keys.length;
      perPrimary.push(n);
    }
    expect(perPrimary.reduce((x, y) => x + y, 0)).toBe(storiesB.length);
    expect(perPrimary.filter(n => n > 0).length).toBeGreaterThanOrEqual(2);
    const slot = (key: string): Promise<number> => client.cluster('KEYSLOT', key);
    expect(await slot(onCluster.keys.stream)).toBe(await slot(onCluster.keys.story('x')));

    // The records script wrote the failing feed's record; status reads it through the same readers as the CLI.
    const failures = await readFailures(client, onCluster.keys);
    expect(failures.recent.some(f => f.feedOrArticle === 'gone')).toBe(true);
    const status = await readStatus({
      redis: client,
      keys: onCluster.keys,
      feeds: onCluster.feeds(),
      queues: [onCluster.pollQueue, onCluster.articleQueue],
    });
    expect(status.feeds.find(f => f.id === 'gone')?.health).not.toBe('ok');

    // A consumer group reads every event, and every event's story body, through a cluster client.
    const events = await client.xlen(onCluster.keys.stream);
    const seen: ConsumerMessage[] = [];
    const errors: string[] = [];
    let bodies = 0;
    const consumer = createConsumer({
      redis: target,
      prefix: onCluster.keys.prefix,
      group: 'cluster-test',
      startId: '0',
      blockMs: 200,
      handler: async msg => {
        seen.push(msg);
        if ((await msg.story())?.body) bodies++;
      },
      onError: err => errors.push(err.message),
    });
    await consumer.start();
    await expect.poll(() => `${seen.length} ${errors.join(', ')}`, { timeout: 15_000 }).toBe(`${events} `);
    await consumer.stop({ timeoutMs: 2_000 });
    expect(bodies).toBe(events);
  }, 120_000);

  it('every other multi-key script runs in one slot: leases, WebSub pushes, the dead-job cursor, pruning', async () => {
    const rt = await pipeline(target, testPrefix('cl-scripts'));
    const client = rt.redis;
    const lease = await acquireLease(client, `${rt.keys.prefix}:{ops}:test-lease`, 5_000, { renew: true });
    expect(lease).not.toBeNull();
    await lease!.release();
    // A push is stored only for a feed with a subscription.
    await client.hset(feedKeys(rt.keys, 'feed-1').websub, 'topic', 'https://example.org/feed');
    const push = await storePush(
      client,
      rt.keys,
      'feed-1',
      { text: '<rss/>', contentType: 'application/rss+xml', bytes: 6 },
      { perMinute: 10, pendingBytes: 1_000_000, ttlMs: 60_000 },
      Date.now(),
    );
    expect(push.verdict).toBe('stored');
    await runScript(client, 'cursor-advance-1', [deadJobCursorKey(rt.keys)], ['12345']);
    expect(await client.get(deadJobCursorKey(rt.keys))).toBe('12345');

    // Pruning removes whole stories and, in their own slots, their bodies.
    await runOnce(rt, { pollIntervalMs: 50 });
    const stories = await client.zcard(rt.keys.storiesByTime);
    expect(stories).toBeGreaterThanOrEqual(24);
    const r = await pruneStories({
      redis: client,
      keys: rt.keys,
      retentionMs: -60_000,
      urlTtlMs: 60_000,
      streamMaxLen: 10_000,
      now: () => Date.now(),
    });
    expect(r.expired).toHaveLength(stories);
    expect(r.bodiesDeleted).toBe(stories);
    let left = 0;
    for await (const keys of scanKeys(client, rt.keys.body('*'))) left += keys.length;
    expect(left).toBe(0);
    expect(await client.zcard(rt.keys.bodyGc)).toBe(0);
  }, 120_000);

  it('the CLI reaches the cluster through REDIS_CLUSTER_NODES: status and an unreachable cluster', async () => {
    const prefix = testPrefix('cl-cli');
    const dir = writeConfigDir({ redis: { keyPrefix: prefix } }, []);
    const env = {
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: cluster.nodes.map(n => `${n.host}:${n.port}`).join(','),
    };
    const ok = await runCli(['status', '--config', dir, '--json'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty('queues');
    const down = await runCli(['status', '--config', dir], { ...env, REDIS_CLUSTER_NODES: '127.0.0.1:1' });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach Redis at Redis Cluster redis:\/\/127\.0\.0\.1:1/);
  });
});
