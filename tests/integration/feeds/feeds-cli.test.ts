import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { pollFeed, pollSettingsFrom } from '../../../src/pipeline/poll-feed.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import { runCli } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { rssFeed, startFeedServer, type FeedServer } from './feed-server.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/feeds');

describe('newsflow feeds list|add|import|export|enable and parse-feed (built CLI)', () => {
  let server: FeedServer;
  let redis: Redis;
  let dir: string;
  const prefix = testPrefix('feedscli');

  const FEEDS_TEMPLATE = [
    '# The feeds newsflow polls.',
    '#   - id: lower-case-id',
    'feeds:',
    '  # our own',
    '  - id: healthy',
    '    url: URL_HEALTHY # keep this comment',
    '',
    '  - id: flaky',
    '    url: URL_FLAKY',
    '    interval: 30m',
    '',
    '  - id: gone',
    '    url: URL_GONE',
    '# end of list',
    '',
  ].join('\n');

  beforeAll(async () => {
    server = await startFeedServer();
    redis = testRedis();
    dir = mkdtempSync(join(tmpdir(), 'nf-feedscli-'));
    writeFileSync(
      join(dir, 'newsflow.yaml'),
      stringify({
        log: { level: 'silent' },
        redis: { url: testRedisUrl(), keyPrefix: prefix },
        fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [server.port], politeness: { interval: 0 } },
      }),
    );
    writeFileSync(
      join(dir, 'feeds.yaml'),
      FEEDS_TEMPLATE.replace('URL_HEALTHY', server.url('/healthy.xml'))
        .replace('URL_FLAKY', server.url('/flaky.xml'))
        .replace('URL_GONE', server.url('/gone.xml')),
    );
    server.route('/healthy.xml', {
      body: rssFeed(
        [{ guid: 'h1', link: 'https://healthy.example/1', title: 'One', ageMs: 3_600_000 }],
        Date.now(),
      ),
    });
    server.route('/flaky.xml', { status: 503, body: 'maintenance' });
    server.route('/gone.xml', { status: 410 });
    server.route('/blog', {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html><html><head><title>Blog</title>
        <link rel="alternate" type="application/atom+xml" title="Atom" href="/blog/atom.xml">
        </head><body>hi</body></html>`,
    });
    server.route('/blog/atom.xml', {
      headers: { 'content-type': 'application/atom+xml' },
      body: readFileSync(join(FIXTURES, 'atom10-xmlbase.xml')),
    });
    server.route('/site', {
      headers: { 'content-type': 'text/html' },
      body: '<html><head></head><body></body></html>',
    });
    server.route('/feed.json', {
      headers: { 'content-type': 'application/feed+json' },
      body: readFileSync(join(FIXTURES, 'jsonfeed-1.1.json')),
    });
  });

  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('feeds list shows a healthy, a backing-off and a disabled feed with their state and reasons', async () => {
    const config = loadConfig(dir, { env: {} });
    const rt: Runtime = await createRuntime(config, testRedisUrl(), createLogger('silent'));
    try {
      const deps = {
        redis: rt.redis,
        keys: rt.keys,
        fetcher: rt.fetcher,
        store: rt.store,
        articleQueue: rt.articleQueue,
        articleAttempts: 1,
        log: rt.log,
        now: Date.now,
        settings: pollSettingsFrom(config.service),
      };
      for (const feed of config.feeds) await pollFeed(deps, feed);
    } finally {
      await rt.close();
    }
    const res = await runCli(['--config', dir, 'feeds', 'list']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+LAST POLL\s+NEXT POLL\s+INTERVAL\s+ERRORS\s+ITEMS\s+URL$/);
    expect(lines.find(l => l.startsWith('healthy '))).toMatch(
      /healthy\s+\S+ \S+ 200\s+\S+ \S+\s+.*\(adaptive: 1 items in 7 days\)\s+0\s+1\s+http/,
    );
    expect(lines.find(l => l.startsWith('flaky '))).toMatch(
      /backing-off\s+.* 503\s+.*\(backoff: 1 error \(30 min × 2\^1\)\)\s+1\s+0/,
    );
    expect(res.stdout).toContain('last error: http: HTTP 503');
    expect(lines.find(l => l.startsWith('gone '))).toMatch(
      /^gone\s+disabled\s+.* 410\s+-\s+-\s+1\s+0\s+http/,
    );
    expect(res.stdout).toMatch(/disabled: HTTP 410 Gone \(at \d{4}-\d\d-\d\d \d\d:\d\dZ\)/);

    const json = await runCli(['--config', dir, 'feeds', 'list', '--json']);
    // JSON Lines: one object per feed.
    const rows = json.stdout
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as { id: string; status: string; disabledReason: string | null });
    expect(rows.map(r => [r.id, r.status])).toEqual([
      ['healthy', 'healthy'],
      ['flaky', 'backing-off'],
      ['gone', 'disabled'],
    ]);

    const enabled = await runCli(['--config', dir, 'feeds', 'enable', 'gone']);
    expect(enabled.code).toBe(0);
    const after = await runCli(['--config', dir, 'feeds', 'list']);
    expect(after.stdout.split('\n').find(l => l.startsWith('gone '))).toMatch(/^gone\s+healthy/);
  });

  it('feeds add discovers a page’s feed via <link rel=alternate>, keeps comments and order; refuses duplicates', async () => {
    const res = await runCli(['--config', dir, 'feeds', 'add', server.url('/blog'), '--tag', 'walks']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `: ${server.url('/blog/atom.xml')} — atom-1.0, "Field Notes" (found via <link rel="alternate">)`,
    );
    const text = readFileSync(join(dir, 'feeds.yaml'), 'utf8');
    expect(text).toContain('# The feeds newsflow polls.');
    expect(text).toContain('# keep this comment');
    expect(text).toContain('# end of list');
    const ids = loadConfig(dir, { env: {} }).feeds.map(f => f.id);
    expect(ids.slice(0, 3)).toEqual(['healthy', 'flaky', 'gone']);
    const added = loadConfig(dir, { env: {} }).feeds[3]!;
    expect(added).toMatchObject({ url: server.url('/blog/atom.xml'), title: 'Field Notes', tags: ['walks'] });

    const again = await runCli(['--config', dir, 'feeds', 'add', server.url('/blog/atom.xml')]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('already in feeds.yaml');

    // No <link>: common paths on the origin.
    const common = await runCli(['--config', dir, 'feeds', 'add', server.url('/site')]);
    expect(common.code).toBe(0);
    expect(common.stdout).toContain(
      `${server.url('/feed.json')} — json-1.1, "Lantern Log" (found via a common path)`,
    );

    server.route('/feed.json', { status: 404 });
    const none = await runCli(['--config', dir, 'feeds', 'add', server.url('/nothing-here')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^newsflow feeds: no feed found at /);
  });

  it('feeds import reads OPML (folders and categories become tags); feeds export writes it back', async () => {
    const opml = join(dir, 'subs.opml');
    writeFileSync(
      opml,
      `<?xml version="1.0"?><opml version="1.0"><head><title>Mine</title></head><body>
        <outline text="News &amp; Views">
          <outline type="rss" text="Wire One" xmlUrl="https://wire-one.example/rss" htmlUrl="https://wire-one.example/"/>
          <outline type="rss" title="Wire Two" text="w2" xmlUrl="https://wire-two.example/atom" category="/world/europe"/>
        </outline>
        <outline type="rss" text="Harbor again" xmlUrl="${server.url('/healthy.xml')}"/>
        <outline text="no feed here"/>
      </body></opml>`,
    );
    const res = await runCli(['--config', dir, 'feeds', 'import', opml]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('2 added, 1 skipped, 3 in');
    const feeds = loadConfig(dir, { env: {} }).feeds;
    expect(feeds.find(f => f.url === 'https://wire-two.example/atom')).toMatchObject({
      title: 'Wire Two',
      tags: ['News & Views', 'world', 'europe'],
    });

    const out = await runCli(['--config', dir, 'feeds', 'export']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0">/);
    expect(out.stdout).toContain('<outline text="News &amp; Views" title="News &amp; Views">');
    expect(out.stdout).toContain('xmlUrl="https://wire-one.example/rss"');
    // Round trip: importing the export into an empty list gives the same feeds.
    const dir2 = mkdtempSync(join(tmpdir(), 'nf-feedscli2-'));
    try {
      writeFileSync(join(dir2, 'newsflow.yaml'), '');
      writeFileSync(join(dir2, 'feeds.yaml'), 'feeds: []\n');
      writeFileSync(join(dir2, 'export.opml'), out.stdout);
      const back = await runCli(['--config', dir2, 'feeds', 'import', join(dir2, 'export.opml')]);
      expect(back.code).toBe(0);
      expect(
        loadConfig(dir2, { env: {} })
          .feeds.map(f => f.url)
          .sort(),
      ).toEqual(feeds.map(f => f.url).sort());
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }

    const bad = await runCli(['--config', dir, 'feeds', 'import', join(FIXTURES, 'rss2-full.xml')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an OPML document \(root <rss>\)/);
  });

  it('feeds add: a site with no feed but a robots.txt Sitemap line becomes a sitemap source; --no-sitemap refuses', async () => {
    server.route('/robots.txt', {
      headers: { 'content-type': 'text/plain' },
      body: `User-agent: *\nSitemap: ${server.url('/sitemaps/news.xml')}\n`,
    });
    server.route('/sitemaps/news.xml', {
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
        <url><loc>${server.url('/2026/one')}</loc><news:news><news:title>One</news:title>
        <news:publication_date>2026-03-01T08:00:00Z</news:publication_date></news:news></url></urlset>`,
    });
    server.route('/no-feed', {
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>No feed</title></head><body>news</body></html>',
    });
    const before = readFileSync(join(dir, 'feeds.yaml'), 'utf8');
    const refused = await runCli(['--config', dir, 'feeds', 'add', server.url('/no-feed'), '--no-sitemap']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^newsflow feeds: no feed found at /);
    expect(readFileSync(join(dir, 'feeds.yaml'), 'utf8')).toBe(before);
    const asFeed = await runCli(['--config', dir, 'feeds', 'add', server.url('/no-feed'), '--type', 'feed']);
    expect(asFeed.code).toBe(1);

    const res = await runCli([
      '--config',
      dir,
      'feeds',
      'add',
      server.url('/no-feed'),
      '--id',
      'harbor-site',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      `added harbor-site: ${server.origin}/ — sitemap source (the site has no feed; sitemaps via robots.txt: ` +
        `${server.url('/sitemaps/news.xml')})\n`,
    );
    const text = readFileSync(join(dir, 'feeds.yaml'), 'utf8');
    expect(text).toContain('# keep this comment');
    expect(text).toContain(`  - id: harbor-site\n    url: ${server.origin}/\n    type: sitemap\n`);
    const feeds = loadConfig(dir, { env: {} }).feeds;
    expect(feeds.at(-1)).toMatchObject({ id: 'harbor-site', type: 'sitemap', url: `${server.origin}/` });
    expect(feeds.slice(0, 3).map(f => f.id)).toEqual(['healthy', 'flaky', 'gone']);

    // --type sitemap: a URL that is a sitemap is added as it is; one that is not is refused.
    const direct = await runCli([
      '--config',
      dir,
      'feeds',
      'add',
      '--type',
      'sitemap',
      server.url('/sitemaps/news.xml'),
      '--id',
      'harbor-news',
    ]);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toBe(
      `added harbor-news: ${server.url('/sitemaps/news.xml')} — sitemap source (a news sitemap of 1 URLs)\n`,
    );
    const notSitemap = await runCli([
      '--config',
      dir,
      'feeds',
      'add',
      '--type',
      'sitemap',
      server.url('/healthy.xml'),
    ]);
    expect(notSitemap.code).toBe(1);
    expect(notSitemap.stderr).toBe(
      `newsflow feeds: no sitemap at ${server.url('/healthy.xml')} (${server.url('/healthy.xml')}: ` +
        "not a sitemap: the document's root is <rss>, not <urlset> or <sitemapindex>)\n",
    );
    const badType = await runCli([
      '--config',
      dir,
      'feeds',
      'add',
      '--type',
      'podcast',
      server.url('/no-feed'),
    ]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toBe('newsflow: --type: "podcast" is neither feed nor sitemap\n');
  });

  it('parse-feed prints one JSON object in the documented shape, or exits 1 with one line', async () => {
    const ok = await runCli(['parse-feed', join(FIXTURES, 'rss2-full.xml')]);
    expect(ok.code).toBe(0);
    const feed = JSON.parse(ok.stdout) as Record<string, unknown> & { items: Record<string, unknown>[] };
    expect(Object.keys(feed)).toEqual([
      'format',
      'title',
      'link',
      'description',
      'language',
      'updatedAt',
      'items',
    ]);
    expect(Object.keys(feed.items[0]!)).toEqual([
      'id',
      'link',
      'title',
      'publishedAt',
      'updatedAt',
      'authors',
      'categories',
      'summaryHtml',
      'contentHtml',
      'image',
      'source',
    ]);
    const rel = await runCli([
      'parse-feed',
      join(FIXTURES, 'relative-no-base.xml'),
      '--base-url',
      'https://mirror.example/x/feed.xml',
    ]);
    expect((JSON.parse(rel.stdout) as { items: { link: string }[] }).items[0]?.link).toBe(
      'https://mirror.example/2025/root-relative',
    );
    const koi = await runCli([
      'parse-feed',
      join(FIXTURES, 'enc-koi8-r.xml'),
      '--content-type',
      'application/rss+xml; charset=koi8-r',
    ]);
    expect((JSON.parse(koi.stdout) as { title: string }).title).toBe('Погода в Москве');
    const url = await runCli(['--config', dir, 'parse-feed', server.url('/blog/atom.xml')]);
    expect((JSON.parse(url.stdout) as { items: { link: string }[] }).items[0]?.link).toBe(
      'https://blog.example/journal/2025/05/moorland',
    );

    for (const [args, reason] of [
      [[join(FIXTURES, 'garbage.txt')], /^newsflow parse-feed: not a feed: no XML element found\n$/],
      [[join(FIXTURES, 'missing.xml')], /^newsflow parse-feed: .*missing\.xml: cannot read: no such file\n$/],
      [['--config', dir, server.url('/gone.xml')], /^newsflow parse-feed: .*gone\.xml: http: HTTP 410\n$/],
    ] as const) {
      const r = await runCli(['parse-feed', ...args]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(reason);
    }
  });
});
