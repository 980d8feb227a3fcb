import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig } from '../../src/config/load.js';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../src/demo/fixture-site.js';
import { canonicalUrlKey, hashKey } from '../../src/dedupe/url-key.js';
import { DEFAULT_DEDUPE, planDecision } from '../../src/dedupe/story.js';
import type { NormalizedArticle } from '../../src/dedupe/article.js';
import { createRuntime, type Runtime } from '../../src/pipeline/runtime.js';
import { runOnce, type RunSummary } from '../../src/pipeline/run-once.js';
import { createLogger } from '../../src/shared/logger.js';
import { cleanupPrefix, testRedisUrl } from './redis.js';

/**
 * What the console tests run the pipeline on: the offline demo site (an original and a syndicated copy that
 * credits it), a hostile page whose title and body carry script, an `onerror=` handler and a `javascript:` link,
 * two more items of that feed that are not stored (a page that answers 404, a page with no article), and a feed
 * that answers 404 (failures to show). All on loopback.
 */
export const HOSTILE_PAGE_TITLE = 'Council vote <script>window.__pwned=1</script> ends';
/**
 * The pipeline strips markup from titles, so a title that still carries it is stored through the story store's
 * decision (the pipeline's write path) as the pipeline would store any other article.
 */
export const HOSTILE_TITLE =
  'Seeded <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> javascript:window.__pwned=1';
export const HOSTILE_TEXTS = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1">',
  '<a href="javascript:window.__pwned=1">',
] as const;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const FILLER = [
  'The river council met on Tuesday evening to settle the long argument over the harbor bridge budget.',
  'Residents filled the hall, and the mayor read the proposal aloud before the members debated its cost.',
  'Engineers said the repairs could not wait another season, citing cracks found during the spring survey.',
  'Several members asked whether the state would share the cost, as it did for the ferry terminal in 2019.',
  'After two hours the council agreed to a phased plan, with the first contracts to be signed in January.',
];

function hostileArticle(origin: string): string {
  const paras = [
    ...FILLER,
    `Readers quoted the markup ${esc(HOSTILE_TEXTS[0])} in their letters, which the paper prints as text.`,
    `One letter ended with ${esc(HOSTILE_TEXTS[1])} and another with ${esc(HOSTILE_TEXTS[2])} as plain words.`,
    ...FILLER.map(p => p.replace('council', 'committee')),
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${esc(HOSTILE_PAGE_TITLE)}</title>
<meta property="og:title" content="${esc(HOSTILE_PAGE_TITLE)}">
<meta property="og:site_name" content="Hostile Gazette">
<link rel="canonical" href="${origin}/2026/12/01/council-vote/">
<script>window.__pwned=1</script>
</head><body>
<header><a href="/">Hostile Gazette</a></header>
<article>
<h1>${esc(HOSTILE_PAGE_TITLE)}</h1>
<p class="byline">By Ada Example, December 1, 2026</p>
${paras.map(p => `<p>${p}</p>`).join('\n')}
<p><img src="x" onerror="window.__pwned=1" alt="harbor bridge"> The bridge at dawn.</p>
<p><a href="javascript:window.__pwned=1">Read the full minutes</a> of the meeting, published by the clerk.</p>
<script>window.__pwned=1</script>
</article>
</body></html>`;
}

function hostileFeed(origin: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile Gazette</title><link>${origin}/</link><description>x</description>
<item><title><![CDATA[${HOSTILE_PAGE_TITLE}]]></title><link>${origin}/2026/12/01/council-vote/</link>
<guid>${origin}/2026/12/01/council-vote/</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>
<item><title>Withdrawn story</title><link>${origin}/2026/12/01/withdrawn/</link>
<guid>${origin}/2026/12/01/withdrawn/</guid><pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate></item>
<item><title>Photo of the day</title><link>${origin}/2026/12/01/photo/</link>
<guid>${origin}/2026/12/01/photo/</guid><pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate></item>
</channel></rss>`;
}

// 1×1 transparent PNG: what the hostile host answers for any image the body names.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

export interface ConsoleSite {
  rt: Runtime;
  site: FixtureSite;
  hostileOrigin: string;
  summary: RunSummary;
  close(): Promise<void>;
}

export async function publishConsoleSite(prefix: string): Promise<ConsoleSite> {
  const site = await startFixtureSite();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/feed.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(hostileFeed(origin));
    } else if (path === '/2026/12/01/council-vote/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostileArticle(origin));
    } else if (path === '/2026/12/01/photo/') {
      // No article on it: the extractor skips it, and the feed's page says so.
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<!doctype html><html lang="en"><head><title>Photo</title></head><body><img src="/p.png" alt=""></body></html>',
        );
    } else if (path === '/robots.txt' || path === '/missing.xml' || path === '/2026/12/01/withdrawn/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else {
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    }
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  const feeds = [
    { ...site.feeds[0]!, tags: ['ports'] },
    { ...site.feeds[1]!, tags: ['aggregators'] },
    { id: 'hostile-gazette', url: `${origin}/feed.xml`, title: 'Hostile Gazette', tags: ['local'] },
    { id: 'gone-feed', url: `${origin}/missing.xml`, title: 'Gone feed' },
  ];
  const config = buildConfig(
    'config',
    {
      log: { level: 'silent' },
      redis: { keyPrefix: prefix },
      fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [...fixturePorts(site), port] },
    },
    feeds,
  );
  const rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
  const summary = await runOnce(rt, { pollIntervalMs: 50 });
  await seedHostileTitle(rt, `${origin}/2026/12/02/seeded/`);
  return {
    rt,
    site,
    hostileOrigin: origin,
    summary,
    async close() {
      await cleanupPrefix(rt.redis, prefix);
      await rt.close();
      await site.close();
      await new Promise<void>(done => server.close(() => done()));
    },
  };
}

async function seedHostileTitle(rt: Runtime, url: string): Promise<void> {
  const urlKey = canonicalUrlKey(url)!;
  const urlHash = hashKey(urlKey);
  const text = `${FILLER.join(' ')} ${HOSTILE_TEXTS.join(' ')}`;
  const now = Date.now();
  const article: NormalizedArticle = {
    id: urlHash,
    url,
    finalUrl: url,
    urlKey,
    feed: { id: 'hostile-gazette', url: url.replace(/\/2026.*/, '/feed.xml') },
    fetchedAt: new Date(now).toISOString(),
    schemaVersion: 1,
    title: HOSTILE_TITLE,
    authors: [],
    byline: null,
    siteName: 'Hostile <b>Gazette</b>',
    publishedAt: new Date(now).toISOString(),
    modifiedAt: null,
    lang: 'en',
    excerpt: null,
    leadImage: null,
    tags: [],
    contentHtml: `<p>${esc(text)}</p>`,
    contentText: text,
    wordCount: text.split(/\s+/).length,
    readingMinutes: 1,
    canonicalUrl: url,
    attribution: null,
    access: 'free',
    contentSource: 'page',
  };
  const plan = planDecision({ article, attribution: null, urlHash, settings: DEFAULT_DEDUPE, now });
  await rt.store.decide(plan, article);
}
