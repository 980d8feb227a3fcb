import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { failuresKey } from '../../src/store/keys.js';
import { HOSTILE_CASES } from '../fixtures/hostile/cases.js';
import { gzipBomb, hostileRoutes, startHostileServer } from '../helpers/hostile-server.js';
import { testRedisUrl } from '../helpers/redis.js';
import { checkInvariant, waitForDrain } from './lib/checker.js';
import { faultPrefix, faultService, startCluster, type Proc } from './lib/cluster.js';
import { metricValue, procRss, sampleRss, scrape } from './lib/process-probe.js';
import { articleHtml } from './lib/synthetic-site.js';

/**
 * Issue 8, scenario 5: the fetcher's hostile battery (tests/integration/fetch/hostile-battery.test.ts) run
 * through the whole pipeline — one `start --role all` process (poller, extractor, API) reading feeds that list
 * every hostile page next to normal articles, plus the battery's feed cases as feeds of their own.
 *
 * Asserted: every hostile URL ends as exactly one failure record of the class the fetcher gives it (stored, with
 * its text decoded right, where the fetch succeeds), retryable classes only after every attempt, the fault
 * checker's invariant, the process' RSS growth over the hostile phase, and the main thread's event-loop delay p99
 * over that phase (prom-client's default metrics on /metrics). The feed cases' one item (example.invalid, port
 * 80, which the test's port allow-list refuses) is part of the invariant.
 *
 * The process is warmed up first (a feed of ordinary articles, so the extraction thread is up and has worked);
 * the baseline RSS and a reset of the event-loop histogram are taken then, and the hostile feeds are added to
 * feeds.yaml, which the running poller picks up.
 */

const MiB = 1024 * 1024;
const WARM = 10;
const NORMAL = 20;
/**
 * RSS growth allowed over the hostile phase: 150 MB, the fetcher battery's bound, now for the whole process.
 * What the caps allow: at most 4 pages in flight (extractor concurrency), each ≤ 3 MiB decoded held as bytes
 * and as a string (≤ 2 bytes a character) plus chunk copies, ≈ 4 × 12 MiB ≈ 50 MB live, and V8 lets garbage
 * of that size accumulate before it collects; extraction of ordinary pages runs in the thread already warm.
 * What a broken cap costs: the gzip bomb alone decodes to 200 MiB and the endless body never ends, so either
 * gets past 150 MB. The hostile corpus (issue 12) adds documents that are large by design, each parsed in a
 * thread: the 4 MiB feed (its text copied to the parse thread, xml2js's tree of it ≈ 60 MB) and the 4.7 MB
 * entity-flood and 3 MB attribute pages (their DOMs in the extraction thread ≈ 100 MB): 170 MB more; and the
 * second parse thread (poller.parseThreads 2: its own isolate, and a second large document parsed at the same
 * time): 80 MB more. Measured: 198–225 MB with one parse thread, 282 MB with two. A broken bound there also
 * reaches the thread's heap limit (poller.parseHeapMb 256, extract.heapMb 512) and fails its case's
 * expectation; a broken fetch cap fails its page's expected class.
 */
const RSS_GROWTH_BOUND_MB = 150 + 170 + 80;
const LAG_P99_BOUND_S = 0.2;
const FETCH_TIMEOUT_MS = 3_000;

interface PageCase {
  path: string;
  /** Failure record class, or `stored`. */
  expect: string;
  reason?: RegExp;
  /** For stored pages: text the stored article's body must contain (decoded right). */
  text?: string;
  /** Retryable: recorded only after this many attempts (faultService: extractor.attempts 3). */
  attempts?: number;
}

/** The battery's page cases (and its 10 MB garbage as a page) with what the pipeline must make of each. */
const PAGE_CASES: PageCase[] = [
  { path: '/gzip-bomb', expect: 'too-large', reason: /decoded/ },
  { path: '/endless', expect: 'too-large' },
  { path: '/drip', expect: 'timeout', reason: new RegExp(`${FETCH_TIMEOUT_MS} ms`), attempts: 3 },
  { path: '/no-headers', expect: 'timeout', reason: /headers/, attempts: 3 },
  { path: '/loop', expect: 'redirect-loop' },
  { path: '/loop-a', expect: 'redirect-loop' },
  { path: '/redirect/6', expect: 'too-many-redirects' },
  { path: '/to-file', expect: 'blocked', reason: /^scheme: / },
  { path: '/to-gopher', expect: 'blocked', reason: /^scheme: / },
  // A feed's content type on an article page: refused before the body is read.
  { path: '/garbage-10mb', expect: 'unsupported-content-type' },
  // Fetched fine: one short paragraph that is the whole page is a (short) article to the extractor
  // (src/extract/extract.ts isNotAnArticle), so these are stored, and their text shows the decoding.
  { path: '/redirect/5', expect: 'stored', text: 'arrived' },
  { path: '/wrong-label', expect: 'stored', text: 'Café crème, señor' },
  { path: '/bom-contradicts', expect: 'stored', text: 'naïve — ✓ Новости' },
];

