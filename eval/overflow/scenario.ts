import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig } from '../../src/config/load.js';
import { canonicalUrlKey, hashKey } from '../../src/dedupe/url-key.js';
import { createRuntime, type Runtime } from '../../src/pipeline/runtime.js';
import { runOnce } from '../../src/pipeline/run-once.js';
import { createLogger } from '../../src/shared/logger.js';
import { statsKey } from '../../src/store/keys.js';
import { deleteByPattern } from '../../src/store/redis.js';
import { articleHtml } from '../../tests/faults/lib/synthetic-site.js';
import type { RedisTarget } from '../../src/shared/redis-target.js';

/**
 * Issue 20's target: a site publishes articles in bursts larger than its feed lists. Two copies of the site run
 * side by side in one run, each polled by the pipeline after every burst:
 * - `withSitemap`: its feed names its news sitemap (feeds.yaml `sitemap`), so an overflowing poll fills the gap;
 * - `feedAlone`: the same site with no sitemap anywhere (robots.txt and the common paths answer 404).
 * What the feed alone would have missed is measured twice: the articles of `feedAlone` never stored, and the
 * articles no feed response ever listed (counted by the site as it serves the feed).
 */
export interface BurstOptions {
  /** Articles published before the pipeline first looks (the feed's first read, a baseline). */
  initial: number;
  bursts: number;
  perBurst: number;
  /** Items the feed lists: the newest ones. */
  feedSize: number;
  redis: RedisTarget;
  prefix: string;
}

export interface SiteFigures {
  published: number;
  stored: number;
  missed: number;
  /** Articles some feed response listed, of those published in bursts. */
  listedByFeed: number;
  overflows: number;
  filled: number;
}

export interface BurstResult {
  published: number;
  withSitemap: SiteFigures;
  feedAlone: SiteFigures;
  seconds: number;
}

interface Site {
  origin: string;
  publish(n: number): void;
  /** Article numbers listed by any feed response served so far. */
  listed: Set<number>;
  close(): Promise<void>;
}

async function startSite(opts: { variant: number; feedSize: number; newsSitemap: boolean }): Promise<Site> {
  const published: { n: number; at: number }[] = [];
  const listed = new Set<number>();
  let origin = '';
  const url = (n: number): string => `${origin}/news/${n}/`;
  // Distinct texts per article and per copy of the site (dedupe must keep every one apart).
  const article = (n: number) => articleHtml(opts.variant * 1_000_000 + n);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const newest = [...published].reverse();
    if (path === '/feed.xml') {
      const items = newest.slice(0, opts.feedSize);
      for (const a of items) listed.add(a.n);
      res
        .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>Burst Daily</title><link>${origin}/</link>` +
            `<description>x</description>${items
              .map(
                a =>
                  `<item><title>${article(a.n).title}</title><link>${url(a.n)}</link><guid>${url(a.n)}</guid>` +
                  `<pubDate>${new Date(a.at).toUTCString()}</pubDate></item>`,
              )
              .join('')}</channel></rss>`,
        );
    } else if (path === '/news-sitemap.xml' && opts.newsSitemap) {
      // A news sitemap lists the last two days (here: everything), newest first.
      res
        .writeHead(200, { 'content-type': 'application/xml; charset=utf-8' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" ` +
            `xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">${newest
              .map(
                a =>
                  `<url><loc>${url(a.n)}</loc><news:news><news:publication><news:name>Burst Daily</news:name>` +
                  `<news:language>en</news:language></news:publication><news:publication_date>${new Date(
                    a.at,
                  ).toISOString()}</news:publication_date><news:title>${article(a.n).title}</news:title></news:news></url>`,
              )
              .join('')}</urlset>`,
        );
    } else {
      const m = /^\/news\/(\d+)\/$/.exec(path);
      const a = m ? published.find(p => p.n === Number(m[1])) : undefined;
      if (a) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(article(a.n).html);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    listed,
    publish(count) {
      for (let i = 0; i < count; i++) published.push({ n: published.length, at: Date.now() - 1000 + i });
    },
    close: () =>
      new Promise<void>(done => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export async function runBurstScenario(o: BurstOptions): Promise<BurstResult> {
  const started = Date.now();
  const a = await startSite({ variant: 1, feedSize: o.feedSize, newsSitemap: true });
  const b = await startSite({ variant: 2, feedSize: o.feedSize, newsSitemap: false });
  let rt: Runtime | undefined;
  try {
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: o.prefix },
        extractor: { concurrency: 8 },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [Number(new URL(a.origin).port), Number(new URL(b.origin).port)],
          politeness: { interval: 0, maxInFlight: 8 },
        },
      },
      [
        { id: 'with-sitemap', url: `${a.origin}/feed.xml`, sitemap: `${a.origin}/news-sitemap.xml` },
        { id: 'feed-alone', url: `${b.origin}/feed.xml` },
      ],
    );
    rt = await createRuntime(config, o.redis, createLogger('silent'));
    for (const s of [a, b]) s.publish(o.initial);
    await runOnce(rt, { pollIntervalMs: 50 });
    for (let i = 0; i < o.bursts; i++) {
      for (const s of [a, b]) s.publish(o.perBurst);
      await runOnce(rt, { pollIntervalMs: 50 });
    }
    const published = o.bursts * o.perBurst;
    const figures = async (s: Site, feedId: string): Promise<SiteFigures> => {
      const burstNumbers = Array.from({ length: published }, (_, i) => o.initial + i);
      const hashes = burstNumbers.map(n => hashKey(canonicalUrlKey(`${s.origin}/news/${n}/`)!));
      const known = await rt!.store.knownUrlHashes(hashes);
      const stored = known.filter(Boolean).length;
      const state = await rt!.redis.hgetall(rt!.keys.feedState(feedId));
      return {
        published,
        stored,
        missed: published - stored,
        listedByFeed: burstNumbers.filter(n => s.listed.has(n)).length,
        overflows: Number(state.overflows ?? 0),
        filled: 0,
      };
    };
    const withSitemap = await figures(a, 'with-sitemap');
    const feedAlone = await figures(b, 'feed-alone');
    const stats = await rt.redis.hgetall(statsKey(rt.keys));
    withSitemap.filled = Number(stats['feed.overflow.filled'] ?? 0);
    return { published, withSitemap, feedAlone, seconds: (Date.now() - started) / 1000 };
  } finally {
    if (rt) {
      await deleteByPattern(rt.redis, `${o.prefix}:*`);
      await rt.close();
    }
    await a.close();
    await b.close();
  }
}
