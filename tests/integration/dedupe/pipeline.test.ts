import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportStories } from '../../../src/cli/commands/stories.js';
import { buildConfig } from '../../../src/config/load.js';
import { toExportLine } from '../../../src/dedupe/story.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { createArticleWorker, createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { articleJobId } from '../../../src/pipeline/queues.js';
import { runOnce } from '../../../src/pipeline/run-once.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { bodyKeys, streamEvents, text } from './helpers.js';
import { articlePage, paragraphs, rssFeed, startSite, yoastFooterHtml, type Site } from './web.js';

const STORY = text(500, 420);
const TITLE = 'Harbor board approves electric crane fleet';

async function runtimeFor(
  prefix: string,
  sites: Site[],
  feeds: { id: string; url: string }[],
): Promise<Runtime> {
  const config = buildConfig(
    'config',
    {
      log: { level: 'silent' },
      redis: { keyPrefix: prefix },
      fetch: {
        allowNetworks: ['127.0.0.0/8'],
        allowedPorts: sites.map(s => s.port),
        politeness: { interval: 0, maxInFlight: 8 },
      },
    },
    feeds,
  );
  return createRuntime(config, testRedisUrl(), createLogger('silent'));
}

async function waitForJob(rt: Runtime, jobId: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await rt.articleQueue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') return state;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${state}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('dedupe in the pipeline (real HTTP, BullMQ, Redis)', () => {
  const redis: Redis = testRedis();
  const prefixes: string[] = [];
  let sites: Site[] = [];
  let rt: Runtime | undefined;

  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    await Promise.all(sites.map(s => s.close()));
    sites = [];
  });

  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  it('3 feeds carrying one story plus URL variants → one story, one body, three members', async () => {
    const prefix = testPrefix('dd-3feeds');
    prefixes.push(prefix);
    const [ledger, hub, wire] = (sites = await Promise.all([startSite(), startSite(), startSite()]));
    const origPath = '/2026/11/20/cranes';
    const origUrl = `${ledger!.origin}${origPath}/`;
    ledger!.pages.set(origPath, {
      type: 'text/html',
      body: articlePage({
        title: TITLE,
        siteName: 'Harbor Ledger',
        paragraphs: paragraphs(STORY),
        canonical: origUrl,
        publishedAt: '2026-11-20T10:00:00Z',
      }),
    });
    ledger!.pages.set('/feed.xml', {
      type: 'application/rss+xml',
      body: rssFeed('Harbor Ledger', ledger!.origin, [
        { title: TITLE, link: origUrl, publishedAt: '2026-11-20T10:00:00Z' },
      ]),
    });

    // The aggregator republishes the feed item: the page ends with the footer as text, its feed keeps the links.
    const footer = yoastFooterHtml(origUrl, TITLE, `${ledger!.origin}/`, 'Harbor Ledger');
    hub!.pages.set('/business/cranes', {
      type: 'text/html',
      body: articlePage({
        title: TITLE,
        siteName: 'Daily Market Hub',
        paragraphs: [...paragraphs(STORY, 60), `The post ${TITLE} appeared first on Harbor Ledger.`],
        publishedAt: '2026-11-20T10:30:00Z',
      }),
    });
    hub!.pages.set('/feed.xml', {
      type: 'application/rss+xml',
      body: rssFeed('Daily Market Hub', hub!.origin, [
        {
          title: TITLE,
          link: `${hub!.origin}/business/cranes/?utm_source=rss&utm_medium=rss`,
          publishedAt: '2026-11-20T10:30:00Z',
          contentHtml: `${paragraphs(STORY, 60)
            .map(p => `<p>${p}</p>`)
            .join('')}${footer}`,
        },
        // The original itself, with tracking parameters: the same URL key.
        { title: TITLE, link: `${origUrl}?utm_source=hub&fbclid=abc`, publishedAt: '2026-11-20T10:00:00Z' },
      ]),
    });

    // A wire copy, no footer, same text; its feed lists the original with other URL spellings.
    let wirePolls = 0;
    wire!.pages.set('/news/cranes-copy', {
      type: 'text/html',
      body: articlePage({
        title: `${TITLE} (wire)`,
        siteName: 'Wire Digest',
        paragraphs: paragraphs(STORY, 30),
        publishedAt: '2026-11-20T11:00:00Z',
      }),
    });
    wire!.pages.set('/feed.xml', {
      type: 'application/rss+xml',
      body: () =>
        rssFeed('Wire Digest', wire!.origin, [
          { title: TITLE, link: `${wire!.origin}/news/cranes-copy`, publishedAt: '2026-11-20T11:00:00Z' },
          { title: TITLE, link: `${origUrl.replace(/\/$/, '')}`, publishedAt: '2026-11-20T10:00:00Z' },
          {
            title: TITLE,
            link: origUrl.replace('http://127.0.0.1', 'HTTP://127.0.0.1'),
            publishedAt: '2026-11-20T10:00:00Z',
          },
          // From the second poll on, an https spelling too: known by its key, never fetched.
          ...(++wirePolls > 1
            ? [
                {
                  title: TITLE,
                  link: origUrl.replace('http:', 'https:'),
                  publishedAt: '2026-11-20T10:00:00Z',
                },
              ]
            : []),
        ]),
    });

    const feeds = [
      { id: 'ledger', url: `${ledger!.origin}/feed.xml` },
      { id: 'hub', url: `${hub!.origin}/feed.xml` },
      { id: 'wire', url: `${wire!.origin}/feed.xml` },
    ];
    rt = await runtimeFor(prefix, sites, feeds);
    const first = await runOnce(rt, { pollIntervalMs: 50 });
    expect(first.failures).toEqual({});
    expect(first.articlesStored).toBe(1);
    expect(first.duplicates).toBe(2);

    const storyIds = await redis.zrange(rt.keys.storiesByTime, 0, -1);
    expect(storyIds).toHaveLength(1);
    expect(await bodyKeys(redis, prefix)).toHaveLength(1);
    const story = toExportLine((await rt.store.readStory(storyIds[0]!))!);
    expect(story.representativeUrl).toBe(origUrl);
    expect(story.members.map(m => m.relation).sort()).toEqual([
      'original',
      'syndicated-copy',
      'syndicated-copy',
    ]);
    const hubMember = story.members.find(m => m.url.startsWith(hub!.origin));
    // The URL key: scheme folded to https, tracking parameters and trailing slash dropped; canonicalUrl stays an
    // address of the page (its declared canonical, else its final URL).
    expect(hubMember?.urlKey).toBe(`${hub!.origin.replace('http:', 'https:')}/business/cranes`);
    expect(hubMember?.canonicalUrl.startsWith(`${hub!.origin}/business/cranes`)).toBe(true);
    expect(hubMember?.attribution).toEqual({
      originalUrl: origUrl,
      originalPublisher: 'Harbor Ledger',
      method: 'yoast-footer',
    });
    expect((await rt.store.get(storyIds[0]!))?.url).toBe(origUrl);
    const lines: string[] = [];
    expect(await exportStories(rt.store, line => Promise.resolve(void lines.push(line)))).toBe(1);
    expect(JSON.parse(lines[0]!)).toEqual(story);
    // Each page fetched once, whatever the spelling of its URL in three feeds.
    expect(ledger!.hits.get(origPath)).toBe(1);

    const events = await streamEvents(redis, rt.keys.stream);
    expect(events).toHaveLength(3);
    expect(new Set(events.map(e => e.articleId)).size).toBe(3);
    expect(events.every(e => e.storyId === storyIds[0])).toBe(true);

    const second = await runOnce(rt, { pollIntervalMs: 50 });
    // The https spelling is known by its key: not fetched (it would fail: the sites speak http only).
    expect(second.failures).toEqual({});
    // The wire feed changed (one more spelling): its items are all known, so nothing is enqueued.
    expect(second.feedsPolled).toBe(3);
    expect(second.itemsKnown).toBeGreaterThanOrEqual(2);
    expect(second.articlesStored + second.duplicates).toBe(0);
    expect(ledger!.hits.get(origPath)).toBe(1);
    expect(await redis.xlen(rt.keys.stream)).toBe(3);
    expect((await rt.store.readStory(storyIds[0]!))?.members).toHaveLength(3);
  });

  it('copy before original: the copy enqueues the original, which becomes representative (story.updated)', async () => {
    const prefix = testPrefix('dd-order');
    prefixes.push(prefix);
    const [ledger, hub] = (sites = await Promise.all([startSite(), startSite()]));
    const origUrl = `${ledger!.origin}/2026/11/21/rail-link/`;
    ledger!.pages.set('/2026/11/21/rail-link', {
      type: 'text/html',
      body: articlePage({
        title: 'Rail link opens',
        siteName: 'Harbor Ledger',
        paragraphs: paragraphs(text(600, 380)),
        canonical: origUrl,
        publishedAt: '2026-11-21T08:00:00Z',
      }),
    });
    // Only the aggregator's feed is subscribed; its excerpt copy names the original in the Yoast footer.
    const excerpt = `${text(600, 380).split(' ').slice(0, 55).join(' ')} […]`;
    const footer = yoastFooterHtml(origUrl, 'Rail link opens', `${ledger!.origin}/`, 'Harbor Ledger');
    hub!.pages.set('/markets/rail-link-opens', {
      type: 'text/html',
      body: articlePage({
        title: 'Rail link opens',
        siteName: 'Daily Market Hub',
        paragraphs: [excerpt],
        tail: footer,
        publishedAt: '2026-11-21T09:00:00Z',
      }),
    });
    hub!.pages.set('/feed.xml', {
      type: 'application/rss+xml',
      body: rssFeed('Daily Market Hub', hub!.origin, [
        {
          title: 'Rail link opens',
          link: `${hub!.origin}/markets/rail-link-opens`,
          publishedAt: '2026-11-21T09:00:00Z',
          summary: `${excerpt} The post Rail link opens appeared first on Harbor Ledger.`,
          contentHtml: `<p>${excerpt}</p>${footer}`,
        },
      ]),
    });

    rt = await runtimeFor(prefix, sites, [{ id: 'hub', url: `${hub!.origin}/feed.xml` }]);
    const summary = await runOnce(rt, { pollIntervalMs: 50 });
    expect(summary.articlesStored).toBe(1);
    const copyId = summary.storedIds[0]!;

    // The original was enqueued by the copy's decision (run --once does not wait for it); a worker picks it up.
    const origJob = articleJobId(hashKey(canonicalUrlKey(origUrl)!));
    const worker = createArticleWorker(rt, 1);
    try {
      expect(await waitForJob(rt, origJob)).toBe('completed');
    } finally {
      await worker.close();
    }

    const story = toExportLine((await rt.store.readStory(copyId))!);
    expect(story.representativeUrl).toBe(origUrl);
    expect(Object.fromEntries(story.members.map(m => [m.url, m.relation]))).toEqual({
      [`${hub!.origin}/markets/rail-link-opens`]: 'excerpt-copy',
      [origUrl]: 'original',
    });
    expect((await rt.store.get(copyId))?.contentText).toContain(
      text(600, 380).split(' ').slice(100, 120).join(' '),
    );
    expect((await rt.store.get(copyId))?.url).toBe(origUrl);
    expect(await bodyKeys(redis, prefix)).toHaveLength(1);
    const events = await streamEvents(redis, rt.keys.stream);
    expect(events.map(e => e.type)).toEqual(['story.created', 'story.updated']);
    expect(events[1]).toMatchObject({ storyId: copyId, url: origUrl });
  });

  it('a truncated copy under a new headline ending "Continue reading on <a>Publisher</a>" joins its original, credited', async () => {
    const prefix = testPrefix('dd-continue');
    prefixes.push(prefix);
    const [ledger, hub] = (sites = await Promise.all([startSite(), startSite()]));
    const origUrl = `${ledger!.origin}/2026/11/22/dredging/`;
    const full = text(700, 400);
    ledger!.pages.set('/2026/11/22/dredging', {
      type: 'text/html',
      body: articlePage({
        title: 'Dredging of the old berth starts',
        siteName: 'Harbor Ledger',
        paragraphs: paragraphs(full),
        canonical: origUrl,
        publishedAt: '2026-11-22T08:00:00Z',
      }),
    });
    // The aggregator keeps the first paragraphs only, under its own headline, and links the original.
    const firstParagraphs = paragraphs(full).slice(0, 2);
    hub!.pages.set('/news/berth-works', {
      type: 'text/html',
      body: articlePage({
        title: 'Work begins at the old berth',
        siteName: 'Daily Market Hub',
        paragraphs: firstParagraphs,
        tail: `<p>Continue reading on <a href="${origUrl}">Harbor Ledger</a></p>`,
        publishedAt: '2026-11-22T09:00:00Z',
      }),
    });
    hub!.pages.set('/feed.xml', {
      type: 'application/rss+xml',
      body: rssFeed('Daily Market Hub', hub!.origin, [
        {
          title: 'Work begins at the old berth',
          link: `${hub!.origin}/news/berth-works`,
          publishedAt: '2026-11-22T09:00:00Z',
          summary: firstParagraphs[0]!,
        },
      ]),
    });

    rt = await runtimeFor(prefix, sites, [{ id: 'hub', url: `${hub!.origin}/feed.xml` }]);
    const summary = await runOnce(rt, { pollIntervalMs: 50 });
    expect(summary.articlesStored).toBe(1);
    const copyId = summary.storedIds[0]!;
    const worker = createArticleWorker(rt, 1);
    try {
      expect(await waitForJob(rt, articleJobId(hashKey(canonicalUrlKey(origUrl)!)))).toBe('completed');
    } finally {
      await worker.close();
    }

    const story = toExportLine((await rt.store.readStory(copyId))!);
    expect(story.representativeUrl).toBe(origUrl);
    const copy = story.members.find(m => m.url === `${hub!.origin}/news/berth-works`);
    expect(copy?.relation).toBe('excerpt-copy');
    expect(copy?.attribution).toMatchObject({
      method: 'text-credit',
      originalUrl: origUrl,
      originalPublisher: 'Harbor Ledger',
    });
    expect(story.members.find(m => m.url === origUrl)?.relation).toBe('original');
    expect(await bodyKeys(redis, prefix)).toHaveLength(1);
  });
});
