import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceSchema } from '../../../src/config/schema.js';
import { createFormPoster, type FormPoster } from '../../../src/fetch/form-post.js';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';

/** The WebSub form POST goes through the same guard as every fetch and follows no redirect. */
describe('form POST (WebSub hub requests)', () => {
  let hub: HostileServer;
  let poster: FormPoster;
  let guarded: FormPoster;
  const received: { body: string; ua: string | undefined; type: string | undefined }[] = [];

  beforeAll(async () => {
    hub = await startHostileServer({
      routes: {
        '/hub': (req, res) => {
          let body = '';
          req.on('data', (d: Buffer) => (body += String(d)));
          req.on('end', () => {
            received.push({ body, ua: req.headers['user-agent'], type: req.headers['content-type'] });
            res.writeHead(202).end('accepted');
          });
        },
        '/moved': (_req, res) => {
          res.writeHead(307, { location: '/hub' }).end();
        },
        '/silent': () => undefined,
      },
    });
    const fetch = (allow: string[]) =>
      serviceSchema.parse({
        fetch: {
          userAgent: 'newsflow/0.1 (+https://example.invalid/bot)',
          timeout: '1s',
          allowNetworks: allow,
          allowedPorts: [hub.port],
        },
      }).fetch;
    poster = createFormPoster(fetch(['127.0.0.0/8']));
    guarded = createFormPoster(fetch([]));
  });

  afterAll(async () => {
    await poster?.close();
    await guarded?.close();
    await hub?.close();
  });

  it('posts the form with our User-Agent', async () => {
    const form = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': 'http://example.invalid/feed' });
    expect(await poster.post(hub.url('/hub'), form)).toEqual({ ok: true, status: 202, text: 'accepted' });
    expect(received[0]).toEqual({
      body: 'hub.mode=subscribe&hub.topic=http%3A%2F%2Fexample.invalid%2Ffeed',
      ua: 'newsflow/0.1 (+https://example.invalid/bot)',
      type: 'application/x-www-form-urlencoded',
    });
  });

  it('does not follow a redirect', async () => {
    const before = received.length;
    expect(await poster.post(hub.url('/moved'), new URLSearchParams())).toMatchObject({
      ok: false,
      class: 'http',
      status: 307,
    });
    expect(received.length).toBe(before);
  });

  it('is refused by the SSRF guard without the allow-list, before connecting', async () => {
    const connections = hub.connections();
    expect(await guarded.post(hub.url('/hub'), new URLSearchParams())).toMatchObject({
      ok: false,
      class: 'blocked',
    });
    expect(await guarded.post(`http://localhost:${hub.port}/hub`, new URLSearchParams())).toMatchObject({
      ok: false,
      class: 'blocked',
    });
    expect(hub.connections()).toBe(connections);
  });

  it('ends at its deadline when the hub never answers', async () => {
    expect(await poster.post(hub.url('/silent'), new URLSearchParams())).toMatchObject({
      ok: false,
      class: 'timeout',
    });
  });
});
