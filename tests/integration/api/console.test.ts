import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/app.js';
import { CONSOLE_CSP, BODY_CSP, csrfToken } from '../../../src/api/console/routes.js';
import { html, raw } from '../../../src/api/console/html.js';
import { createMetricsRegistry } from '../../../src/metrics/registry.js';
import { manualPollJob } from '../../../src/pipeline/queues.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';
import { disabledFeedsKey } from '../../../src/store/keys.js';
import { HOSTILE_TITLE, publishConsoleSite, type ConsoleSite } from '../../helpers/console-site.js';
import { testPrefix } from '../../helpers/redis.js';

const TOKEN = 'console-admin-token-0123456789';
const BASIC = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;
const HOST = 'console.test:8080';

function consoleApi(
  rt: Runtime,
  opts: { adminToken?: string | null; console?: boolean } = {},
): FastifyInstance {
  const queues = [rt.pollQueue, rt.articleQueue];
  return buildApi({
    redis: rt.producer,
    keys: rt.keys,
    feeds: () => rt.config.feeds,
    queues,
    adminToken: opts.adminToken === undefined ? TOKEN : opts.adminToken,
    isReady: () => true,
    store: rt.store,
    console: opts.console ?? true,
    pollNow: async feedId => {
      const job = manualPollJob(feedId, 'console-test');
      await rt.pollQueue.add(job.name, job.data, job.opts);
    },
    metrics: createMetricsRegistry({
      redis: rt.producer,
      keys: rt.keys,
      queues,
      feeds: () => rt.config.feeds,
      processMetrics: false,
    }),
  });
}

function expectConsoleHeaders(res: LightMyRequestResponse, csp = CONSOLE_CSP): void {
  expect(res.headers['content-security-policy']).toBe(csp);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('same-origin');
}

/** Every href="/…" of a page: the console's own links. */
function links(body: string): string[] {
  return [...body.matchAll(/href="(\/[^"]*)"/g)].map(m => m[1]!.replaceAll('&amp;', '&'));
}

describe('html tagged template', () => {
  it('escapes every interpolated value, in text and attributes, but not SafeHtml', () => {
    const evil = `"><script>alert('x')</script>\``;
    expect(html`<a title="${evil}">${evil}</a>`.toString()).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#96;</a>',
    );
    expect(
      html`<p>${html`<b>${'<i>'}</b>`}${[1, null, undefined, false, 'x']}${raw('<br>')}</p>`.toString(),
    ).toBe('<p><b>&lt;i&gt;</b>1x<br></p>');
    // A look-alike object is not trusted: only the module's own SafeHtml is.
    const fake = { toString: () => '<script>' } as unknown as string;
    expect(html`${fake}`.toString()).toBe('&lt;script&gt;');
  });
});

