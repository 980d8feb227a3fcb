import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher, type FetcherOptions } from '../../../src/fetch/fetcher.js';
import { MustWait, type Fetcher } from '../../../src/fetch/types.js';
import { keysFor, type Keys } from '../../../src/store/keys.js';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

/** The fetcher with Redis: robots.txt policy and cache, and the gate's MustWait / Retry-After paths. */
const KiB = 1024;

describe('fetcher with robots.txt and the politeness gate', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const servers: HostileServer[] = [];
  const fetchers: Fetcher[] = [];
  const hits = new Map<string, number>();

  const count = (key: string): number => hits.get(key) ?? 0;
  const page = '<html><head><title>t</title></head><body><p>hello</p></body></html>';

  async function site(robots: (res: import('node:http').ServerResponse) => void): Promise<HostileServer> {
    const server = await startHostileServer({
      routes: {
        '*': (req, res) => {
          const path = new URL(req.url ?? '/', 'http://x').pathname;
          hits.set(`${server.port}${path}`, count(`${server.port}${path}`) + 1);
          if (path === '/robots.txt') return robots(res);
          if (path === '/429') return void res.writeHead(429, { 'retry-after': '120' }).end();
          if (path === '/feed.xml') {
            return void res
              .writeHead(200, { 'content-type': 'application/rss+xml' })
              .end('<rss version="2.0"/>');
          }
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
        },
      },
    });
    servers.push(server);
    return server;
  }

  function fetcherFor(server: HostileServer, keys: Keys, extra: Partial<FetcherOptions> = {}): Fetcher {
    const f = createFetcher(
      {
        userAgent: 'newsflow/0.1 (+https://example.invalid/bot)',
        timeoutMs: 2_000,
        maxRedirects: 5,
        maxBytes: { feed: 64 * KiB, page: 64 * KiB, robots: 8 * KiB, sitemap: 64 * KiB },
        allowNetworks: ['127.0.0.0/8'],
        allowedPorts: [server.port],
        politeness: { intervalMs: 0, maxInFlight: 4 },
        ...extra,
      },
      { redis, keys },
    );
    fetchers.push(f);
    return f;
  }

  function newKeys(): Keys {
    const p = testPrefix('robots');
    prefixes.push(p);
    return keysFor(p);
  }

  beforeAll(() => {
    redis = testRedis();
  });

  afterEach(async () => {
    await Promise.all(fetchers.splice(0).map(f => f.close()));
  });

  afterAll(async () => {
    await Promise.all(servers.map(s => s.close()));
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  it('obeys the group for its token, caches robots.txt in Redis for every worker, and stores Crawl-delay', async () => {
    const server = await site(res =>
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end('User-agent: *\nDisallow: /\n\nUser-agent: newsflow\nDisallow: /private\nCrawl-delay: 2\n'),
    );
    const keys = newKeys();
    const one = fetcherFor(server, keys);
    const ok = await one.fetch({ url: server.url('/news/1'), kind: 'page' });
    expect(ok.ok && ok.text).toContain('hello');
    // A second worker (own process memory, same Redis) uses the cached robots.txt — and now the Crawl-delay.
    const two = fetcherFor(server, keys);
    const blocked = await two.fetch({ url: server.url('/private/2'), kind: 'page' });
    expect(blocked.ok ? 'ok' : `${blocked.class}/${blocked.blockedBy}`).toBe('blocked/robots');
    expect(blocked.ok ? '' : blocked.reason).toContain('disallows /private/2');
    expect(count(`${server.port}/private/2`)).toBe(0);
    expect(count(`${server.port}/robots.txt`)).toBe(1);
    expect(await redis.get(keys.politeCrawlDelay(`127.0.0.1:${server.port}`))).toBe('2000');
    const ttl = await redis.pttl(keys.robots(server.origin));
    expect(ttl).toBeGreaterThan(23 * 3_600_000);
    // The Crawl-delay now spaces this host's requests: the next page must wait.
    await expect(two.fetch({ url: server.url('/news/3'), kind: 'page' })).rejects.toBeInstanceOf(MustWait);
  });

  it('fetches feeds regardless of robots.txt', async () => {
    const server = await site(res => res.writeHead(200).end('User-agent: *\nDisallow: /\n'));
    const f = fetcherFor(server, newKeys());
    const feed = await f.fetch({ url: server.url('/feed.xml'), kind: 'feed' });
    expect(feed.ok).toBe(true);
    expect(count(`${server.port}/robots.txt`)).toBe(0);
    const pageRes = await f.fetch({ url: server.url('/a'), kind: 'page' });
    expect(pageRes.ok ? 'ok' : pageRes.blockedBy).toBe('robots');
  });

  it.each([
    ['404 → allow all', (res: import('node:http').ServerResponse) => res.writeHead(404).end(), true],
    ['401 → allow all', (res: import('node:http').ServerResponse) => res.writeHead(401).end(), true],
    ['500 → disallow all', (res: import('node:http').ServerResponse) => res.writeHead(500).end(), false],
    [
      '429 → disallow all',
      (res: import('node:http').ServerResponse) => res.writeHead(429, { 'retry-after': '1' }).end(),
      false,
    ],
    [
      'redirect loop → allow all',
      (res: import('node:http').ServerResponse) => res.writeHead(301, { location: '/robots.txt' }).end(),
      true,
    ],
    ['connection reset → disallow all', (res: import('node:http').ServerResponse) => res.destroy(), false],
  ])('RFC 9309 error policy: %s, cached', async (_name, robots, allowed) => {
    const server = await site(robots);
    const f = fetcherFor(server, newKeys(), { maxRetryAfterMs: 0 });
    const first = await f.fetch({ url: server.url('/x'), kind: 'page' });
    const second = await f.fetch({ url: server.url('/y'), kind: 'page' });
    for (const res of [first, second]) {
      expect(res.ok ? 'allowed' : `${res.class}/${res.blockedBy}`).toBe(
        allowed ? 'allowed' : 'blocked/robots',
      );
    }
    expect(count(`${server.port}/robots.txt`)).toBe(1);
  });

  it('truncates a huge robots.txt at the cap instead of failing', async () => {
    const server = await site(res =>
      res
        .writeHead(200)
        .end(`User-agent: *\nDisallow: /secret\n${'# filler\n'.repeat(5_000)}Disallow: /late\n`),
    );
    const f = fetcherFor(server, newKeys());
    const early = await f.fetch({ url: server.url('/secret/1'), kind: 'page' });
    expect(early.ok ? 'ok' : early.blockedBy).toBe('robots');
    // The rule past 8 KiB was never read.
    expect((await f.fetch({ url: server.url('/late/1'), kind: 'page' })).ok).toBe(true);
  });

  it('defers a fetch the gate does not let through (MustWait), and the robots-then-page pair waits in-process', async () => {
    const server = await site(res => res.writeHead(404).end());
    const f = fetcherFor(server, newKeys(), { politeness: { intervalMs: 400, maxInFlight: 1 } });
    const started = Date.now();
    const first = await f.fetch({ url: server.url('/one'), kind: 'page' });
    // robots.txt took the slot; the page waited ~400 ms in-process rather than being deferred.
    expect(first.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    // Two more at once: one may sit out the interval in-process, the other is deferred (MustWait).
    const t0 = Date.now();
    const settled = await Promise.allSettled([
      f.fetch({ url: server.url('/two'), kind: 'page' }),
      f.fetch({ url: server.url('/three'), kind: 'page' }),
    ]);
    const deferred = settled.filter(s => s.status === 'rejected').map(s => s.reason as unknown);
    expect(settled.filter(s => s.status === 'fulfilled' && s.value.ok)).toHaveLength(1);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]).toBeInstanceOf(MustWait);
    const wait = deferred[0] as MustWait;
    expect(wait.why).toBe('interval');
    expect(wait.host).toBe(`127.0.0.1:${server.port}`);
    // Staggered behind the in-process waiter: about two intervals out.
    expect(wait.untilMs - t0).toBeGreaterThan(600);
    expect(count(`${server.port}/two`) + count(`${server.port}/three`)).toBe(1);
  });

  it('turns a 429 into rate-limited and blocks the host:port for everyone until Retry-After', async () => {
    const server = await site(res => res.writeHead(404).end());
    const keys = newKeys();
    const f = fetcherFor(server, keys);
    const res = await f.fetch({ url: server.url('/429'), kind: 'page' });
    expect(res).toMatchObject({
      ok: false,
      class: 'rate-limited',
      status: 429,
      retryAfterMs: 120_000,
      retryable: true,
    });
    const other = fetcherFor(server, keys);
    const err = await other.fetch({ url: server.url('/feed.xml'), kind: 'feed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MustWait);
    expect((err as MustWait).why).toBe('retry-after');
    expect((err as MustWait).untilMs - Date.now()).toBeGreaterThan(100_000);
  });
});
