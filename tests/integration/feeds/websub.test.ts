import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { feedKeys, failuresKey } from '../../../src/store/keys.js';
import { readFeedState } from '../../../src/feeds/state.js';
import { readSubscription } from '../../../src/feeds/websub/subscriptions.js';
import { verifySignature, sign } from '../../../src/feeds/websub/signature.js';
import { articleJobId } from '../../../src/pipeline/queues.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { startService, type Service } from '../../../src/pipeline/service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { startFeedServer, type FeedServer } from './feed-server.js';
import { startTestHub, type TestHub } from './websub-hub.js';

async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>(r => srv.close(() => r()));
  return port;
}

const feedXml = (feedUrl: string, hub: string, items: { id: string; link: string }[]): string =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Pushy</title>` +
  `<link>https://pushy.example/</link><atom:link rel="hub" href="${hub}"/><atom:link rel="self" href="${feedUrl}"/>` +
  items.map(i => `<item><title>${i.id}</title><link>${i.link}</link><guid>${i.id}</guid></item>`).join('') +
  `</channel></rss>`;

describe('WebSub against a local hub: subscribe, verify, push as a fresh fetch, signatures, renewal', () => {
  let server: FeedServer;
  let hub: TestHub;
  let redis: Redis;
  let rt: Runtime;
  let service: Service;
  let dir: string;
  const prefix = testPrefix('websub');

  beforeAll(async () => {
    server = await startFeedServer();
    hub = await startTestHub();
    // Hubs may grant shorter leases than asked: 4 s here, so the renewal happens during the test.
    hub.grantLeaseSeconds = 4;
    redis = testRedis();
    const apiPort = await freePort();
    const websubPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'nf-websub-'));
    writeFileSync(
      join(dir, 'newsflow.yaml'),
      stringify({
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        poller: { tick: '2s' },
        api: { host: '127.0.0.1', port: apiPort },
        websub: {
          callbackUrl: `http://127.0.0.1:${websubPort}/websub`,
          listen: { host: '127.0.0.1', port: websubPort },
          push: { perMinute: 3 },
        },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: [server.port, hub.port],
          politeness: { interval: 0, maxInFlight: 10 },
        },
      }),
    );
    const feedUrl = server.url('/pushy.xml');
    server.route('/pushy.xml', {
      body: feedXml(feedUrl, hub.url, [{ id: 'p1', link: 'https://pushy.example/1' }]),
    });
    writeFileSync(join(dir, 'feeds.yaml'), stringify({ feeds: [{ id: 'pushy', url: feedUrl }] }));
    rt = await createRuntime(loadConfig(dir, { env: {} }), testRedisUrl(), createLogger('silent'));
    service = await startService(rt, ['poller', 'api']);
  });

  afterAll(async () => {
    await service?.shutdown(5_000);
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await hub?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('subscribes when the feed advertises a hub; the hub verifies intent with a challenge', async () => {
    const topic = server.url('/pushy.xml');
    await until(() => hub.subscriptions(topic).length === 1, 'verified subscription at the hub');
    const sub = await readSubscription(redis, rt.keys, 'pushy');
    expect(sub).toMatchObject({ hub: hub.url, topic, state: 'active', leaseSeconds: 4 });
    expect(sub?.callback).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/websub/pushy/[0-9a-f]{32}$`));
    const first = hub.requests[0]!;
    expect(first).toMatchObject({ mode: 'subscribe', topic, verification: 'verified' });
    expect(first.secret).toMatch(/^[0-9a-f]{48}$/);
  });

  it('a signed push is processed as a fresh fetch: new items enqueued, one safety poll a day', async () => {
    const topic = server.url('/pushy.xml');
    const body = feedXml(topic, hub.url, [
      { id: 'p2', link: 'https://pushy.example/2' },
      { id: 'p1', link: 'https://pushy.example/1' },
    ]);
    const fetchesBefore = server.requests.filter(r => r.path === '/pushy.xml').length;
    expect(await hub.publish(topic, body, { method: 'sha256' })).toEqual([202]);
    const job = articleJobId(hashKey(canonicalUrlKey('https://pushy.example/2')!));
    await until(async () => (await rt.articleQueue.getJob(job)) !== undefined, 'article job from the push');
    await until(
      async () => (await readFeedState(redis, feedKeys(rt.keys, 'pushy').state)).itemsSeen === 2,
      'state',
    );
    const state = await readFeedState(redis, feedKeys(rt.keys, 'pushy').state);
    expect(state.intervalReason).toBe('WebSub pushes; daily safety poll');
    expect(state.intervalMs).toBeGreaterThanOrEqual(0.9 * 86_400_000);
    // The push was the fetch: the feed URL was not requested for it.
    expect(server.requests.filter(r => r.path === '/pushy.xml').length).toBe(fetchesBefore);
    expect((await readSubscription(redis, rt.keys, 'pushy'))?.pushes).toBe(1);
  });

  it('a push with a bad or missing signature gets a 2xx and is ignored, counted and recorded', async () => {
    const topic = server.url('/pushy.xml');
    const body = feedXml(topic, hub.url, [{ id: 'evil', link: 'https://pushy.example/evil' }]);
    expect(await hub.publish(topic, body, { signature: 'bad' })).toEqual([202]);
    expect(await hub.publish(topic, body, { signature: 'none' })).toEqual([202]);
    await new Promise(r => setTimeout(r, 1_000));
    expect(
      await rt.articleQueue.getJob(articleJobId(hashKey(canonicalUrlKey('https://pushy.example/evil')!))),
    ).toBe(undefined);
    expect((await readSubscription(redis, rt.keys, 'pushy'))?.badSignatures).toBe(2);
    const failures = await redis.xrevrange(failuresKey(rt.keys), '+', '-', 'COUNT', 2);
    expect(failures.map(([, f]) => f[f.indexOf('reason') + 1])).toEqual([
      'push ignored: signature missing',
      'push ignored: signature invalid',
    ]);
  });

  it('serves /websub on its own listener: the API does not answer it, and it answers nothing else', async () => {
    const api = service.apiAddress!;
    const websub = service.websubAddress!;
    expect(websub).not.toBe(api);
    const sub = (await readSubscription(redis, rt.keys, 'pushy'))!;
    const path = new URL(sub.callback).pathname;
    expect((await fetch(`${api}${path}?hub.mode=subscribe`)).status).toBe(404);
    for (const p of ['/feeds', '/articles', '/metrics', '/readyz', '/admin/queues']) {
      expect((await fetch(`${websub}${p}`)).status, p).toBe(404);
    }
  });

  it('validates the feed id and token of every route before they name a key', async () => {
    const websub = service.websubAddress!;
    // The renewals sorted set shares the websub key space; a feed id never reaches it.
    expect(await redis.type(`${prefix}:websub:renewals`)).toBe('zset');
    for (const path of [
      `/websub/renewals/${'0'.repeat(32)}`,
      '/websub/renewals/x',
      `/websub/Pushy/${'0'.repeat(32)}`,
      `/websub/a:b/${'0'.repeat(32)}`,
      `/websub/${'a'.repeat(65)}/${'0'.repeat(32)}`,
      '/websub/pushy/not-a-token',
    ]) {
      const get = await fetch(`${websub}${path}?hub.mode=subscribe&hub.challenge=c`);
      expect(get.status, path).toBe(404);
      const post = await fetch(`${websub}${path}`, { method: 'POST', body: 'x' });
      expect(post.status, path).toBe(404);
    }
    expect(await redis.type(`${prefix}:websub:renewals`)).toBe('zset');
  });

  it('bounds deliveries per feed: past the rate the feed is polled instead, once; an oversized body gets 413', async () => {
    const topic = server.url('/pushy.xml');
    const before = (await readSubscription(redis, rt.keys, 'pushy'))!;
    const body = (n: number): string =>
      feedXml(topic, hub.url, [{ id: `r${n}`, link: `https://pushy.example/r${n}` }]);
    // perMinute is 3 here: the window already counts the earlier test's push.
    const answers: number[] = [];
    for (let n = 0; n < 5; n++) answers.push(...(await hub.publish(topic, body(n), { method: 'sha256' })));
    expect(answers).toEqual([202, 202, 202, 202, 202]);
    const after = (await readSubscription(redis, rt.keys, 'pushy'))!;
    const stored = after.pushes - before.pushes;
    expect(stored).toBeLessThanOrEqual(3);
    expect(after.pushesDeferred - before.pushesDeferred).toBe(5 - stored);
    // The overflow is one delayed poll of the feed, however many deliveries it dropped.
    const delayed = (await rt.pollQueue.getDelayed()).filter(
      j => j.data.feedId === 'pushy' && j.data.trigger === 'manual',
    );
    expect(delayed).toHaveLength(1);
    // Bodies over websub.push.maxBytes are refused before they are stored.
    const sub = (await readSubscription(redis, rt.keys, 'pushy'))!;
    const huge = Buffer.alloc(rt.config.service.websub.push.maxBytes + 1, 'a');
    const res = await fetch(sub.callback, {
      method: 'POST',
      body: huge,
      headers: { 'content-type': 'application/rss+xml', 'x-hub-signature': sign(huge, sub.secret) },
    });
    expect(res.status).toBe(413);
  });

  it('renews before the lease ends', async () => {
    const topic = server.url('/pushy.xml');
    const before = hub.requests.filter(r => r.mode === 'subscribe').length;
    await until(
      () => hub.requests.filter(r => r.mode === 'subscribe' && r.verification === 'verified').length > before,
      'a renewal',
      15_000,
    );
    const sub = await readSubscription(redis, rt.keys, 'pushy');
    expect(sub?.state).toBe('active');
    expect(sub?.expiresAt).toBeGreaterThan(Date.now());
    expect(hub.subscriptions(topic)).toHaveLength(1);
  });

  it('callbacks refuse what they did not ask for', async () => {
    const sub = (await readSubscription(redis, rt.keys, 'pushy'))!;
    const base = sub.callback.replace(/\/[0-9a-f]{32}$/, '');
    // Wrong token, wrong topic, unknown feed: 404 and no challenge echoed.
    const wrongToken = await fetch(
      `${base}/${'0'.repeat(32)}?hub.mode=subscribe&hub.topic=x&hub.challenge=c`,
    );
    expect(wrongToken.status).toBe(404);
    const wrongTopic = await fetch(
      `${sub.callback}?hub.mode=subscribe&hub.topic=https://other/&hub.challenge=c`,
    );
    expect(wrongTopic.status).toBe(404);
    expect(await wrongTopic.text()).not.toBe('c');
    const post = await fetch(`${base}/${'0'.repeat(32)}`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(404);
  });

  it('a feed removed from feeds.yaml is unsubscribed at its hub', async () => {
    const topic = server.url('/pushy.xml');
    const tmp = join(dir, '.feeds.tmp');
    writeFileSync(tmp, stringify({ feeds: [] }));
    renameSync(tmp, join(dir, 'feeds.yaml'));
    await until(() => hub.subscriptions(topic).length === 0, 'unsubscribed at the hub');
    expect(hub.requests.at(-1)).toMatchObject({ mode: 'unsubscribe', verification: 'verified' });
    await until(
      async () => (await readSubscription(redis, rt.keys, 'pushy')) === null,
      'subscription forgotten',
    );
  });
});

describe('X-Hub-Signature', () => {
  it.each(['sha1', 'sha256', 'sha384', 'sha512'])(
    'verifies %s and rejects other keys, bodies and forms',
    method => {
      const body = Buffer.from('<rss/>');
      expect(verifySignature(sign(body, 's3cret', method), body, 's3cret')).toBe('valid');
      expect(verifySignature(sign(body, 'other', method), body, 's3cret')).toBe('invalid');
      expect(verifySignature(sign('<rss />', 's3cret', method), body, 's3cret')).toBe('invalid');
    },
  );
  it('missing, malformed and unknown methods', () => {
    const body = Buffer.from('x');
    expect(verifySignature(undefined, body, 's')).toBe('missing');
    expect(verifySignature('sha256=zz', body, 's')).toBe('invalid');
    expect(verifySignature('md5=abcd', body, 's')).toBe('unsupported');
  });
});
