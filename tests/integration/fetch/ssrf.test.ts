import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher } from '../../../src/fetch/fetcher.js';
import type { ResolveAll } from '../../../src/fetch/guarded-agent.js';
import type { Fetcher } from '../../../src/fetch/types.js';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';

/**
 * SSRF matrix with the allow-list off. A canary server listens on the blocked loopback address(es) at port P;
 * every target below points at it, directly or through a redirect from an allowed host. The guard must refuse
 * them all before connecting: the canary records 0 connections.
 */
const MiB = 1024 * 1024;

async function listen(
  host: string,
  port: number,
): Promise<{ server: Server; count: () => number } | undefined> {
  let connections = 0;
  const server = createServer((_req, res) => res.end('canary'));
  server.on('connection', () => connections++);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch {
    return undefined;
  }
  return { server, count: () => connections };
}

describe('SSRF guard (allow-list off)', () => {
  let port: number;
  const canaries: { server: Server; count: () => number }[] = [];
  let redirector: HostileServer;
  let direct: Fetcher;
  let viaRedirect: Fetcher;

  // A DNS that answers like an attacker's: a public-looking name resolving to loopback (rebinding).
  const resolveAll: ResolveAll = (hostname, callback) => {
    if (hostname === 'rebind.example') callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else if (hostname === 'metadata.example') callback(null, [{ address: '169.254.169.254', family: 4 }]);
    else if (hostname === 'compat.example') callback(null, [{ address: '::7f00:1', family: 6 }]);
    else if (hostname === 'nat64.example') callback(null, [{ address: '64:ff9b::a9fe:a9fe', family: 6 }]);
    else if (hostname === 'mixed.example') {
      callback(null, [
        { address: '10.0.0.7', family: 4 },
        { address: '::1', family: 6 },
      ]);
    } else {
      // Real system DNS for the rest (localhost).
      void import('node:dns').then(dns => dns.lookup(hostname, { all: true }, callback));
    }
  };

  const targets = (p: number): string[] => [
    `http://127.0.0.1:${p}/`,
    `http://2130706433:${p}/`,
    `http://0x7f000001:${p}/`,
    `http://017700000001:${p}/`,
    `http://127.1:${p}/`,
    `http://[::1]:${p}/`,
    `http://[::ffff:127.0.0.1]:${p}/`,
    // IPv4-embedding IPv6 forms: IPv4-compatible, SIIT, NAT64, 6to4, ISATAP.
    `http://[::127.0.0.1]:${p}/`,
    `http://[::ffff:0:127.0.0.1]:${p}/`,
    `http://[64:ff9b::127.0.0.1]:${p}/`,
    `http://[2002:7f00:1::1]:${p}/`,
    `http://[2606:4700::5efe:127.0.0.1]:${p}/`,
    `http://compat.example:${p}/`,
    `http://nat64.example:${p}/`,
    `http://localhost:${p}/`,
    `http://0.0.0.0:${p}/`,
    `http://169.254.169.254:${p}/latest/meta-data/`,
    `http://rebind.example:${p}/`,
    `http://metadata.example:${p}/`,
    `http://mixed.example:${p}/`,
  ];

  beforeAll(async () => {
    const first = await listen('127.0.0.1', 0);
    if (!first) throw new Error('cannot listen on 127.0.0.1');
    canaries.push(first);
    port = (first.server.address() as AddressInfo).port;
    const v6 = await listen('::1', port);
    if (v6) canaries.push(v6);
    // The "allowed host": the only allow-listed address is 127.0.0.2/32, which no target uses.
    redirector = await startHostileServer({
      host: '127.0.0.2',
      routes: {
        '/go': (req, res) => {
          const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
          res.writeHead(302, { location: to }).end();
        },
      },
    });
    const base = {
      userAgent: 'newsflow-test/1.0 (+https://example.invalid/bot)',
      timeoutMs: 3_000,
      maxRedirects: 5,
      maxBytes: { feed: 5 * MiB, page: 3 * MiB, robots: 500 * 1024, sitemap: 50 * 2 ** 20 },
      allowedPorts: [port, redirector.port],
    };
    direct = createFetcher({ ...base, allowNetworks: [] }, { resolveAll });
    viaRedirect = createFetcher({ ...base, allowNetworks: ['127.0.0.2/32'] }, { resolveAll });
  });

  afterAll(async () => {
    await direct?.close();
    await viaRedirect?.close();
    await redirector?.close();
    await Promise.all(canaries.map(c => new Promise(done => c.server.close(done))));
  });

  it('refuses every loopback, unspecified, link-local and rebinding target directly', async () => {
    for (const url of targets(port)) {
      const res = await direct.fetch({ url, kind: 'page' });
      expect(res.ok ? `ok ${url}` : `${res.class}/${res.blockedBy}`, url).toBe('blocked/ssrf');
    }
    expect(canaries.map(c => c.count())).toEqual(canaries.map(() => 0));
  });

  it('refuses the same targets behind a redirect from an allowed host, recording the hop', async () => {
    for (const target of targets(port)) {
      const res = await viaRedirect.fetch({
        url: `${redirector.url('/go')}?to=${encodeURIComponent(target)}`,
        kind: 'page',
      });
      expect(res.ok ? `ok ${target}` : `${res.class}/${res.blockedBy}`, target).toBe('blocked/ssrf');
      expect(
        res.redirects.map(h => h.status),
        target,
      ).toEqual([302]);
    }
    expect(redirector.connections()).toBeGreaterThan(0);
    expect(canaries.map(c => c.count())).toEqual(canaries.map(() => 0));
  });

  it('refuses a port outside the allowed list and non-http schemes before any lookup', async () => {
    const res = await direct.fetch({ url: 'http://example.invalid:6379/', kind: 'feed' });
    expect(res.ok ? 'ok' : `${res.class}/${res.blockedBy}`).toBe('blocked/port');
    const file = await direct.fetch({ url: 'file:///etc/passwd', kind: 'feed' });
    expect(file.ok ? 'ok' : `${file.class}/${file.blockedBy}`).toBe('blocked/scheme');
  });

  it('lets the allow-list reach loopback when configured (how tests and the demo work)', async () => {
    const allowed = createFetcher({
      userAgent: 'newsflow-test/1.0',
      timeoutMs: 3_000,
      maxRedirects: 5,
      maxBytes: { feed: MiB, page: MiB, robots: MiB, sitemap: MiB },
      allowNetworks: ['127.0.0.0/8'],
      allowedPorts: [port],
    });
    try {
      const res = await allowed.fetch({ url: `http://127.0.0.1:${port}/`, kind: 'page' });
      expect(res.ok ? res.text : res.reason).toBe('canary');
    } finally {
      await allowed.close();
    }
  });
});
