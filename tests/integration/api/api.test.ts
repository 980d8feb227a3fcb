import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, DASHBOARD_PATH } from '../../../src/api/app.js';
import { createMetricsRegistry } from '../../../src/metrics/registry.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';
import { testPrefix } from '../../helpers/redis.js';
import { publishDemo, seedArticles, type Published } from './fixtures.js';

const TOKEN = 'test-admin-token-0123456789';

function api(rt: Runtime, opts: { ready?: () => boolean; adminToken?: string | null } = {}): FastifyInstance {
  const queues = [rt.pollQueue, rt.articleQueue];
  return buildApi({
    redis: rt.producer,
    keys: rt.keys,
    feeds: () => rt.config.feeds,
    queues,
    adminToken: opts.adminToken === undefined ? TOKEN : opts.adminToken,
    isReady: opts.ready ?? (() => true),
    store: rt.store,
    metrics: createMetricsRegistry({
      redis: rt.producer,
      keys: rt.keys,
      queues,
      feeds: () => rt.config.feeds,
      processMetrics: false,
    }),
  });
}

interface Summary {
  id: string;
  storyId: string;
  feedId: string;
  relation: string;
  isRepresentative: boolean;
  storedAt: string;
  url: string;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}

describe('HTTP API on what the pipeline published (inject, real Redis)', () => {
  let pub: Published;
  let app: FastifyInstance;
  let ids: string[];

  beforeAll(async () => {
    pub = await publishDemo(testPrefix('api'));
    app = api(pub.rt);
    ids = await pub.rt.redis.zrange(pub.rt.keys.articlesByTime, 0, -1);
  });
  afterAll(async () => {
    await app?.close();
    await pub?.close();
  });

  it('the demo stored at least two stories and three members', () => {
    expect(pub.summary.failures).toEqual({});
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });

  it('GET /livez and /readyz', async () => {
    expect((await app.inject('/livez')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    // The memory detail: INFO memory against the watermarks (maxmemory 0 on the shared test Redis: unlimited).
    const memory = expect.objectContaining({
      used: expect.any(Number) as number,
      max: expect.any(Number) as number,
      ratio: expect.any(Number) as number,
      highWatermark: 0.85,
      lowWatermark: 0.75,
      state: expect.stringMatching(/^(ok|between|high|unlimited)$/) as string,
    }) as unknown;
    expect(ready.json()).toEqual({ status: 'ready', redis: true, memory });
    const draining = api(pub.rt, { ready: () => false });
    const res = await draining.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not-ready', redis: true, memory });
    await draining.close();
  });

  it('GET /articles lists every stored article, newest first, with its story', async () => {
    const res = await app.inject('/articles');
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.items.map(i => i.id).sort()).toEqual([...ids].sort());
    expect(page.nextCursor).toBeNull();
    const times = page.items.map(i => Date.parse(i.storedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const copy = page.items.find(i => i.feedId === 'daily-market-hub');
    expect(copy).toMatchObject({ isRepresentative: false });
    expect(copy!.relation).not.toBe('original');
    const original = page.items.find(i => i.storyId === copy!.storyId && i.isRepresentative);
    expect(original?.feedId).toBe('harbor-ledger');
  });

  it('GET /articles?feed= filters by feed', async () => {
    const page = (await app.inject('/articles?feed=harbor-ledger')).json<Page>();
    expect(page.items.length).toBeGreaterThanOrEqual(2);
    expect(page.items.every(i => i.feedId === 'harbor-ledger')).toBe(true);
    const none = (await app.inject('/articles?feed=no-such-feed')).json<Page>();
    expect(none).toEqual({ items: [], nextCursor: null });
  });

  it('GET /articles/:id returns member metadata, its story and the story body', async () => {
    const list = (await app.inject('/articles')).json<Page>();
    const copy = list.items.find(i => i.feedId === 'daily-market-hub')!;
    const res = await app.inject(`/articles/${copy.id}`);
    expect(res.statusCode).toBe(200);
    const a = res.json<Record<string, unknown> & { body: { url: string; contentText: string } }>();
    expect(a).toMatchObject({ id: copy.id, storyId: copy.storyId, isRepresentative: false, url: copy.url });
    // Copies keep no body: the story's body is the original's.
    expect(a.body.url.startsWith(pub.site.harborOrigin)).toBe(true);
    expect(a.body.contentText).toContain('replace its twelve diesel ship-to-shore cranes');
  });

  it('GET /stories/:id returns the story with every member', async () => {
    const list = (await app.inject('/articles')).json<Page>();
    const copy = list.items.find(i => i.feedId === 'daily-market-hub')!;
    const res = await app.inject(`/stories/${copy.storyId}`);
    expect(res.statusCode).toBe(200);
    const story = res.json<{
      storyId: string;
      members: { articleId: string }[];
      representativeUrl: string;
    }>();
    expect(story.storyId).toBe(copy.storyId);
    expect(story.members.map(m => m.articleId)).toContain(copy.id);
    expect(story.members.length).toBeGreaterThanOrEqual(2);
    expect(story.representativeUrl.startsWith(pub.site.harborOrigin)).toBe(true);
  });

  it('unknown ids and routes are 404 with a JSON error', async () => {
    for (const url of ['/articles/0123456789abcdef', '/stories/0123456789abcdef', '/nope']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.json<{ error: string }>().error).toBe('not_found');
    }
  });

  it.each([
    ['/articles?limit=0', /limit/],
    ['/articles?limit=101', /limit/],
    ['/articles?limit=ten', /limit/],
    ['/articles?since=yesterday', /since/],
    ['/articles?since=', /since/],
    ['/articles?feed=Bad!', /feed/],
    ['/articles?order=up', /order/],
    ['/articles?cursor=not-a-cursor', /cursor/],
    ['/articles?limt=5', /unknown query parameter "limt"/],
    ['/articles?foo=1', /unknown query parameter "foo"/],
    ['/articles/has.dot', /id/],
    [`/stories/${'x'.repeat(150)}`, /id/],
  ])('%s is a 400 with a JSON error', async (url, message) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; message: string; statusCode: number }>();
    expect(body.error).toBe('bad_request');
    expect(body.statusCode).toBe(400);
    expect(body.message).toMatch(message);
  });

  it('GET /feeds shows each feed with its health and last error', async () => {
    const feeds = (await app.inject('/feeds')).json<{ feeds: { id: string; health: string }[] }>().feeds;
    expect(feeds.map(f => [f.id, f.health]).sort()).toEqual([
      ['daily-market-hub', 'ok'],
      ['harbor-ledger', 'ok'],
    ]);
    const key = pub.rt.keys.feedState('daily-market-hub');
    const saved = await pub.rt.redis.hgetall(key);
    await pub.rt.redis.hset(key, {
      consecutiveErrors: 3,
      lastErrorClass: 'timeout',
      lastErrorReason: 'no answer in 20 s',
      lastErrorAt: '2026-01-01T00:00:00.000Z',
    });
    try {
      const hub = (await app.inject('/feeds'))
        .json<{ feeds: { id: string; health: string; lastError: unknown }[] }>()
        .feeds.find(f => f.id === 'daily-market-hub');
      expect(hub).toMatchObject({
        health: 'backing-off',
        lastError: { class: 'timeout', reason: 'no answer in 20 s', at: '2026-01-01T00:00:00.000Z' },
      });
    } finally {
      await pub.rt.redis.del(key);
      await pub.rt.redis.hset(key, saved);
    }
  });

  it('GET /metrics reports polls, stores, queues, stream, group lag, dead letters and durations', async () => {
    const { keys, redis } = pub.rt;
    await redis.xgroup('CREATE', keys.stream, 'lagging-app', '0');
    await redis.xadd(keys.deadLetters, '*', 'reason', 'E_TEST', 'group', 'lagging-app', 'error', 'x');
    // Poll counters and job durations are written by worker event listeners, just after each job completes.
    let text = '';
    for (let i = 0; i < 100 && !/newsflow_polls_total\{result="ok"\} 2/.test(text); i++) {
      await new Promise(r => setTimeout(r, 50));
      text = (await app.inject('/metrics')).body;
    }
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    text = res.body;
    const value = (series: string): number => {
      const line = text.split('\n').find(l => l.startsWith(`${series} `));
      if (!line) throw new Error(`no series ${series} in:\n${text}`);
      return Number(line.slice(series.length + 1));
    };
    expect(value('newsflow_polls_total{result="ok"}')).toBe(2);
    expect(value('newsflow_articles_stored_total')).toBe(pub.summary.articlesStored);
    // The demo's story has two members: the copy joined the original's story (a duplicate), or — when the copy
    // came first — the original joined the copy's, which is no duplicate (never kind="original").
    const duplicates = [...text.matchAll(/^newsflow_duplicates_total\{kind="([a-z-]+)"\} (\d+)$/gm)];
    expect(duplicates.map(m => m[1])).not.toContain('original');
    expect(duplicates.reduce((n, m) => n + Number(m[2]), 0) + value('newsflow_originals_joined_total')).toBe(
      1,
    );
    expect(value('newsflow_queue_jobs{queue="fetch-article",state="waiting"}')).toBe(0);
    expect(value('newsflow_queue_jobs{queue="poll-feed",state="active"}')).toBe(0);
    expect(value(`newsflow_stream_length{stream="${keys.stream}"}`)).toBe(await redis.xlen(keys.stream));
    expect(value('newsflow_stream_group_lag{group="lagging-app"}')).toBe(await redis.xlen(keys.stream));
    expect(value('newsflow_stream_group_pending{group="lagging-app"}')).toBe(0);
    expect(value('newsflow_dead_letters{reason="E_TEST"}')).toBe(1);
    expect(value('newsflow_feeds{health="ok"}')).toBe(2);
    expect(value('newsflow_redis_memory_used_bytes')).toBeGreaterThan(0);
    const states = ['ok', 'between', 'high', 'unlimited'].map(s =>
      value(`newsflow_memory_backpressure{state="${s}"}`),
    );
    expect(states.reduce((a, b) => a + b, 0)).toBe(1);
    expect(value('newsflow_fetch_duration_seconds_count{kind="feed",result="ok"}')).toBe(2);
    expect(value('newsflow_fetch_duration_seconds_bucket{kind="page",result="ok",le="+Inf"}')).toBe(
      value('newsflow_fetch_duration_seconds_count{kind="page",result="ok"}'),
    );
    expect(value('newsflow_job_duration_seconds_count{queue="poll-feed",result="ok"}')).toBe(2);
    expect(value('newsflow_extraction_duration_seconds_count{result="article"}')).toBe(3);
    expect(text).toContain('# TYPE newsflow_fetch_duration_seconds histogram');
    expect(text).toContain('# TYPE newsflow_failures_total counter');
  });

  describe('queue dashboard', () => {
    it('asks for credentials without the token', async () => {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-0123456789' },
        { authorization: 'Basic xx' },
      ]) {
        const res = await app.inject({ url: DASHBOARD_PATH, headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Basic /);
        expect(res.json<{ error: string }>().error).toBe('unauthorized');
      }
      // The dashboard's JSON API (it can retry and delete jobs) is behind the same door.
      expect((await app.inject(`${DASHBOARD_PATH}/api/queues`)).statusCode).toBe(401);
    });

    it('serves the dashboard and its API with a Bearer token or Basic password', async () => {
      const bearer = await app.inject({ url: DASHBOARD_PATH, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(bearer.statusCode).toBe(200);
      expect(bearer.headers['content-type']).toMatch(/text\/html/);
      const basic = Buffer.from(`ops:${TOKEN}`).toString('base64');
      const queues = await app.inject({
        url: `${DASHBOARD_PATH}/api/queues`,
        headers: { authorization: `Basic ${basic}` },
      });
      expect(queues.statusCode).toBe(200);
      const names = queues.json<{ queues: { name: string }[] }>().queues.map(q => q.name);
      expect(names.sort()).toEqual(['fetch-article', 'poll-feed']);
    });

    it('is not mounted at all without a configured token', async () => {
      const off = api(pub.rt, { adminToken: null });
      const res = await off.inject({ url: DASHBOARD_PATH, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ message: string }>().message).toMatch(/adminToken/);
      await off.close();
    });
  });
});

describe('GET /articles cursor pagination (seeded through the story store)', () => {
  let pub: Published;
  let app: FastifyInstance;
  const base = Date.parse('2026-03-01T00:00:00.000Z');

  beforeAll(async () => {
    // Nothing polled: 45 articles stored directly, with store times in ties of four.
    pub = await publishDemo(testPrefix('api-pages'), { run: false });
    await seedArticles(pub.rt, { n: 30, feedId: 'alpha', at: i => base + Math.floor(i / 4) });
    await seedArticles(pub.rt, { n: 15, feedId: 'beta', at: i => base + Math.floor(i / 4), tag: 'b' });
    app = api(pub.rt);
  });
  afterAll(async () => {
    await app?.close();
    await pub?.close();
  });

  async function walk(query: string, limit: number): Promise<Summary[][]> {
    const pages: Summary[][] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/articles?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`;
      const res: { statusCode: number; json<T>(): T } = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      const page: Page = res.json<Page>();
      pages.push(page.items);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(50);
    } while (cursor);
    return pages;
  }

  it('walks every article exactly once, in store order, both directions, across equal store times', async () => {
    const asc = await pub.rt.redis.zrange(pub.rt.keys.articlesByTime, 0, -1);
    expect(asc).toHaveLength(45);
    const up = (await walk('&order=asc', 7)).flat().map(i => i.id);
    expect(up).toEqual(asc);
    const down = (await walk('', 7)).flat().map(i => i.id);
    expect(down).toEqual([...asc].reverse());
    const pages = await walk('&order=asc', 9);
    expect(pages.slice(0, 5).map(p => p.length)).toEqual([9, 9, 9, 9, 9]);
  });

  it('since= and feed= narrow the walk', async () => {
    const since = new Date(base + 5).toISOString();
    const items = (await walk(`&order=asc&since=${since}`, 4)).flat();
    expect(items.length).toBe(10); // alpha 20..29; alpha 0..19 and all of beta (0..14) are before base+5
    expect(items.every(i => Date.parse(i.storedAt) >= base + 5)).toBe(true);
    const epoch = (await walk(`&order=asc&since=${base + 5}`, 50)).flat();
    expect(epoch.map(i => i.id)).toEqual(items.map(i => i.id));
    const beta = (await walk('&feed=beta', 4)).flat();
    expect(beta).toHaveLength(15);
    expect(beta.every(i => i.feedId === 'beta')).toBe(true);
  });

  it('a cursor cannot be reused with the other order', async () => {
    const first = (await app.inject('/articles?limit=3&order=asc')).json<Page>();
    const res = await app.inject(`/articles?limit=3&order=desc&cursor=${first.nextCursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/order/);
  });
});
