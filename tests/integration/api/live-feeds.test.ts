import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { startService, type Service } from '../../../src/pipeline/service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { feedKeys, keysFor } from '../../../src/store/keys.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { rssFeed, startFeedServer, type FeedServer } from '../feeds/feed-server.js';

async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/**
 * Issue 13 item 5: a feed added to feeds.yaml while running, and already polled, is in `GET /feeds`, in
 * `newsflow_feeds{health}` and in `newsflow feeds list` — the api process (its own, as docker-compose runs it)
 * reads the live list, not the one loaded at start.
 */
describe('live feed list: /feeds, /metrics and feeds list agree after an edit', { timeout: 120_000 }, () => {
  let server: FeedServer;
  let redis: Redis;
  const prefix = testPrefix('livefeeds');
  let dir = '';

  beforeAll(async () => {
    server = await startFeedServer();
    redis = testRedis();
    for (const id of ['a', 'b']) {
      server.route(`/${id}.xml`, () => ({
        body: rssFeed([{ guid: `${id}-1`, title: `${id} one` }], Date.now()),
      }));
    }
  });
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a feed added while running in all three', async () => {
    const entry = (id: string): Record<string, unknown> => ({
      id,
      url: server.url(`/${id}.xml`),
      interval: '1s',
    });
    dir = writeConfigDir(
      {
        log: { level: 'silent' },
        redis: { url: testRedisUrl(), keyPrefix: prefix },
        poller: { tick: '1s' },
        api: { port: 0 },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [server.port],
          politeness: { interval: 0, maxInFlight: 10 },
        },
      },
      [entry('a')],
    );
    const config = loadConfig(dir, { env: {} });
    const runtimes: Runtime[] = [];
    const services: Service[] = [];
    try {
      for (const roles of [['poller'], ['api']] as const) {
        const rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
        runtimes.push(rt);
        services.push(await startService(rt, roles));
      }
      const api = services[1]!.apiAddress!;
      const polled = async (id: string): Promise<boolean> =>
        (await redis.hexists(feedKeys(keysFor(prefix), id).state, 'lastPolledAt')) === 1;
      await until(() => polled('a'), 'a polled');

      const tmp = join(dir, '.feeds.tmp');
      writeFileSync(tmp, stringify({ feeds: [entry('a'), entry('b')] }));
      renameSync(tmp, join(dir, 'feeds.yaml'));
      await until(() => polled('b'), 'b (added while running) polled');

      const ids = async (): Promise<string[]> => {
        const res = await fetch(`${api}/feeds`);
        const body = (await res.json()) as { feeds: { id: string }[] };
        return body.feeds.map(f => f.id).sort();
      };
      await until(async () => (await ids()).length === 2, '/feeds shows both', 10_000);
      expect(await ids()).toEqual(['a', 'b']);

      const metrics = await (await fetch(`${api}/metrics`)).text();
      const counted = [...metrics.matchAll(/^newsflow_feeds\{health="[^"]+"\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
      expect(counted).toBe(2);

      const listed = await runCli(['feeds', 'list', '--json', '--config', dir], {
        REDIS_URL: testRedisUrl(),
      });
      expect(listed.code, listed.stderr).toBe(0);
      const rows = listed.stdout
        .split('\n')
        .filter(Boolean)
        .map(l => (JSON.parse(l) as { id: string }).id)
        .sort();
      expect(rows).toEqual(['a', 'b']);
    } finally {
      for (const s of services.reverse()) await s.shutdown(5_000);
      for (const rt of runtimes) await rt.close();
    }
  });
});