/**
 * Issue 12: the hostile corpus (tests/fixtures/hostile) through the running service — every feed case as a
 * configured feed (parsed in the poller's parse threads, under their deadline), every page case listed in the
 * hostile feed. Pages must end as their class (`extract:too-complex`) or as one outcome of any kind; feeds that
 * must parse must parse. The event-loop bound below holds over all of it.
 */
const CORPUS_FEEDS = HOSTILE_CASES.filter(c => c.kind === 'feed');
const CORPUS_PAGES = HOSTILE_CASES.filter(c => c.kind === 'page');
const corpusPath = (name: string): string => `/corpus/${name}`;
const corpusBodies = new Map(HOSTILE_CASES.map(c => [corpusPath(c.name), c.build()]));

/** The battery's feed cases, each as a configured feed: the class of its failure, or the title it decodes to. */
const FEED_CASES = [
  { id: 'garbage', path: '/garbage-10mb', errorClass: 'too-large' },
  { id: 'cp1251', path: '/feed-1251', title: 'Новости дня' },
  { id: 'sjis', path: '/feed-sjis', title: '今日のニュース' },
  { id: 'latin1', path: '/feed-latin1', title: 'Zürich café à la carte' },
] as const;

function rss(origin: string, title: string, paths: string[]): string {
  const items = paths
    .map(
      (p, i) =>
        `<item><title>${title} ${i}</title><link>${origin}${p}</link><guid>${origin}${p}</guid></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>${origin}/</link>${items}</channel></rss>`;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

describe('fault: hostile servers through the whole pipeline', () => {
  it('classifies every hostile URL once, keeps RSS growth bounded and the event loop responsive', async () => {
    const bomb = await gzipBomb();
    const routes = hostileRoutes(bomb);
    const warmPaths = Array.from({ length: WARM }, (_, i) => `/a/${i}`);
    const normalPaths = Array.from({ length: NORMAL }, (_, i) => `/a/${WARM + i}`);
    routes['/warm.xml'] = (_req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(ctx.origin, 'Warm', warmPaths));
    };
    routes['/hostile.xml'] = (_req, res, ctx) => {
      const paths = [
        ...PAGE_CASES.map(c => c.path),
        ...CORPUS_PAGES.map(c => corpusPath(c.name)),
        ...normalPaths,
      ];
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(ctx.origin, 'Hostile', paths));
    };
    routes['*'] = (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const redirect = /^\/redirect\/(\d+)$/.exec(path);
      if (redirect) {
        const n = Number(redirect[1]);
        if (n === 0) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>arrived</p>');
        return void res.writeHead(302, { location: `/redirect/${n - 1}` }).end();
      }
      const corpus = corpusBodies.get(path);
      if (corpus !== undefined) {
        const type = path.includes('/page-')
          ? 'text/html; charset=utf-8'
          : path.includes('/feed-json')
            ? 'application/feed+json'
            : 'application/rss+xml; charset=utf-8';
        return void res.writeHead(200, { 'content-type': type }).end(corpus);
      }
      const article = /^\/a\/(\d+)$/.exec(path);
      if (article) {
        return void res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(articleHtml(Number(article[1])).html);
      }
      res.writeHead(404).end();
    };
    const server = await startHostileServer({ routes });
    cleanups.push(() => server.close());

    const { prefix, redis, keys } = faultPrefix('faults-hostile', cleanups);
    const warmFeed = { id: 'warm', url: server.url('/warm.xml') };
    const cluster = startCluster(
      faultService({
        redisUrl: testRedisUrl(),
        prefix,
        ports: [server.port],
        service: {
          api: { host: '127.0.0.1', port: 0 },
          fetch: { timeout: `${FETCH_TIMEOUT_MS}ms`, headersTimeout: '1500ms', bodyTimeout: '10s' },
        },
      }),
      [warmFeed],
    );
    cleanups.push(() => cluster.killAll());
    const proc: Proc = cluster.spawn('all');
    const pid = proc.child.pid ?? 0;

    // Warm-up: the API answers and the ordinary feed's articles are stored.
    let api = '';
    await until(
      () => {
        const line = proc.logs.find(l => l.msg === 'api listening');
        api = typeof line?.address === 'string' ? line.address : '';
        if (!proc.alive()) throw new Error('the service exited during startup');
        return api !== '';
      },
      'the API',
      60_000,
    );
    await until(
      async () => Number((await redis.hget(`${prefix}:{ops}:stats`, 'article.stored')) ?? 0) >= WARM,
      'warm-up',
      60_000,
    );
    expect(await waitForDrain(redis, keys, { timeoutMs: 30_000, settleMs: 1_000 })).toBe(true);

    // Baseline: RSS, and a scrape that resets the event-loop delay histogram (prom-client resets it per scrape).
    const before = await scrape(api);
    const rssBefore = metricValue(before, 'process_resident_memory_bytes');
    const sampler = sampleRss(pid);
    cleanups.push(() => Promise.resolve(sampler.stop()));

    // The hostile feeds go into feeds.yaml; the poller's watcher applies them.
    const hostileFeeds = [
      { id: 'hostile', url: server.url('/hostile.xml') },
      ...FEED_CASES.map(c => ({ id: c.id, url: server.url(c.path) })),
      ...CORPUS_FEEDS.map(c => ({ id: c.name, url: server.url(corpusPath(c.name)) })),
    ];
    writeFileSync(join(cluster.dir, 'feeds.yaml'), stringify({ feeds: [warmFeed, ...hostileFeeds] }));
    const t0 = Date.now();
    await until(
      async () => {
        const polled = await Promise.all(
          hostileFeeds.map(f => redis.hget(`${prefix}:feed:${f.id}`, 'lastPolledAt')),
        );
        return polled.every(Boolean);
      },
      'the hostile feeds to be polled',
      30_000,
    );
    expect(await waitForDrain(redis, keys, { timeoutMs: 60_000, settleMs: 2_000 })).toBe(true);
    const hostileMs = Date.now() - t0;

    const after = await scrape(api);
    sampler.stop();
    const rssAfter = metricValue(after, 'process_resident_memory_bytes');
    const rssPeak = Math.max(sampler.peak() ?? rssAfter, rssAfter);
    const lagP99 = metricValue(after, 'nodejs_eventloop_lag_p99_seconds');
    const lagMax = metricValue(after, 'nodejs_eventloop_lag_max_seconds');
    expect(proc.alive()).toBe(true);

    // Every URL: exactly one record, of the class the fetcher gives it.
    const report = await checkInvariant(redis, keys, cluster.historyFile);
    const hashOf = new Map<string, string>();
    for (const h of report.history) if (h.ev === 'enqueue') hashOf.set(h.url, h.urlHash);
    const records = new Map<string, Record<string, string>[]>();
    for (const [, flat] of await redis.xrange(failuresKey(keys), '-', '+')) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      const key = `${f.scope}:${f.scope === 'article' ? f.url : f.id}`;
      records.set(key, [...(records.get(key) ?? []), f]);
    }
    interface Seen {
      hash: string | undefined;
      stored: boolean;
      recs: Record<string, string>[];
    }
    const pages = new Map<string, Seen>();
    for (const c of PAGE_CASES) {
      const url = server.url(c.path);
      const hash = hashOf.get(url);
      const stored = hash ? (await redis.get(keys.urlIndex(hash))) !== null : false;
      pages.set(c.path, { hash, stored, recs: records.get(`article:${url}`) ?? [] });
    }
    const feedStates = new Map<string, Record<string, string>>();
    for (const c of FEED_CASES) feedStates.set(c.id, await redis.hgetall(`${prefix}:feed:${c.id}`));

    const corpusStates = new Map<string, Record<string, string>>();
    for (const c of CORPUS_FEEDS) corpusStates.set(c.name, await redis.hgetall(`${prefix}:feed:${c.name}`));
    const growthMb = (rssPeak - rssBefore) / MiB;
    console.info(
      [
        `hostile pipeline: ${report.enqueued} URLs enqueued, ${report.stored} stored, ${report.failed} recorded ` +
          `${JSON.stringify(report.failedByClass)}, hostile phase ${(hostileMs / 1000).toFixed(1)} s`,
        ...PAGE_CASES.map(c => {
          const p = pages.get(c.path)!;
          return `  ${c.path}: ${p.stored ? 'stored' : p.recs.map(r => `${r.class} — ${r.reason}`).join(' | ')}`;
        }),
        ...FEED_CASES.map(c => {
          const st = feedStates.get(c.id)!;
          return `  feed ${c.path}: ${st.lastErrorClass ? `${st.lastErrorClass} — ${st.lastErrorReason}` : `ok, title ${st.title}`}`;
        }),
        `  RSS: ${(rssBefore / MiB).toFixed(1)} MB before, peak ${(rssPeak / MiB).toFixed(1)} MB ` +
          `(${procRss(pid) === null ? 'no /proc: scrapes only' : 'sampled from /proc every 100 ms'}), ` +
          `${(rssAfter / MiB).toFixed(1)} MB after; growth ${growthMb.toFixed(1)} MB (bound ${RSS_GROWTH_BOUND_MB})`,
        ...CORPUS_FEEDS.map(c => {
          const st = corpusStates.get(c.name)!;
          return `  corpus feed ${c.name}: ${st.lastErrorClass ? `${st.lastErrorClass} — ${st.lastErrorReason}` : 'parsed'}`;
        }),
        `  event-loop delay over the hostile phase: p99 ${(lagP99 * 1000).toFixed(1)} ms, max ${(lagMax * 1000).toFixed(1)} ms`,
        ...report.violations.map(v => `  violation: ${v}`),
      ].join('\n'),
    );

    for (const c of PAGE_CASES) {
      const { hash, stored, recs } = pages.get(c.path)!;
      expect(hash, `${c.path} was enqueued`).toBeDefined();
      if (c.expect === 'stored') {
        expect(stored, `${c.path} stored`).toBe(true);
        expect(recs, c.path).toEqual([]);
        const view = (await (await fetch(`${api}/articles/${hash}`)).json()) as {
          body?: { contentText?: string };
        };
        expect(view.body?.contentText ?? '', c.path).toContain(c.text ?? '');
      } else {
        expect(stored, `${c.path} not stored`).toBe(false);
        expect(
          recs.map(r => r.class),
          c.path,
        ).toEqual([c.expect]);
        if (c.reason) expect(recs[0]?.reason, c.path).toMatch(c.reason);
      }
      const starts = report.history.filter(h => h.ev === 'start' && h.urlHash === hash).length;
      expect(starts, `${c.path} attempts`).toBe(c.attempts ?? 1);
    }
    for (const c of FEED_CASES) {
      const state = feedStates.get(c.id)!;
      const recs = records.get(`feed:${c.id}`) ?? [];
      if ('errorClass' in c) {
        expect(state.lastErrorClass, c.id).toBe(c.errorClass);
        expect(
          recs.map(r => r.class),
          c.id,
        ).toEqual([c.errorClass]);
      } else {
        expect(state.lastErrorClass ?? '', c.id).toBe('');
        expect(state.title, c.id).toBe(c.title);
        expect(recs, c.id).toEqual([]);
      }
    }
    for (const c of CORPUS_PAGES) {
      const url = server.url(corpusPath(c.name));
      const hash = hashOf.get(url);
      expect(hash, `${c.name} was enqueued`).toBeDefined();
      const stored = hash ? (await redis.get(keys.urlIndex(hash))) !== null : false;
      const recs = records.get(`article:${url}`) ?? [];
      if (c.errorClass) {
        expect(
          recs.map(r => r.class),
          c.name,
        ).toEqual([`extract:${c.errorClass}`]);
      } else {
        // Any one ending: stored, or one record (the case is about cost, checked by the bounds below).
        expect(Number(stored) + recs.length, `${c.name}: ${JSON.stringify(recs)}`).toBe(1);
      }
    }
    for (const c of CORPUS_FEEDS) {
      const state = corpusStates.get(c.name)!;
      expect(state.lastPolledAt, `${c.name} polled`).toBeTruthy();
      if (c.expect === 'parsed') {
        expect(state.lastErrorClass ?? '', `${c.name}: ${state.lastErrorReason}`).toBe('');
      }
    }
    for (const p of normalPaths) {
      const hash = hashOf.get(server.url(p));
      expect(hash && (await redis.get(keys.urlIndex(hash))), p).toBeTruthy();
    }
    expect(report.violations).toEqual([]);
    expect(growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB);
    expect(lagP99).toBeGreaterThan(0);
    expect(lagP99).toBeLessThan(LAG_P99_BOUND_S);
  });
});
