import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import type { FeedConfig } from '../../../src/config/schema.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { disabledFeedsKey, feedKeys, failuresKey, statsKey } from '../../../src/store/keys.js';
import { createFeedParsePool } from '../../../src/feeds/parse/pool.js';
import { readFeedState } from '../../../src/feeds/state.js';
import { pollFeed, pollSettingsFrom, type PollDeps } from '../../../src/pipeline/poll-feed.js';
import { articleJobId } from '../../../src/pipeline/queues.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { pollDepsOf } from './poll-deps.js';
import { rssFeed, startFeedServer, type FeedServer } from './feed-server.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

describe('pollFeed against a local feed server (real Redis, real HTTP)', () => {
  let server: FeedServer;
  let rt: Runtime;
  let redis: Redis;
  let clock = Date.UTC(2025, 5, 10, 12, 0, 0);
  const prefix = testPrefix('poll');
  let deps: PollDeps;
  let n = 0;
  /** A fresh feed id and path per test: state never leaks between tests. */
  const newFeed = (extra: Partial<FeedConfig> = {}): FeedConfig => {
    n++;
    return { id: `f${n}`, url: server.url(`/f${n}.xml`), tags: [], enabled: true, ...extra };
  };
  const state = (id: string) => readFeedState(redis, feedKeys(rt.keys, id).state);

  beforeAll(async () => {
    server = await startFeedServer();
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [server.port],
          politeness: { interval: 0, maxInFlight: 10 },
        },
      },
      [],
    );
    redis = testRedis();
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
    deps = pollDepsOf(rt, () => clock);
  });

  beforeEach(() => {
    clock += D;
  });

  afterAll(async () => {
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await server?.close();
  });

  it('a feed listing more than poller.maxItemsPerPoll items: the newest are taken, the rest dropped and counted (issue 12)', async () => {
    const feed = newFeed();
    const items = Array.from({ length: 30 }, (_, i) => ({
      guid: `many-${i}`,
      link: `https://many.example/a/${i}`,
      title: `Item ${i}`,
      ageMs: i * H,
    }));
    server.route(new URL(feed.url).pathname, () => ({ body: rssFeed(items, clock) }));
    const settings = { ...pollSettingsFrom(rt.config.service), maxItemsPerPoll: 12 };
    const out = await pollFeed({ ...deps, settings }, feed);
    expect(out).toMatchObject({ outcome: 'ok', items: 12 });
    expect(out.outcome === 'ok' && out.enqueued).toHaveLength(12);
    expect(await redis.zcard(feedKeys(rt.keys, feed.id).seen)).toBe(12);
    expect(await redis.hget(statsKey(rt.keys), 'feed.items_dropped')).toBe('18');
  });

  it('a feed whose parse overruns poller.parseTimeout fails its poll with the reason on the feed; the next poll parses (issue 12)', async () => {
    const feed = newFeed();
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      guid: `slow-${i}`,
      link: `https://slow.example/a/${i}`,
      title: `Item ${i} ${'of a long title '.repeat(8)}`,
    }));
    server.route(new URL(feed.url).pathname, () => ({ body: rssFeed(items, clock) }));
    const parser = createFeedParsePool({ size: 1, heapMb: 256, timeoutMs: 5 });
    try {
      const out = await pollFeed({ ...deps, parse: (t, o) => parser.parse(t, o) }, feed);
      expect(out).toMatchObject({
        outcome: 'failed',
        class: 'parse',
        reason: 'parsing took longer than 5 ms',
      });
      expect(await readFeedState(redis, feedKeys(rt.keys, feed.id).state)).toMatchObject({
        lastErrorClass: 'parse',
        lastErrorReason: 'parsing took longer than 5 ms',
        consecutiveErrors: 1,
      });
    } finally {
      await parser.close();
    }
    server.route(new URL(feed.url).pathname, () => ({ body: rssFeed(items.slice(0, 5), clock) }));
    const again = createFeedParsePool({ size: 1, heapMb: 256, timeoutMs: 30_000 });
    try {
      const out = await pollFeed({ ...deps, parse: (t, o) => again.parse(t, o) }, feed);
      expect(out).toMatchObject({ outcome: 'ok', items: 5 });
    } finally {
      await again.close();
    }
  });

  it('conditional GET: validators stored and echoed verbatim, 304 → no parse; same ETag or same body → unchanged', async () => {
    const feed = newFeed();
    const path = new URL(feed.url).pathname;
    const items = Array.from({ length: 14 }, (_, i) => ({
      guid: `g${i}`,
      link: `https://site.example/a/${i}`,
      title: `Item ${i}`,
      ageMs: i * 10 * H,
    }));
    let body = rssFeed(items, clock);
    server.route(path, req =>
      req.headers['if-none-match'] === 'W/"v1-\\"quoted\\""'
        ? { status: 304 }
        : {
            headers: { etag: 'W/"v1-\\"quoted\\""', 'last-modified': 'Tue, 10 Jun 2025 10:00:00 GMT' },
            body,
          },
    );

    const first = await pollFeed(deps, feed, { trigger: 'schedule' });
    expect(first).toMatchObject({ outcome: 'ok', status: 200, items: 14, known: 0 });
    expect(first.outcome === 'ok' && first.enqueued).toHaveLength(14);
    let s = await state(feed.id);
    expect(s).toMatchObject({
      etag: 'W/"v1-\\"quoted\\""',
      lastModified: 'Tue, 10 Jun 2025 10:00:00 GMT',
      lastStatus: 200,
      consecutiveErrors: 0,
      itemsSeen: 14,
      itemsLast7Days: 14,
      // Miniflux's rule: 7 d ÷ 14 items = 12 h
      intervalMs: 12 * H,
      intervalReason: 'adaptive: 14 items in 7 days',
      nextPollAt: new Date(clock + 12 * H).toISOString(),
      format: 'rss-2.0',
    });

    clock += 4 * H;
    expect(await pollFeed(deps, feed)).toEqual({
      outcome: 'not-modified',
      feedId: feed.id,
    });
    const last = server.requests.filter(r => r.path === path).at(-1)!;
    expect(last.headers['if-none-match']).toBe('W/"v1-\\"quoted\\""');
    expect(last.headers['if-modified-since']).toBe('Tue, 10 Jun 2025 10:00:00 GMT');
    s = await state(feed.id);
    expect(s.lastStatus).toBe(304);
    expect(s.etag).toBe('W/"v1-\\"quoted\\""');

    // A 200 with the same ETag (servers that ignore If-None-Match) is unchanged too.
    server.route(path, { headers: { etag: 'W/"v1-\\"quoted\\""' }, body: `${body}\n<!-- differs -->` });
    clock += 4 * H;
    expect((await pollFeed(deps, feed)).outcome).toBe('not-modified');

    // No validators at all, same bytes: the body hash says unchanged.
    server.route(path, { body });
    clock += 4 * H;
    expect((await pollFeed(deps, feed)).outcome).toBe('not-modified');

    // A new item is new; the old ones are known to the seen set (not counted again).
    body = rssFeed(
      [{ guid: 'new', link: 'https://site.example/a/new', title: 'New', ageMs: 0 }, ...items],
      clock,
    );
    server.route(path, { body });
    clock += 4 * H;
    const changed = await pollFeed(deps, feed);
    expect(changed).toMatchObject({ outcome: 'ok', items: 15 });
    s = await state(feed.id);
    expect(s.itemsSeen).toBe(15);
    expect(s.lastNewItemAt).toBe(new Date(clock).toISOString());
  });

  it('a scheduler tick before the feed is due does not fetch; a manual poll does', async () => {
    const feed = newFeed();
    server.route(new URL(feed.url).pathname, {
      body: rssFeed([{ guid: 'a', link: 'https://s.example/a', title: 'a' }], clock),
    });
    await pollFeed(deps, feed, { trigger: 'schedule' });
    const before = server.requests.length;
    clock += 10 * MIN;
    const early = await pollFeed(deps, feed, { trigger: 'schedule' });
    expect(early).toMatchObject({ outcome: 'skipped' });
    expect(early.outcome === 'skipped' && early.reason).toMatch(/^not due until /);
    expect(server.requests.length).toBe(before);
    expect((await pollFeed(deps, feed, { trigger: 'manual' })).outcome).toBe('not-modified');
    expect(server.requests.length).toBe(before + 1);
  });

  it('skips URLs stored by any feed (canonical key), and enqueues again an item whose article went missing', async () => {
    const feed = newFeed();
    const stored = 'https://Site.example/story?utm_source=x&b=2&a=1#frag';
    const missing = 'https://site.example/missing';
    server.route(new URL(feed.url).pathname, {
      body: rssFeed(
        [
          { guid: 's', link: stored, title: 'stored elsewhere' },
          { guid: 'm', link: missing, title: 'missing' },
        ],
        clock,
      ),
    });
    // Another feed stored this story under its canonical key (tracking parameters, fragment, host case aside).
    const storedHash = hashKey(canonicalUrlKey('https://site.example/story?a=1&b=2')!);
    await redis.set(rt.keys.urlIndex(storedHash), 'some-article');
    const first = await pollFeed(deps, feed);
    const missingJob = articleJobId(hashKey(canonicalUrlKey(missing)!));
    expect(first).toMatchObject({ outcome: 'ok', known: 1, enqueued: [missingJob] });

    // The job ran and failed, its article was never stored: the next poll (of a changed feed) enqueues it again.
    await (await rt.articleQueue.getJob(missingJob))?.remove();
    server.route(new URL(feed.url).pathname, {
      body: rssFeed(
        [
          { guid: 'm', link: missing, title: 'missing' },
          { guid: 's', link: stored, title: 'stored elsewhere' },
        ],
        clock,
      ),
    });
    const second = await pollFeed(deps, feed);
    expect(second).toMatchObject({ outcome: 'ok', known: 1, enqueued: [missingJob] });
    expect(await rt.articleQueue.getJob(missingJob)).toBeTruthy();

    // Same body, same day: unchanged, nothing re-checked. A day after the last parse the poll reads it anyway
    // (no validators, body hash not trusted), so a missing article converges even on a feed that never changes.
    await (await rt.articleQueue.getJob(missingJob))?.remove();
    clock += 6 * H;
    expect((await pollFeed(deps, feed)).outcome).toBe('not-modified');
    expect(await rt.articleQueue.getJob(missingJob)).toBeUndefined();
    clock += 19 * H;
    expect(await pollFeed(deps, feed)).toMatchObject({ outcome: 'ok', enqueued: [missingJob] });
    expect(server.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
  });

  it('errors back off exponentially from the healthy interval and reset on success; never disable on 5xx', async () => {
    const feed = newFeed({ interval: H });
    const path = new URL(feed.url).pathname;
    server.route(path, { body: rssFeed([{ guid: 'a', link: 'https://s.example/b', title: 'b' }], clock) });
    await pollFeed(deps, feed);
    expect((await state(feed.id)).intervalMs).toBe(H);

    server.route(path, { status: 503, body: 'down' });
    const expected = [2 * H, 4 * H, 8 * H, 16 * H, 32 * H, 48 * H, 48 * H];
    for (const [i, ms] of expected.entries()) {
      clock += 3 * D;
      const out = await pollFeed(deps, feed, { trigger: 'schedule' });
      expect(out, JSON.stringify(out)).toMatchObject({ outcome: 'failed', class: 'http' });
      const s = await state(feed.id);
      expect(s.consecutiveErrors).toBe(i + 1);
      expect(s.intervalMs).toBe(ms);
      expect(s.nextPollAt).toBe(new Date(clock + ms).toISOString());
      expect(s.disabled).toBe(false);
    }
    const failures = await redis.xrevrange(failuresKey(rt.keys), '+', '-', 'COUNT', 1);
    expect(failures[0]?.[1]).toEqual(expect.arrayContaining(['feed', feed.id, 'http', 'HTTP 503']));

    server.route(path, { body: rssFeed([{ guid: 'a', link: 'https://s.example/b', title: 'b' }], clock) });
    clock += 3 * D;
    await pollFeed(deps, feed, { trigger: 'schedule' });
    const s = await state(feed.id);
    expect(s).toMatchObject({ consecutiveErrors: 0, intervalMs: H, lastErrorClass: null, lastStatus: 200 });
  });

  it('Retry-After on a 429 pushes the next poll out (capped at 48 h)', async () => {
    // Its own server: the fetcher honours Retry-After for the whole host:port, other tests share theirs.
    const own = await startFeedServer();
    try {
      const ownDeps = { ...deps };
      const feed = { ...newFeed({ interval: 10 * MIN }), url: own.url('/limited.xml') };
      own.route('/limited.xml', { status: 429, headers: { 'retry-after': '7200' } });
      const cfg = buildConfig(
        'config',
        {
          log: { level: 'silent' },
          redis: { keyPrefix: prefix },
          fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [own.port], politeness: { interval: 0 } },
        },
        [],
      );
      const ownRt = await createRuntime(cfg, testRedisUrl(), createLogger('silent'));
      try {
        ownDeps.fetcher = ownRt.fetcher;
        const out = await pollFeed(ownDeps, feed);
        expect(out).toMatchObject({ outcome: 'failed', class: 'rate-limited' });
        const s = await state(feed.id);
        expect(s.intervalMs).toBe(2 * H);
        expect(s.intervalReason).toBe('Retry-After 2 h');
      } finally {
        await ownRt.close();
      }
    } finally {
      await own.close();
    }
  });

  it('Cache-Control max-age and <ttl> are floors of the interval', async () => {
    const feed = newFeed({ interval: 5 * MIN });
    server.route(new URL(feed.url).pathname, {
      headers: { 'cache-control': 'public, max-age=5400' },
      body: rssFeed([{ guid: 'c', link: 'https://s.example/c', title: 'c' }], clock, '<ttl>60</ttl>'),
    });
    await pollFeed(deps, feed);
    const s = await state(feed.id);
    expect(s).toMatchObject({
      intervalMs: 90 * MIN,
      intervalReason: 'Cache-Control max-age=5400',
      ttlMinutes: 60,
    });
  });

  it('410 Gone disables at once; 404 only after 7 days of 404s; every disable has its reason', async () => {
    const gone = newFeed();
    server.route(new URL(gone.url).pathname, { status: 410 });
    expect(await pollFeed(deps, gone)).toMatchObject({ outcome: 'failed', class: 'http' });
    expect(await state(gone.id)).toMatchObject({
      disabled: true,
      disabledReason: 'HTTP 410 Gone',
      nextPollAt: null,
    });
    expect(await redis.sismember(disabledFeedsKey(rt.keys), gone.id)).toBe(1);
    expect(await pollFeed(deps, gone)).toEqual({
      outcome: 'skipped',
      feedId: gone.id,
      reason: 'disabled: HTTP 410 Gone',
    });

    const missing = newFeed();
    server.route(new URL(missing.url).pathname, { status: 404 });
    const start = clock;
    await pollFeed(deps, missing);
    clock = start + 3 * D;
    await pollFeed(deps, missing);
    expect((await state(missing.id)).disabled).toBe(false);
    clock = start + 7 * D + MIN;
    await pollFeed(deps, missing);
    const s = await state(missing.id);
    expect(s.disabled).toBe(true);
    expect(s.disabledReason).toBe(`HTTP 404 for more than 7 days (since ${new Date(start).toISOString()})`);

    // A 404 streak broken by a success starts over.
    const flaky = newFeed();
    const path = new URL(flaky.url).pathname;
    server.route(path, { status: 404 });
    await pollFeed(deps, flaky);
    clock += 6 * D;
    server.route(path, { body: rssFeed([], clock) });
    await pollFeed(deps, flaky);
    server.route(path, { status: 404 });
    clock += 2 * D;
    await pollFeed(deps, flaky);
    expect(await state(flaky.id)).toMatchObject({
      disabled: false,
      firstHardErrorAt: new Date(clock).toISOString(),
    });

    // Pointing a disabled feed at a new URL in feeds.yaml gives it a fresh start.
    const revived = { ...gone, url: server.url('/revived.xml') };
    server.route('/revived.xml', { body: rssFeed([], clock) });
    expect((await pollFeed(deps, revived)).outcome).toBe('ok');
    expect(await state(gone.id)).toMatchObject({ disabled: false, configUrl: revived.url });
  });

  it('a chain of 301/308 moves the stored URL (recorded); a 302 anywhere does not', async () => {
    const feed = newFeed();
    const path = new URL(feed.url).pathname;
    server.route(path, { status: 301, headers: { location: `${path}-step` } });
    server.route(`${path}-step`, { status: 308, headers: { location: `${path}-final` } });
    server.route(`${path}-final`, { body: rssFeed([], clock) });
    await pollFeed(deps, feed);
    const s = await state(feed.id);
    expect(s).toMatchObject({ url: server.url(`${path}-final`), movedFrom: feed.url, configUrl: feed.url });
    await pollFeed(deps, feed);
    expect(server.requests.at(-1)?.path).toBe(`${path}-final`);

    const temp = newFeed();
    const tpath = new URL(temp.url).pathname;
    server.route(tpath, { status: 301, headers: { location: `${tpath}-hop` } });
    server.route(`${tpath}-hop`, { status: 302, headers: { location: `${tpath}-final` } });
    server.route(`${tpath}-final`, { body: rssFeed([], clock) });
    await pollFeed(deps, temp);
    expect((await state(temp.id)).url).toBeNull();
  });

  it('more than 5 % empty or repeated ids → link identity for the feed, recorded; ids then come from links', async () => {
    const feed = newFeed();
    server.route(new URL(feed.url).pathname, {
      body: rssFeed(
        [1, 2, 3].map(i => ({ guid: 'same', link: `https://s.example/same/${i}`, title: `s${i}` })),
        clock,
      ),
    });
    await pollFeed(deps, feed);
    const s = await state(feed.id);
    expect(s.idPolicy).toBe('link');
    expect(s.idPolicyReason).toMatch(/^0 empty and 2 repeated of 3 ids on /);
    expect(s.itemsSeen).toBe(3);
    expect(await redis.zcard(feedKeys(rt.keys, feed.id).seen)).toBe(3);
  });

  it('a feed that does not parse is a recorded failure with the parser reason', async () => {
    const feed = newFeed();
    server.route(new URL(feed.url).pathname, {
      headers: { 'content-type': 'text/html' },
      body: '<!doctype html><html><body>Moved to our new site</body></html>',
    });
    const out = await pollFeed(deps, feed);
    expect(out).toEqual({
      outcome: 'failed',
      feedId: feed.id,
      class: 'parse',
      reason: 'not a feed: an HTML page (root <html>)',
    });
    expect(await state(feed.id)).toMatchObject({ lastErrorClass: 'parse', consecutiveErrors: 1 });
  });

  it('one poll of a feed at a time: a concurrent one is skipped', async () => {
    const feed = newFeed();
    const path = new URL(feed.url).pathname;
    let release: () => void = () => undefined;
    const gate = new Promise<void>(r => (release = r));
    server.route(path, { body: rssFeed([], clock) });
    const slowFetcher = {
      ...rt.fetcher,
      fetch: async (req: Parameters<typeof rt.fetcher.fetch>[0]) => {
        await gate;
        return rt.fetcher.fetch(req);
      },
    };
    const first = pollFeed({ ...deps, fetcher: slowFetcher }, feed);
    await new Promise(r => setTimeout(r, 50));
    expect(await pollFeed(deps, feed)).toEqual({
      outcome: 'skipped',
      feedId: feed.id,
      reason: 'another poll of this feed is running',
    });
    release();
    expect((await first).outcome).toBe('ok');
  });
});
