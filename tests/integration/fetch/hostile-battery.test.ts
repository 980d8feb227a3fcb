import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher } from '../../../src/fetch/fetcher.js';
import type { FetchKind, FetchResult, Fetcher } from '../../../src/fetch/types.js';
import {
  gzipBomb,
  hostileRoutes,
  startHostileServer,
  type HostileServer,
} from '../../helpers/hostile-server.js';

/**
 * The hostile battery: each misbehaving server ends as a classified value within its deadline, and the whole
 * battery leaves this process's RSS < 150 MB bigger. The fetcher is the client alone (no Redis gate), with the
 * allow-list on for 127.0.0.0/8 so the local server is reachable.
 */
const TIMEOUT_MS = 3_000;
const HEADERS_TIMEOUT_MS = 1_500;
/** Scheduling slack on a loaded 2-core box: a deadline is met if the value arrives within deadline + slack. */
const SLACK_MS = 2_500;
const MiB = 1024 * 1024;

interface Case {
  name: string;
  path: string;
  kind: FetchKind;
  expect: (r: FetchResult) => void;
}

const failedAs =
  (cls: string, extra: (r: Extract<FetchResult, { ok: false }>) => void = () => undefined) =>
  (r: FetchResult): void => {
    expect(r.ok ? `ok ${r.status}` : `${r.class}: ${r.reason}`).toMatch(new RegExp(`^${cls}`));
    if (!r.ok) extra(r);
  };

const decodedAs =
  (charset: string, source: string, text: string) =>
  (r: FetchResult): void => {
    expect(r.ok ? { charset: r.charset, source: r.charsetSource } : `${r.class}: ${r.reason}`).toEqual({
      charset,
      source,
    });
    if (r.ok) expect(r.text).toContain(text);
  };

const CASES: Case[] = [
  {
    name: '10 MB of garbage (chunked, feed cap 5 MiB)',
    path: '/garbage-10mb',
    kind: 'feed',
    expect: failedAs('too-large'),
  },
  {
    name: 'gzip bomb (~200 KB → 200 MiB, page cap 3 MiB decoded)',
    path: '/gzip-bomb',
    kind: 'page',
    expect: failedAs('too-large', r => expect(r.reason).toContain('decoded')),
  },
  { name: 'endless body', path: '/endless', kind: 'page', expect: failedAs('too-large') },
  {
    name: '1 byte every 0.5 s (idle timer never trips)',
    path: '/drip',
    kind: 'page',
    expect: failedAs('timeout', r => expect(r.reason).toContain(`${TIMEOUT_MS} ms`)),
  },
  {
    name: 'never sends headers',
    path: '/no-headers',
    kind: 'page',
    expect: failedAs('timeout', r => expect(r.reason).toContain('headers')),
  },
  {
    name: 'redirect loop (self)',
    path: '/loop',
    kind: 'page',
    expect: failedAs('redirect-loop', r => expect(r.redirects).toHaveLength(1)),
  },
  {
    name: 'redirect loop (a → b → a)',
    path: '/loop-a',
    kind: 'page',
    expect: failedAs('redirect-loop', r => expect(r.redirects.map(h => h.status)).toEqual([301, 307])),
  },
  {
    name: '6 redirects (max 5)',
    path: '/redirect/6',
    kind: 'page',
    expect: failedAs('too-many-redirects', r => expect(r.redirects).toHaveLength(6)),
  },
  {
    name: '5 redirects (the limit) still succeed',
    path: '/redirect/5',
    kind: 'page',
    expect: r => {
      expect(r.ok && r.redirects.map(h => h.status)).toEqual([302, 302, 302, 302, 302]);
      expect(r.ok && r.finalUrl).toMatch(/\/redirect\/0$/);
    },
  },
  {
    name: '3xx to file:',
    path: '/to-file',
    kind: 'page',
    expect: failedAs('blocked', r => expect(r.blockedBy).toBe('scheme')),
  },
  {
    name: '3xx to gopher:',
    path: '/to-gopher',
    kind: 'page',
    expect: failedAs('blocked', r => expect(r.blockedBy).toBe('scheme')),
  },
  {
    name: 'wrong charset label (unknown label, windows-1252 bytes)',
    path: '/wrong-label',
    kind: 'page',
    expect: decodedAs('windows-1252', 'fallback', 'Café crème, señor'),
  },
  {
    name: 'windows-1251 feed declared only in the XML prolog',
    path: '/feed-1251',
    kind: 'feed',
    expect: decodedAs('windows-1251', 'xml-declaration', 'Новости дня'),
  },
  {
    name: 'Shift_JIS feed declared only in the XML prolog',
    path: '/feed-sjis',
    kind: 'feed',
    expect: decodedAs('shift_jis', 'xml-declaration', '今日のニュース'),
  },
  {
    name: 'ISO-8859-1 feed declared only in the XML prolog (WHATWG: windows-1252)',
    path: '/feed-latin1',
    kind: 'feed',
    expect: decodedAs('windows-1252', 'xml-declaration', 'Zürich café à la carte'),
  },
  {
    name: 'BOM contradicting the Content-Type charset',
    path: '/bom-contradicts',
    kind: 'page',
    expect: decodedAs('utf-8', 'bom', 'naïve — ✓ Новости'),
  },
];

describe('hostile battery', () => {
  let server: HostileServer;
  let fetcher: Fetcher;
  const seen: string[] = [];

  beforeAll(async () => {
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(300 * 1024);
    const routes = hostileRoutes(bomb);
    routes['*'] = (req, res) => {
      const m = /^\/redirect\/(\d+)$/.exec(req.url ?? '');
      if (!m) return void res.writeHead(404).end();
      const n = Number(m[1]);
      if (n === 0) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>arrived</p>');
      res.writeHead(302, { location: `/redirect/${n - 1}` }).end();
    };
    server = await startHostileServer({ routes });
    fetcher = createFetcher({
      userAgent: 'newsflow-test/1.0 (+https://example.invalid/bot)',
      timeoutMs: TIMEOUT_MS,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: 10_000,
      maxRedirects: 5,
      maxBytes: { feed: 5 * MiB, page: 3 * MiB, robots: 500 * 1024, sitemap: 50 * 2 ** 20 },
      allowNetworks: ['127.0.0.0/8'],
      allowedPorts: [server.port],
    });
  });

  afterAll(async () => {
    await fetcher?.close();
    await server?.close();
    // The closing note of issue 3 lists each case with its outcome.
    console.info(`hostile battery outcomes:\n${seen.join('\n')}`);
  });

  it('classifies every case within its deadline and keeps RSS growth under 150 MB', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    for (const c of CASES) {
      const started = performance.now();
      const result = await fetcher.fetch({ url: server.url(c.path), kind: c.kind });
      const elapsed = performance.now() - started;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      seen.push(
        `  ${c.name}: ${result.ok ? `ok ${result.status} ${result.charset} (${result.charsetSource})` : `${result.class} — ${result.reason}`} [${Math.round(elapsed)} ms]`,
      );
      c.expect(result);
      expect(elapsed, c.name).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    const growthMb = (rssPeak - rssBefore) / MiB;
    seen.push(`  RSS growth over the battery (peak − start): ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(150);
  });
});
