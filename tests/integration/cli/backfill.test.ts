import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { openCursor, patientFetcher, runBackfill } from '../../../src/pipeline/backfill.js';
import { createRuntime } from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import type { ArticleJobData } from '../../../src/pipeline/queues.js';
import { backfillCursorKey, keysFor, QUEUE } from '../../../src/store/keys.js';
import { runCli, spawnCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

/**
 * `newsflow backfill`: a site served on 127.0.0.1 — robots.txt names a sitemap index, whose two gzip children
 * list articles over five months (and one undated entry) — read through the built CLI against real Redis.
 */

interface Site {
  origin: string;
  port: number;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Entries per month: child `new` (lastmod March 2026) lists 2026, child `old` (December 2025) lists 2025. */
const NEW_MONTHS = { '2026-03': 2, '2026-02': 4, '2026-01': 3 };
const OLD_MONTHS = { '2025-12': 5, '2025-11': 2 };

function urlset(origin: string, months: Record<string, number>, undated: string[] = []): string {
  const entries: string[] = [];
  for (const [month, count] of Object.entries(months)) {
    for (let i = 1; i <= count; i++) {
      entries.push(
        `<url><loc>${origin}/${month}/story-${i}</loc><lastmod>${month}-${String(i + 1).padStart(2, '0')}T08:00:00Z</lastmod></url>`,
      );
    }
  }
  for (const path of undated) entries.push(`<url><loc>${origin}${path}</loc></url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${entries.join('\n')}
</urlset>`;
}

function index(children: { loc: string; lastmod: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${children.map(c => `<sitemap><loc>${c.loc}</loc><lastmod>${c.lastmod}</lastmod></sitemap>`).join('\n')}
</sitemapindex>`;
}

async function startSite(): Promise<Site> {
  const requests: string[] = [];
  let origin = '';
  const routes = (): Record<string, { type: string; body: string | Buffer }> => ({
    '/robots.txt': {
      type: 'text/plain',
      body: `User-agent: *\nAllow: /\nSitemap: ${origin}/sitemap_index.xml\n`,
    },
    '/sitemap_index.xml': {
      type: 'application/xml',
      body: index([
        { loc: `${origin}/sitemaps/old.xml.gz`, lastmod: '2025-12-31T00:00:00Z' },
        { loc: `${origin}/sitemaps/new.xml.gz`, lastmod: '2026-03-05T00:00:00Z' },
      ]),
    },
    '/sitemaps/new.xml.gz': {
      type: 'application/gzip',
      body: gzipSync(urlset(origin, NEW_MONTHS, ['/about-undated'])),
    },
    '/sitemaps/old.xml.gz': { type: 'application/gzip', body: gzipSync(urlset(origin, OLD_MONTHS)) },
    // A second index, named by a feed's `sitemap`: one good child and one that is not there.
    '/broken_index.xml': {
      type: 'application/xml',
      body: index([
        { loc: `${origin}/sitemaps/old.xml.gz`, lastmod: '2025-12-31T00:00:00Z' },
        { loc: `${origin}/sitemaps/missing.xml.gz`, lastmod: '2026-01-31T00:00:00Z' },
      ]),
    },
  });
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes()[path];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type });
    res.end(route.body);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Summary {
  summary: true;
  feed: string;
  sitemaps: { read: number; skipped: number; failed: number; listed: number };
  urls: { listed: number; before: number; undated: number; known: number; queued: number; enqueued: number };
  total?: { enqueued: number };
  stoppedAtLimit: boolean;
  complete: boolean;
  resumed?: boolean;
  failures: { url: string; class: string; reason: string }[];
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map(l => JSON.parse(l) as Record<string, unknown>);
}

function summaryOf(stdout: string): Summary {
  const last = jsonLines(stdout).at(-1) as unknown as Summary;
  expect(last.summary).toBe(true);
  return last;
}

describe('newsflow backfill (built CLI, local site, real Redis)', { timeout: 120_000 }, () => {
  let site: Site;
  let redis: Redis;
  const prefixes: string[] = [];
  const dirs: string[] = [];

  /** A config folder on its own key prefix, with a sitemap source on the site and a feed with a `sitemap`. */
  function config(): { dir: string; prefix: string } {
    const prefix = testPrefix('backfill');
    prefixes.push(prefix);
    const dir = writeConfigDir(
      {
        log: { level: 'silent' },
        redis: { url: testRedisUrl(), keyPrefix: prefix },
        fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [site.port], politeness: { interval: 0 } },
      },
      [
        { id: 'harbor', type: 'sitemap', url: `${site.origin}/` },
        { id: 'wire', url: 'https://wire.example/feed.xml', sitemap: `${site.origin}/broken_index.xml` },
      ],
    );
    dirs.push(dir);
    return { dir, prefix };
  }

  function articleQueue(prefix: string): Queue<ArticleJobData> {
    return new Queue<ArticleJobData>(QUEUE.extract, {
      connection: redis,
      prefix: keysFor(prefix).bullPrefix,
      skipMetasUpdate: true,
    });
  }

  beforeAll(async () => {
    site = await startSite();
    redis = testRedis();
  });

  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis?.disconnect();
    await site?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('an unknown source or a bad option is a usage error (exit 2) with one line', async () => {
    const { dir } = config();
    const unknown = await runCli(['--config', dir, 'backfill', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'newsflow: no source "nope" in feeds.yaml (give a source id or a site\'s http(s) URL)\n',
    );
    const badSince = await runCli(['--config', dir, 'backfill', 'harbor', '--since', 'last week']);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/--since: not an ISO 8601 date/);
    const badLimit = await runCli(['--config', dir, 'backfill', 'harbor', '--limit', '0']);
    expect(badLimit.code).toBe(2);
    // A site with no robots.txt Sitemap and nothing at the common paths: what was tried.
    const none = await runCli(['--config', dir, 'backfill', 'http://127.0.0.2:1/']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^newsflow: no sitemap found for http:\/\/127\.0\.0\.2:1\/: .*robots\.txt/);
  });

  it('--dry-run counts the URLs per month, newest first, and the undated ones; --since leaves older ones out', async () => {
    const { dir, prefix } = config();
    const res = await runCli(['--config', dir, 'backfill', 'harbor', '--dry-run', '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = jsonLines(res.stdout);
    expect(lines.slice(0, -1)).toEqual([
      { month: '2026-03', urls: 2 },
      { month: '2026-02', urls: 4 },
      { month: '2026-01', urls: 3 },
      { month: '2025-12', urls: 5 },
      { month: '2025-11', urls: 2 },
      { month: null, urls: 1 },
    ]);
    const s = summaryOf(res.stdout);
    expect(s).toMatchObject({
      feed: 'harbor',
      complete: true,
      sitemaps: { read: 3, skipped: 0, failed: 0, listed: 3 },
      urls: { listed: 17, before: 0, undated: 1, enqueued: 17 },
    });

    const since = await runCli([
      '--config',
      dir,
      'backfill',
      'harbor',
      '--dry-run',
      '--json',
      '--since',
      '2026-01-01',
    ]);
    expect(since.code).toBe(0);
    expect(jsonLines(since.stdout).slice(0, -1)).toEqual([
      { month: '2026-03', urls: 2 },
      { month: '2026-02', urls: 4 },
      { month: '2026-01', urls: 3 },
      { month: null, urls: 1 },
    ]);
    expect(summaryOf(since.stdout).urls).toMatchObject({ listed: 17, before: 7, undated: 1, enqueued: 10 });

    // The human form: one line per month, then the summary line.
    const human = await runCli(['--config', dir, 'backfill', 'harbor', '--dry-run']);
    expect(human.stdout.split('\n').slice(0, 2)).toEqual(['2026-03  2', '2026-02  4']);
    expect(human.stdout).toMatch(
      /^dry run of harbor: 17 of 17 URLs would be enqueued \(1 undated \(kept\)\); 3 sitemaps read, 0 failed; complete$/m,
    );

    // A dry run enqueues nothing and keeps no cursor.
    expect(await redis.keys(`${prefix}:backfill:*`)).toEqual([]);
    const q = articleQueue(prefix);
    try {
      expect(await q.getJobCounts('waiting')).toEqual({ waiting: 0 });
    } finally {
      await q.close();
    }

    // A site URL is walked under the source on its origin.
    const byUrl = await runCli(['--config', dir, 'backfill', `${site.origin}/`, '--dry-run', '--json']);
    expect(summaryOf(byUrl.stdout)).toMatchObject({ feed: 'harbor', urls: { enqueued: 17 } });
  });

  it('--limit stops after N jobs; a rerun skips the sitemaps read to their end and enqueues the rest; stored URLs are skipped', async () => {
    const { dir, prefix } = config();
    const keys = keysFor(prefix);
    // One URL of the old child is stored already.
    const stored = `${site.origin}/2025-12/story-3`;
    await redis.set(keys.urlIndex(hashKey(canonicalUrlKey(stored)!)), 'art-1');

    const first = await runCli(['--config', dir, 'backfill', 'harbor', '--limit', '10', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const s1 = summaryOf(first.stdout);
    expect(s1).toMatchObject({
      feed: 'harbor',
      stoppedAtLimit: true,
      complete: false,
      resumed: false,
      // The index, then its newest child (2026, 10 URLs); the old one is not fetched.
      sitemaps: { read: 2, skipped: 0, failed: 0, listed: 3 },
      urls: { enqueued: 10, undated: 1 },
    });
    const q = articleQueue(prefix);
    try {
      expect((await q.getJobCounts('waiting')).waiting).toBe(10);
      const job = (await q.getJobs(['waiting'], 0, 0))[0]!;
      expect(job.data.feed).toEqual({ id: 'harbor', url: `${site.origin}/` });
      expect(job.id).toBe(`a-${job.data.urlHash}`);
      expect(await redis.pttl(`${prefix}:backfill:feed:harbor`)).toBeGreaterThan(29 * 86_400_000);

      const before = site.requests.length;
      const second = await runCli(['--config', dir, 'backfill', 'harbor']);
      expect(second.code).toBe(0);
      expect(second.stderr).toBe(
        'newsflow backfill: resuming harbor: 1 sitemaps read by earlier runs are skipped\n',
      );
      const asked = site.requests.slice(before);
      expect(asked).not.toContain('/sitemaps/new.xml.gz');
      expect(asked).toContain('/sitemaps/old.xml.gz');
      expect(second.stdout).toBe(
        'backfill of harbor (feed harbor): 6 of 7 URLs enqueued (1 already stored, 0 already queued, 0 undated (kept)); ' +
          '2 sitemaps read, 1 read earlier, 0 failed; over all runs 16 enqueued; complete\n',
      );
      const jobs = await q.getJobs(['waiting'], 0, -1);
      expect(jobs).toHaveLength(16);
      const urls = new Set(jobs.map(j => j.data.url));
      expect(urls.has(stored)).toBe(false);
      expect(urls.has(`${site.origin}/about-undated`)).toBe(true);

      // Complete: a rerun starts over, finds every URL queued, and enqueues nothing.
      const third = await runCli(['--config', dir, 'backfill', 'harbor', '--json']);
      expect(third.code).toBe(0);
      expect(third.stderr).toMatch(/completed at .*: starting over/);
      expect(summaryOf(third.stdout).urls).toMatchObject({ enqueued: 0, queued: 16, known: 1 });
    } finally {
      await q.close();
    }
  });

  it('a rerun with another --since is refused while a backfill is unfinished; --restart starts over', async () => {
    const { dir } = config();
    const first = await runCli([
      '--config',
      dir,
      'backfill',
      'harbor',
      '--limit',
      '2',
      '--since',
      '2025-12-01',
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/stopped at --limit 2: rerun to resume\n$/);
    const other = await runCli(['--config', dir, 'backfill', 'harbor']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/with --since 2025-12-01T00:00:00.000Z is unfinished .*--restart\n$/);
    const restart = await runCli(['--config', dir, 'backfill', 'harbor', '--restart', '--json']);
    expect(restart.code).toBe(0);
    // The two jobs of the first run are in the queue already.
    expect(summaryOf(restart.stdout).urls).toMatchObject({ enqueued: 15, queued: 2 });
  });

  it('a child sitemap that fails: exit 1, one line on stderr with the reason, the rest enqueued', async () => {
    const { dir } = config();
    const res = await runCli(['--config', dir, 'backfill', 'wire', '--json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`newsflow backfill: ${site.origin}/sitemaps/missing.xml.gz: http: HTTP 404\n`);
    const s = summaryOf(res.stdout);
    expect(s).toMatchObject({
      feed: 'wire',
      complete: false,
      sitemaps: { failed: 1 },
      urls: { enqueued: 7 },
    });
    expect(s.failures).toEqual([
      expect.objectContaining({ url: `${site.origin}/sitemaps/missing.xml.gz`, class: 'http' }),
    ]);
  });

  it('a walk cap stops the backfill (the CLI exits 3); the next run resumes past the sitemaps read', async () => {
    const { dir } = config();
    const rt = await createRuntime(loadConfig(dir, { env: {} }), testRedisUrl(), createLogger('silent'));
    try {
      const key = backfillCursorKey(rt.keys, 'feed', 'harbor');
      const run = async () => {
        const opened = await openCursor(rt.redis, key, { since: null, restart: false });
        return runBackfill(
          {
            redis: rt.redis,
            keys: rt.keys,
            fetcher: patientFetcher(rt.fetcher),
            store: rt.store,
            articleQueue: rt.articleQueue,
            articleAttempts: 1,
          },
          {
            feed: { id: 'harbor', url: `${site.origin}/` },
            roots: [`${site.origin}/sitemap_index.xml`],
            sinceMs: null,
            limit: null,
            maxQueued: 1000,
            dryRun: false,
            cursorKey: key,
            caps: { maxDepth: 3, maxSitemaps: 2, maxBytes: 2 ** 30 },
          },
          opened.kind === 'resume' ? opened.resume : null,
        );
      };
      const first = await run();
      expect(first).toMatchObject({ capped: 'count', complete: false, counts: { enqueued: 10 } });
      const second = await run();
      expect(second).toMatchObject({
        capped: null,
        complete: true,
        sitemaps: { read: 2, skipped: 1 },
        counts: { enqueued: 7 },
        totals: { enqueued: 17 },
      });
      expect(await rt.redis.hget(key, 'state')).toBe('complete');
    } finally {
      await rt.close();
    }
  });

  it('--max-queued: enqueuing pauses while the queue is full', async () => {
    const { dir, prefix } = config();
    const q = articleQueue(prefix);
    const child = spawnCli(['--config', dir, 'backfill', 'harbor', '--max-queued', '4', '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', d => (stdout += String(d)));
    child.stderr!.on('data', d => (stderr += String(d)));
    const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
    let most = 0;
    let drained = 0;
    let code: number | null | undefined;
    void exited.then(c => (code = c));
    try {
      // A slow consumer: every 300 ms, take the jobs waiting.
      while (code === undefined) {
        await new Promise(r => setTimeout(r, 300));
        const waiting = await q.getJobs(['waiting'], 0, -1);
        most = Math.max(most, waiting.length);
        for (const j of waiting) await j.remove();
        drained += waiting.length;
      }
      drained += (await q.getJobs(['waiting'], 0, -1)).length;
    } finally {
      await q.close();
    }
    expect(code).toBe(0);
    expect(most).toBeLessThanOrEqual(4);
    expect(drained).toBe(17);
    expect(summaryOf(stdout).urls.enqueued).toBe(17);
    // Not a terminal: no bar, one line when enqueuing first pauses.
    expect(stderr).toBe(
      'newsflow backfill: the article queue holds 4 jobs (--max-queued 4): waiting for the extractors to take some\n',
    );
  });
});
