import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/fetch/charset.js';
import { createFetcher } from '../../../src/fetch/fetcher.js';
import type { Fetcher } from '../../../src/fetch/types.js';
import { parseFeed } from '../../../src/feeds/parse/parse.js';

/**
 * Issue 14: one bytes → text rule set. The same bytes under the same Content-Type read the same whether they are
 * fetched (the poller), pushed (WebSub), or given as a file (`parse-feed FILE`, `extract FILE`): every encoding
 * fixture, served over loopback with and without a charset in its Content-Type, and a mislabelled page.
 */
const dir = join(import.meta.dirname, '../../fixtures/feeds');
const fixtures = readdirSync(dir).filter(f => f.startsWith('enc-') || f.includes('bom'));
const page = Buffer.from(
  '<html><head><meta charset="iso-8859-1"></head><body><p>Café — señor</p></body></html>',
);
const bodies = new Map<string, { body: Buffer; type: string }>();
for (const f of fixtures) {
  const body = readFileSync(join(dir, f));
  bodies.set(`/${f}`, { body, type: 'application/rss+xml' });
  bodies.set(`/${f}/latin1`, { body, type: 'application/rss+xml; charset=iso-8859-1' });
  bodies.set(`/${f}/utf8`, { body, type: 'application/xml; charset=utf-8' });
}
bodies.set('/page', { body: page, type: 'text/html' });
bodies.set('/page/1251', { body: page, type: 'text/html; charset=windows-1251' });

let server: Server;
let origin = '';
let fetcher: Fetcher;
beforeAll(async () => {
  server = createServer((req, res) => {
    const b = bodies.get(req.url ?? '');
    if (!b) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': b.type }).end(b.body);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fetcher = createFetcher({
    userAgent: 'newsflow-test/1.0 (+https://example.invalid/bot)',
    timeoutMs: 10_000,
    maxRedirects: 0,
    maxBytes: { feed: 5 * 2 ** 20, page: 3 * 2 ** 20, robots: 500 * 1024, sitemap: 50 * 2 ** 20 },
    allowNetworks: ['127.0.0.0/8'],
    allowedPorts: [Number(origin.split(':')[2])],
  });
});
afterAll(async () => {
  await fetcher.close();
  await new Promise<void>(r => server.close(() => r()));
});

describe('bytes → text reads alike fetched and from a file', () => {
  it('has encoding fixtures to compare', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  it.each([...bodies.keys()])('%s', async path => {
    const { body, type } = bodies.get(path)!;
    const kind = path.startsWith('/page') ? 'page' : 'feed';
    const res = await fetcher.fetch({ url: `${origin}${path}`, kind });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (!res.ok) return;
    const local = decodeBody(body, type, kind);
    expect(res.text).toBe(local.text);
    expect(res.charset).toBe(local.charset);
    if (kind === 'feed') {
      // And the parser, given the bytes (parse-feed FILE) or the fetched text (the poller), says the same.
      const fromFile = await parseFeed(body, { contentType: type }).catch((e: Error) => e.message);
      const fromFetch = await parseFeed(res.text, { contentType: type }).catch((e: Error) => e.message);
      expect(fromFile).toEqual(fromFetch);
    } else {
      expect(local.text).toContain('Café — señor');
    }
  });
});
