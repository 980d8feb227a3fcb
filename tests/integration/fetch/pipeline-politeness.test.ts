import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { runOnce } from '../../../src/pipeline/run-once.js';
import { failuresKey } from '../../../src/store/keys.js';
import { createLogger } from '../../../src/shared/logger.js';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

/**
 * The fetcher wired into the pipeline (`run --once`): three feeds and their pages on one host, behind the gate
 * and robots.txt. Feeds are fetched although robots.txt disallows them; a disallowed page ends as a recorded
 * `blocked: robots` outcome; jobs the gate turned away were delayed, not failed.
 */
function article(n: number): string {
  const p = Array.from(
    { length: 6 },
    (_, i) =>
      `<p>Item ${n}, paragraph ${i}: the district ${n} council approved the ferry timetable, the depot budget and the quay repairs for season ${i}, according to the minutes published on the council notice board.</p>`,
  ).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Report ${n}</title></head><body><article><h1>Report ${n}</h1>${p}</article></body></html>`;
}

describe('fetcher in the pipeline: politeness and robots.txt', () => {
  let server: HostileServer;
  let rt: Runtime;
  let redis: Redis;
  const prefix = testPrefix('fetchpipe');
  const hits: string[] = [];

  beforeAll(async () => {
    server = await startHostileServer({
      routes: {
        '*': (req, res) => {
          const path = new URL(req.url ?? '/', 'http://x').pathname;
          hits.push(path);
          if (path === '/robots.txt') {
            res
              .writeHead(200, { 'content-type': 'text/plain' })
              .end('User-agent: *\nDisallow: /private/\nDisallow: /feeds/\n');
            return;
          }
          const feed = /^\/feeds\/(\d)\.xml$/.exec(path);
          if (feed) {
            const n = Number(feed[1]);
            const link = n === 3 ? server.url('/private/3') : server.url(`/news/${n}`);
            res
              .writeHead(200, { 'content-type': 'application/rss+xml' })
              .end(
                `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${n}</title><link>${server.origin}</link>` +
                  `<item><title>Report ${n}</title><link>${link}</link><guid>${link}</guid></item></channel></rss>`,
              );
            return;
          }
          const page = /^\/(news|private)\/(\d)$/.exec(path);
          if (page) {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(article(Number(page[2])));
            return;
          }
          res.writeHead(404).end();
        },
      },
    });
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [server.port],
          // Spacing is tested elsewhere at 1 s; here a shorter interval keeps the run quick.
          politeness: { hosts: { '127.0.0.1': { interval: '300ms' } } },
        },
      },
      [1, 2, 3].map(n => ({ id: `feed-${n}`, url: server.url(`/feeds/${n}.xml`) })),
    );
    redis = testRedis();
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
  });

  afterAll(async () => {
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await server?.close();
  });

  it('polls every feed despite robots.txt, blocks the disallowed page, and fails nothing because of the gate', async () => {
    const summary = await runOnce(rt, { pollIntervalMs: 50 });
    expect(summary).toMatchObject({ feedsPolled: 3, feedsFailed: 0, itemsSeen: 3 });
    expect(summary.failures).toEqual({ 'article:blocked': 1 });
    expect(
      summary.articlesStored + summary.duplicates + Object.values(summary.skipped).reduce((a, b) => a + b, 0),
    ).toBe(2);

    const failures = await redis.xrange(failuresKey(rt.keys), '-', '+');
    const fields = failures.map(([, f]) =>
      Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]]))),
    );
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatchObject({ scope: 'article', class: 'blocked', url: server.url('/private/3') });
    expect(fields[0]!.reason).toMatch(/^robots: .*disallows \/private\/3/);

    // robots.txt was read once (for the pages); the disallowed page was never requested; every feed was, though
    // robots.txt disallows /feeds/.
    expect(hits.filter(p => p === '/robots.txt')).toHaveLength(1);
    expect(hits).not.toContain('/private/3');
    expect(hits.filter(p => p.startsWith('/feeds/'))).toHaveLength(3);

    // Gate-delayed jobs completed with no failed attempt.
    const jobs = [
      ...(await rt.pollQueue.getJobs(['completed', 'failed'])),
      ...(await rt.articleQueue.getJobs(['completed', 'failed'])),
    ];
    expect(jobs.length).toBe(6);
    for (const j of jobs) {
      expect(await j.getState()).toBe('completed');
      expect(j.stacktrace ?? []).toEqual([]);
    }
    expect(jobs.reduce((n, j) => n + j.attemptsStarted, 0)).toBeGreaterThan(jobs.length);
  });
});