describe('operator console (inject, real Redis, the pipeline run on a local site)', () => {
  let pub: ConsoleSite;
  let app: FastifyInstance;

  beforeAll(async () => {
    pub = await publishConsoleSite(testPrefix('console'));
    app = consoleApi(pub.rt);
  });
  afterAll(async () => {
    await app?.close();
    await pub?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'GET', url, headers: { host: HOST, ...headers } });

  async function storyIdOfTitle(part: string): Promise<string> {
    const ids = await pub.rt.redis.zrange(pub.rt.keys.storiesByTime, 0, -1);
    for (const id of ids) {
      const s = await pub.rt.store.readStory(id);
      if (s?.members.some(m => m.title?.includes(part))) return id;
    }
    throw new Error(`no story titled like ${part}`);
  }

  it('the pipeline stored the demo stories and the hostile page; the 404 feed failed', () => {
    expect(pub.summary.articlesStored).toBeGreaterThanOrEqual(3);
    expect(pub.summary.failures).toMatchObject({ 'feed:http': 1 });
  });

  it('every page answers 200 HTML with the CSP, nosniff and no-referrer headers, and a unique title', async () => {
    const storyId = await storyIdOfTitle('Calder');
    const pages = [
      '/',
      `/console/stories/${storyId}`,
      '/console/feeds',
      '/console/feeds/harbor-ledger',
      '/console/failures',
      '/console/consumers',
    ];
    const titles = new Set<string>();
    for (const url of pages) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expectConsoleHeaders(res);
      expect(res.body).toMatch(/^<!doctype html>\s*<html lang="en">/);
      expect(res.body).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.|console\.test)[^"]*\.(css|js)/i);
      titles.add(/<title>([^<]*)<\/title>/.exec(res.body)![1]!);
      // Every link the page makes to the console resolves.
      for (const link of links(res.body).filter(
        l => (l.startsWith('/console/') || l === '/') && !l.startsWith('/console/login'),
      )) {
        expect((await get(link)).statusCode, `${url} → ${link}`).toBeLessThan(400);
      }
    }
    expect(titles.size).toBe(pages.length);
    const body = await get(`/console/stories/${storyId}/body`);
    expect(body.statusCode).toBe(200);
    expectConsoleHeaders(body, BODY_CSP);
    const css = await get('/console/console.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toMatch(/prefers-color-scheme: dark/);
    // Errors are console pages too, with the same headers.
    const missing = await get('/console/stories/nope');
    expect(missing.statusCode).toBe(404);
    expectConsoleHeaders(missing);
    const bad = await get('/?relation=cousin');
    expect(bad.statusCode).toBe(400);
    expectConsoleHeaders(bad);
    // The JSON API is unchanged.
    expect((await get(`/stories/${storyId}`)).headers['content-type']).toMatch(/^application\/json/);
  });

  it('the syndicated copy’s story shows its credit method, credited publisher and original URL', async () => {
    const storyId = await storyIdOfTitle('Calder');
    const res = await get(`/console/stories/${storyId}`);
    const story = await pub.rt.store.readStory(storyId);
    const copy = story!.members.find(m => m.relation === 'syndicated-copy')!;
    expect(copy.attribution?.originalUrl).toBeTruthy();
    expect(res.body).toContain('syndicated-copy');
    expect(res.body).toContain(`>${copy.attribution!.method}<`);
    expect(res.body).toContain('Harbor Ledger');
    expect(res.body).toContain(`href="${copy.attribution!.originalUrl!}"`);
    expect(res.body).toMatch(/<iframe\s+class="body"\s+sandbox\s+src="\/console\/stories\/[\w-]+\/body"/);
    expect(res.body).toMatch(/story\.created/);
  });

  it('escapes the hostile title and body everywhere; the body document carries no script or handler', async () => {
    const seeded = await storyIdOfTitle('Seeded');
    const list = await get('/');
    const page = await get(`/console/stories/${seeded}`);
    const escaped =
      'Seeded &lt;script&gt;window.__pwned=1&lt;/script&gt; &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt; javascript:window.__pwned=1';
    for (const res of [list, page, await get(`/console/stories/${seeded}/body`)]) {
      expect(res.body).toContain(escaped);
      expect(res.body).not.toMatch(/<script|<img|<[a-z][^>]*\s(?:on\w+=|href="javascript:)/i);
    }
    expect(list.body).toContain('Hostile &lt;b&gt;Gazette&lt;/b&gt;');
    expect(HOSTILE_TITLE).toContain('<script>');
    // The page the pipeline fetched: its script, handler and javascript: link are gone, their quoted text stays.
    const fetched = await storyIdOfTitle('Council vote');
    const doc = await get(`/console/stories/${fetched}/body`);
    expect(doc.body).not.toMatch(/<script|<[a-z][^>]*\s(?:on\w+=|href="javascript:)/i);
    expect(doc.body).toContain('&lt;img src=x onerror="window.__pwned=1"&gt;');
    expect(doc.body).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
  });

  it('filters stories by feed, tag, relation, time and title text; pages carry the filters', async () => {
    const count = (body: string): number => (body.match(/<a href="\/console\/stories\//g) ?? []).length;
    const all = await get('/');
    expect(count(all.body)).toBe(await pub.rt.redis.zcard(pub.rt.keys.storiesByTime));
    expect(count((await get('/?feed=hostile-gazette')).body)).toBe(2);
    expect(count((await get('/?tag=aggregators')).body)).toBe(1);
    expect(count((await get('/?tag=local')).body)).toBe(2);
    expect(count((await get('/?relation=syndicated-copy')).body)).toBe(1);
    expect(count((await get('/?q=COUNCIL%20VOTE')).body)).toBe(1);
    expect(count((await get('/?since=2999-01-01')).body)).toBe(0);
    expect(count((await get('/?until=2000-01-01')).body)).toBe(0);
    expect((await get('/?since=yesterday')).statusCode).toBe(400);
    expect((await get('/?cursor=garbage')).statusCode).toBe(400);
    expect((await get('/?limit=5')).statusCode).toBe(400);
  });

  it('paginates stories newest first with a cursor (25 a page)', async () => {
    const { seedArticles } = await import('./fixtures.js');
    const base = Date.now() - 3_600_000;
    await seedArticles(pub.rt, { n: 30, feedId: 'harbor-ledger', tag: 'page', at: i => base + i });
    const first = await get('/?feed=harbor-ledger');
    const ids = (b: string): string[] =>
      [...b.matchAll(/href="\/console\/stories\/([\w-]+)"/g)].map(m => m[1]!);
    const p1 = ids(first.body);
    expect(p1.length).toBe(25);
    const next = /href="(\/\?[^"]*cursor=[^"]+)" rel="next"/.exec(first.body)![1]!.replaceAll('&amp;', '&');
    expect(next).toContain('feed=harbor-ledger');
    const p2 = ids((await get(next)).body);
    expect(p2.length).toBeGreaterThanOrEqual(5);
    expect(p1.filter(id => p2.includes(id))).toEqual([]);
    const created = await Promise.all(p1.map(id => pub.rt.redis.zscore(pub.rt.keys.storiesByTime, id)));
    expect(created.map(Number)).toEqual([...created.map(Number)].sort((a, b) => b - a));
  });

  it('the feeds table, a feed page and the failures page filtered by class', async () => {
    const feeds = await get('/console/feeds');
    for (const id of ['harbor-ledger', 'daily-market-hub', 'hostile-gazette', 'gone-feed']) {
      expect(feeds.body).toContain(`href="/console/feeds/${id}"`);
    }
    expect(feeds.body).toMatch(/<th scope="col">Interval \(reason\)<\/th>/);
    const gone = await get('/console/feeds/gone-feed');
    expect(gone.body).toMatch(/HTTP 404/);
    // What became of each item: the hostile feed's stored story, its 404 page and its page without an article.
    const hostile = await get('/console/feeds/hostile-gazette');
    const notStored = hostile.body.split('id="h-not-stored"')[1]!.split('</section>')[0]!;
    expect(notStored).toContain('/2026/12/01/withdrawn/');
    expect(notStored).toContain('/2026/12/01/photo/');
    expect(notStored).toContain('not-an-article');
    expect(notStored).toContain('HTTP 404');
    expect(notStored).not.toContain('council-vote');
    const stored = hostile.body.split('id="h-items"')[1]!.split('</section>')[0]!;
    expect(stored).toContain('council-vote');
    // Another feed's page lists none of them.
    const harbor = await get('/console/feeds/harbor-ledger');
    expect(harbor.body.split('id="h-not-stored"')[1]!.split('</section>')[0]).toContain('None recorded.');
    const ofFeed = await get('/console/failures?feed=hostile-gazette');
    expect(ofFeed.body).toContain('/2026/12/01/withdrawn/');
    expect(ofFeed.body).not.toContain('gone-feed');
    const failures = await get('/console/failures?class=http');
    expect(failures.body).toContain('gone-feed');
    expect((await get('/console/failures?class=no-such-class')).body).toContain('None recorded.');
    const consumers = await get('/console/consumers');
    expect(consumers.body).toMatch(/poll-feed/);
    expect(consumers.body).toMatch(/Dead letters/);
  });

  it('read-only without the token: no forms, a sign-in link; actions refused with 401 and a Basic challenge', async () => {
    const page = await get('/console/feeds/harbor-ledger');
    expect(page.body).not.toContain('<form method="post"');
    expect(page.body).toContain('/console/login?next=');
    const res = await app.inject({
      method: 'POST',
      url: '/console/feeds/harbor-ledger/poll',
      headers: { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf=${csrfToken(TOKEN)}`,
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="newsflow"/);
    const login = await get('/console/login?next=/console/feeds/harbor-ledger');
    expect(login.statusCode).toBe(401);
    const signedIn = await get('/console/login?next=/console/feeds/harbor-ledger', { authorization: BASIC });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/console/feeds/harbor-ledger');
  });

  it('refuses actions without the CSRF token, with a wrong one, cross-origin, or without Origin', async () => {
    const post = (headers: Record<string, string>, payload: string): Promise<LightMyRequestResponse> =>
      app.inject({
        method: 'POST',
        url: '/console/feeds/harbor-ledger/enable',
        headers: {
          host: HOST,
          authorization: BASIC,
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
        payload,
      });
    const good = `csrf=${csrfToken(TOKEN)}`;
    const sameOrigin = { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' };
    for (const [what, res] of [
      ['missing token', await post(sameOrigin, '')],
      ['wrong token', await post(sameOrigin, `csrf=${csrfToken('another-token-0123456789')}`)],
      ['cross-origin Origin', await post({ origin: 'http://evil.example' }, good)],
      ['cross-site fetch', await post({ origin: `http://${HOST}`, 'sec-fetch-site': 'cross-site' }, good)],
      ['no Origin', await post({}, good)],
    ] as const) {
      expect(res.statusCode, what).toBe(403);
      expectConsoleHeaders(res);
    }
  });

  it('with the token: enable clears a disabled feed, poll now queues a manual poll; both redirect back', async () => {
    const { redis, keys } = pub.rt;
    const stateKey = keys.feedState('harbor-ledger');
    await redis.hset(stateKey, { disabled: '1', disabledReason: '410 Gone', consecutiveErrors: '3' });
    await redis.sadd(disabledFeedsKey(keys), 'harbor-ledger');
    const page = await get('/console/feeds/harbor-ledger', { authorization: BASIC });
    expect(page.body).toContain('action="/console/feeds/harbor-ledger/enable"');
    expect(page.body).toContain(`name="csrf" value="${csrfToken(TOKEN)}"`);
    const headers = {
      host: HOST,
      authorization: BASIC,
      origin: `http://${HOST}`,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/x-www-form-urlencoded',
    };
    const payload = `csrf=${encodeURIComponent(csrfToken(TOKEN))}`;
    const enabled = await app.inject({
      method: 'POST',
      url: '/console/feeds/harbor-ledger/enable',
      headers,
      payload,
    });
    expect(enabled.statusCode).toBe(303);
    expect(enabled.headers.location).toBe('/console/feeds/harbor-ledger?done=enabled');
    expect(await redis.hget(stateKey, 'disabled')).toBeNull();
    expect(await redis.hget(stateKey, 'consecutiveErrors')).toBe('0');
    expect(await redis.sismember(disabledFeedsKey(keys), 'harbor-ledger')).toBe(0);

    const polled = await app.inject({
      method: 'POST',
      url: '/console/feeds/harbor-ledger/poll',
      headers,
      payload,
    });
    expect(polled.statusCode).toBe(303);
    expect(polled.headers.location).toBe('/console/feeds/harbor-ledger?done=polled');
    const job = await pub.rt.pollQueue.getJob('once-console-test-harbor-ledger');
    expect(job?.data).toEqual({ feedId: 'harbor-ledger' });
    await job?.remove();
    const after = await get('/console/feeds/harbor-ledger?done=polled', { authorization: BASIC });
    expect(after.body).toContain('A poll of this feed was queued.');
  });

  it('with no admin token the actions are off (404) and no button shows; api.console false unmounts the console', async () => {
    const off = consoleApi(pub.rt, { adminToken: null });
    const page = await off.inject({ url: '/console/feeds/harbor-ledger', headers: { host: HOST } });
    expect(page.body).not.toContain('<form method="post"');
    expect(page.body).toContain('Actions are off');
    const res = await off.inject({
      method: 'POST',
      url: '/console/feeds/harbor-ledger/enable',
      headers: { host: HOST, origin: `http://${HOST}`, authorization: BASIC },
    });
    expect(res.statusCode).toBe(404);
    await off.close();
    const none = consoleApi(pub.rt, { console: false });
    expect((await none.inject('/')).statusCode).toBe(404);
    expect((await none.inject('/console/feeds')).statusCode).toBe(404);
    await none.close();
  });
});
