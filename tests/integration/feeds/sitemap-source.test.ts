import type { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import type { FeedConfig } from '../../../src/config/schema.js';
import { readFeedState } from '../../../src/feeds/state.js';
import { pollFeed, type PollDeps } from '../../../src/pipeline/poll-feed.js';
import type { ArticleJobData } from '../../../src/pipeline/queues.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import { failuresKey, feedKeys, statsKey } from '../../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { pollDepsOf } from './poll-deps.js';
import { rssFeed, startFeedServer, type FeedServer } from './feed-server.js';

const H = 3_600_000;
const D = 24 * H;
const NS =
  'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"';

interface Entry {
  loc: string;
  lastmod?: string;
  news?: { title: string; date: string };
}

function urlset(entries: Entry[]): string {
  const body = entries
    .map(
      e =>
        `<url><loc>${e.loc}</loc>${e.lastmod ? `<lastmod>${e.lastmod}</lastmod>` : ''}${
          e.news
            ? `<news:news><news:publication><news:name>Site</news:name><news:language>en</news:language></news:publication>` +
              `<news:publication_date>${e.news.date}</news:publication_date><news:title>${e.news.title}</news:title></news:news>`
            : ''
        }</url>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset ${NS}>\n${body}\n</urlset>`;
}

function index(children: { loc: string; lastmod: string }[]): string {
  return `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${children
    .map(c => `<sitemap><loc>${c.loc}</loc><lastmod>${c.lastmod}</lastmod></sitemap>`)
    .join('')}</sitemapindex>`;
}

const XML = { 'content-type': 'application/xml; charset=utf-8' };
const GZIP = { 'content-type': 'application/gzip' };

describe('sitemap sources and feed overflow (real Redis, real HTTP)', () => {
  let server: FeedServer;
  let site: FeedServer;
  let rt: Runtime;
  let redis: Redis;
  let deps: PollDeps;
  let clock = Date.UTC(2026, 11, 1, 12, 0, 0);
  const prefix = testPrefix('sitemap');
  const state = (id: string) => readFeedState(redis, feedKeys(rt.keys, id).state);
  const jobsOf = async (feedId: string): Promise<ArticleJobData[]> =>
    (await rt.articleQueue.getJobs(['waiting', 'delayed', 'prioritized']))
      .map(j => j.data)
      .filter(d => d.feed.id === feedId);
  const stat = async (field: string): Promise<number> =>
    Number((await redis.hget(statsKey(rt.keys), field)) ?? 0);
  const paths = (s: FeedServer) => s.requests.map(r => r.path);

  beforeAll(async () => {
    server = await startFeedServer();
    site = await startFeedServer();
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        poller: { maxItemsPerPoll: 100 },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [server.port, site.port],
          politeness: { interval: 0, maxInFlight: 10 },
          maxBytes: { sitemap: 8 * 2 ** 20 },
        },
      },
      [],
    );
    redis = testRedis();
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
    deps = pollDepsOf(rt, () => clock);
  });

  beforeEach(() => {
    clock += 2 * D;
  });

  afterAll(async () => {
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await server?.close();
    await site?.close();
  });

  it('a site root: robots.txt names an index of gzip children; unchanged children are not fetched again', async () => {
    const o = site.origin;
    const nov = [1, 2, 3, 4, 5].map(d => ({
      loc: `${o}/2026/11/${d}/`,
      lastmod: `2026-11-${10 + d}T10:00:00Z`,
    }));
    const oct = [1, 2, 3].map(d => ({ loc: `${o}/2026/10/${d}/`, lastmod: `2026-10-${10 + d}T10:00:00Z` }));
    let novEntries: Entry[] = nov;
    let indexBody = index([
      { loc: `${o}/sitemaps/2026-10.xml.gz`, lastmod: '2026-10-31T00:00:00Z' },
      { loc: `${o}/sitemaps/2026-11.xml.gz`, lastmod: '2026-11-30T00:00:00Z' },
    ]);
    site.route('/robots.txt', {
      headers: { 'content-type': 'text/plain' },
      body: `User-agent: *\nDisallow: /private/\n\nSitemap: ${o}/sitemap_index.xml\n`,
    });
    site.route('/sitemap_index.xml', ({ headers }) => {
      const etag = `"${indexBody.length}-${indexBody.slice(-60).replace(/\W/g, '')}"`;
      return headers['if-none-match'] === etag
        ? { status: 304, headers: { etag } }
        : { headers: { ...XML, etag }, body: indexBody };
    });
    site.route('/sitemaps/2026-10.xml.gz', () => ({ headers: GZIP, body: gzipSync(urlset(oct)) }));
    site.route('/sitemaps/2026-11.xml.gz', () => ({ headers: GZIP, body: gzipSync(urlset(novEntries)) }));
    const feed: FeedConfig = { id: 'site-root', url: `${o}/`, type: 'sitemap', tags: [], enabled: true };

    const first = await pollFeed(deps, feed);
    expect(first).toMatchObject({ outcome: 'ok', items: 8, known: 0 });
    expect(paths(site)).toEqual([
      '/robots.txt',
      '/sitemap_index.xml',
      '/sitemaps/2026-11.xml.gz', // newest child first
      '/sitemaps/2026-10.xml.gz',
    ]);
    expect((await jobsOf('site-root')).map(j => j.url).sort()).toEqual(
      [...nov, ...oct].map(e => e.loc).sort(),
    );
    const s1 = await state('site-root');
    expect(s1).toMatchObject({ format: 'sitemap-0.9', sitemaps: `${o}/sitemap_index.xml`, lastStatus: 200 });

    // Nothing changed: the index answers 304 and nothing else is fetched.
    clock += H;
    site.requests.length = 0;
    expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'not-modified' });
    expect(paths(site)).toEqual(['/sitemap_index.xml']);

    // November gains an article: only November's sitemap (its lastmod moved) is read again.
    clock += H;
    site.requests.length = 0;
    novEntries = [...nov, { loc: `${o}/2026/11/6/`, lastmod: '2026-11-30T09:00:00Z' }];
    indexBody = index([
      { loc: `${o}/sitemaps/2026-10.xml.gz`, lastmod: '2026-10-31T00:00:00Z' },
      { loc: `${o}/sitemaps/2026-11.xml.gz`, lastmod: '2026-11-30T09:00:00Z' },
    ]);
    expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'ok', items: 6 });
    expect((await jobsOf('site-root')).map(j => j.url)).toContain(`${o}/2026/11/6/`);
    expect(await jobsOf('site-root')).toHaveLength(9);
    expect(paths(site)).toEqual(['/sitemap_index.xml', '/sitemaps/2026-11.xml.gz']);
  });

  it('a site root whose robots.txt names two sitemaps: each is read every poll, a 304 of one hides nothing', async () => {
    const o = server.origin;
    let b = [`${o}/m/b1`];
    server.route('/robots.txt', {
      headers: { 'content-type': 'text/plain' },
      body: `Sitemap: ${o}/multi-a.xml\nSitemap: ${o}/multi-b.xml\n`,
    });
    server.route('/multi-a.xml', ({ headers }) =>
      headers['if-none-match'] === '"a"'
        ? { status: 304, headers: { etag: '"a"' } }
        : { headers: { ...XML, etag: '"a"' }, body: urlset([{ loc: `${o}/m/a1` }]) },
    );
    server.route('/multi-b.xml', () => ({ headers: XML, body: urlset(b.map(loc => ({ loc }))) }));
    const feed: FeedConfig = { id: 'multi', url: `${o}/`, type: 'sitemap', tags: [], enabled: true };
    expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'ok', items: 2 });
    clock += H;
    b = [...b, `${o}/m/b2`];
    expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'ok', items: 3 });
    expect((await jobsOf('multi')).map(j => j.url).sort()).toEqual([`${o}/m/a1`, `${o}/m/b1`, `${o}/m/b2`]);

    // feeds.yaml points the id at another site: what was found for the old one is forgotten.
    clock += H;
    await pollFeed(deps, { ...feed, url: `${site.origin}/` });
    expect((await state('multi')).sitemaps).toBe(`${site.origin}/sitemap_index.xml`);
  });

  it('a news sitemap: its titles and dates become the items’ hints', async () => {
    const o = server.origin;
    server.route('/news-sitemap.xml', {
      headers: XML,
      body: urlset([
        { loc: `${o}/n/1`, news: { title: 'Rates held &amp; steady', date: '2026-12-02T08:00:00Z' } },
        { loc: `${o}/n/2`, news: { title: 'Port reopens', date: '2026-12-02T09:30:00+01:00' } },
      ]),
    });
    const feed: FeedConfig = {
      id: 'news',
      url: `${o}/news-sitemap.xml`,
      type: 'sitemap',
      tags: [],
      enabled: true,
    };
    expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'ok', items: 2 });
    const jobs = await jobsOf('news');
    expect(jobs.map(j => [j.url, j.item.title, j.item.publishedAt]).sort()).toEqual([
      [`${o}/n/1`, 'Rates held & steady', '2026-12-02T08:00:00.000Z'],
      [`${o}/n/2`, 'Port reopens', '2026-12-02T08:30:00.000Z'],
    ]);
    expect((await state('news')).format).toBe('sitemap-news');
  });

  it('a malformed sitemap fails the poll with a one-line reason, recorded like a feed failure', async () => {
    server.route('/not-a-sitemap.xml', { headers: XML, body: '<?xml version="1.0"?><rss><channel/></rss>' });
    server.route('/bomb.xml.gz', { headers: GZIP, body: gzipSync(Buffer.alloc(9 * 2 ** 20, 0x20)) });
    const feed: FeedConfig = {
      id: 'broken-sitemap',
      url: server.url('/not-a-sitemap.xml'),
      type: 'sitemap',
      tags: [],
      enabled: true,
    };
    const out = await pollFeed(deps, feed);
    expect(out).toMatchObject({ outcome: 'failed', class: 'parse' });
    const reason = out.outcome === 'failed' ? out.reason : '';
    expect(reason).toBe(
      'not a sitemap: the document’s root is <rss>, not <urlset> or <sitemapindex>'.replace('’', "'"),
    );
    const s = await state('broken-sitemap');
    expect(s).toMatchObject({ lastErrorClass: 'parse', lastErrorReason: reason, consecutiveErrors: 1 });
    const recs = await redis.xrange(failuresKey(rt.keys), '-', '+');
    expect(recs.some(([, f]) => f.includes('broken-sitemap') && f.includes(reason))).toBe(true);

    const bomb = await pollFeed(deps, { ...feed, id: 'bomb', url: server.url('/bomb.xml.gz') });
    expect(bomb).toMatchObject({ outcome: 'failed', class: 'too-large' });

    // Many sites answer /sitemap.xml with an HTML page. Refusing its type once left undici's body to emit an
    // unhandled 'error' that ended the process: vitest reports such an error as a failed run.
    server.route('/html-sitemap.xml', { headers: { 'content-type': 'text/html' }, body: '<p>home</p>' });
    const html = await pollFeed(deps, { ...feed, id: 'html', url: server.url('/html-sitemap.xml') });
    expect(html).toMatchObject({ outcome: 'failed', class: 'unsupported-content-type' });
    await new Promise(r => setTimeout(r, 200));
  });

  it('a 50 000-URL sitemap stays within the caps: the newest maxItemsPerPoll are taken, the rest counted', async () => {
    const o = server.origin;
    const day = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString();
    const entries = Array.from({ length: 50_000 }, (_, i) => ({ loc: `${o}/big/${i}`, lastmod: day(i) }));
    const body = gzipSync(urlset(entries));
    server.route('/big.xml.gz', { headers: GZIP, body });
    const dropped = await stat('feed.items_dropped');
    const feed: FeedConfig = {
      id: 'big',
      url: server.url('/big.xml.gz'),
      type: 'sitemap',
      tags: [],
      enabled: true,
    };
    const out = await pollFeed(deps, feed);
    expect(out).toMatchObject({ outcome: 'ok', items: 100 });
    expect((await stat('feed.items_dropped')) - dropped).toBe(49_900);
    const urls = (await jobsOf('big')).map(j => Number(j.url.split('/').pop()));
    expect(Math.min(...urls)).toBe(49_900); // the newest hundred by lastmod
    expect(await redis.zcard(feedKeys(rt.keys, 'big').seen)).toBe(100);

    // The same walk in a process with a 40 MB heap: it reads all 50 000 entries without running out.
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=40',
        resolve('tests/integration/feeds/walk-heap.mjs'),
        server.url('/big.xml.gz'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += String(d)));
    child.stderr.on('data', d => (stderr += String(d)));
    const code = await new Promise<number | null>(r => child.on('exit', r));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ urls: 50_000, fetched: 1, capped: null });
  });

  describe('overflow: a poll whose items are all new', () => {
    const o = () => server.origin;
    const items = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => {
        const i = to - 1 - k; // newest first
        return { guid: `ov-${i}`, link: `${o()}/ov/${i}`, title: `Item ${i}`, ageMs: (100 - i) * 60_000 };
      });

    it('is counted, halves the interval, and is filled from the configured news sitemap', async () => {
      let listed = items(0, 5);
      let published = 5;
      server.route('/ov.xml', () => ({ body: rssFeed(listed, clock) }));
      server.route('/ov-news.xml', () => ({
        headers: XML,
        body: urlset(
          Array.from({ length: published }, (_, i) => ({
            loc: `${o()}/ov/${i}`,
            news: { title: `Item ${i}`, date: new Date(clock - (100 - i) * 60_000).toISOString() },
          })),
        ),
      }));
      const feed: FeedConfig = {
        id: 'ov',
        url: server.url('/ov.xml'),
        sitemap: server.url('/ov-news.xml'),
        tags: [],
        enabled: true,
        interval: 40 * 60_000,
      };
      const before = await stat('feed.overflow');
      expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'ok', items: 5 }); // the first read: a baseline
      expect(await stat('feed.overflow')).toBe(before);
      const interval = (await state('ov')).intervalMs!;

      // Ten new items, the feed lists five: none of the five seen before.
      clock += H;
      listed = items(10, 15);
      published = 15;
      const second = await pollFeed(deps, feed);
      expect(await stat('feed.overflow')).toBe(before + 1);
      const s = await state('ov');
      expect(s).toMatchObject({
        overflows: 1,
        overflowIntervalMs: Math.round(interval / 2),
        lastOverflowFilled: 5,
      });
      expect(s.intervalMs).toBeLessThanOrEqual(Math.round(interval / 2) * 1.2);
      expect(s.intervalReason).toMatch(/^overflow/);
      // The five the feed dropped came from the news sitemap; the ten it listed, from the feed.
      expect(second.outcome === 'ok' && second.enqueued).toHaveLength(10);
      const urls = (await jobsOf('ov')).map(j => j.url);
      for (let i = 0; i < 15; i++) expect(urls).toContain(`${o()}/ov/${i}`);

      // Overlap again: no overflow.
      clock += H;
      listed = items(12, 17);
      await pollFeed(deps, feed);
      expect(await stat('feed.overflow')).toBe(before + 1);
    });

    it('a configured news sitemap is read on the first poll too: what the feed dropped before is not lost', async () => {
      const so = server.origin;
      server.route('/first.xml', () => ({
        body: rssFeed(
          [5, 4, 3].map(i => ({ guid: `fi-${i}`, link: `${so}/fi/${i}`, title: `F ${i}`, ageMs: 0 })),
          clock,
        ),
      }));
      server.route('/first-news.xml', () => ({
        headers: XML,
        body: urlset(
          [0, 1, 2, 3, 4, 5].map(i => ({
            loc: `${so}/fi/${i}`,
            news: { title: `F ${i}`, date: new Date(clock).toISOString() },
          })),
        ),
      }));
      const feed: FeedConfig = {
        id: 'first',
        url: server.url('/first.xml'),
        sitemap: server.url('/first-news.xml'),
        tags: [],
        enabled: true,
      };
      const out = await pollFeed(deps, feed);
      expect(out.outcome === 'ok' && out.enqueued).toHaveLength(6);
      expect((await jobsOf('first')).map(j => j.url).sort()).toEqual(
        [0, 1, 2, 3, 4, 5].map(i => `${so}/fi/${i}`),
      );
      expect((await state('first')).overflows).toBe(0);
    });

    it('finds the news sitemap through robots.txt when none is configured', async () => {
      const so = site.origin;
      let listed = [0, 1, 2].map(i => ({ guid: `r-${i}`, link: `${so}/r/${i}`, title: `R ${i}`, ageMs: 0 }));
      site.route('/feed.xml', () => ({ body: rssFeed(listed, clock) }));
      site.route('/robots.txt', {
        headers: { 'content-type': 'text/plain' },
        body: `User-agent: *\nSitemap: ${so}/sitemap_index.xml\nSitemap: ${so}/sitemaps/news.xml\n`,
      });
      site.route('/sitemaps/news.xml', () => ({
        headers: XML,
        body: urlset(
          [0, 1, 2, 3, 4, 5, 6].map(i => ({
            loc: `${so}/r/${i}`,
            news: { title: `R ${i}`, date: new Date(clock).toISOString() },
          })),
        ),
      }));
      const feed: FeedConfig = { id: 'robots-ov', url: site.url('/feed.xml'), tags: [], enabled: true };
      await pollFeed(deps, feed);
      clock += H;
      listed = [4, 5, 6].map(i => ({ guid: `r-${i}`, link: `${so}/r/${i}`, title: `R ${i}`, ageMs: 0 }));
      await pollFeed(deps, feed);
      const s = await state('robots-ov');
      expect(s).toMatchObject({
        overflows: 1,
        newsSitemap: `${so}/sitemaps/news.xml`,
        lastOverflowFilled: 1,
      });
      expect((await jobsOf('robots-ov')).map(j => j.url).sort()).toEqual(
        [0, 1, 2, 3, 4, 5, 6].map(i => `${so}/r/${i}`),
      );
    });
  });
});
