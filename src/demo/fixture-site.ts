import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

const SITE_DIR = new URL('./site/', import.meta.url);

/** Two local sites on loopback: an original publisher and an aggregator that republishes its feed. */
export interface FixtureSite {
  harborOrigin: string;
  hubOrigin: string;
  feeds: { id: string; url: string; title: string }[];
  /** Requests served, by path, for tests. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const ROUTES: Record<'harbor' | 'hub', Record<string, { file: string; type: string }>> = {
  harbor: {
    '/feed.xml': { file: 'harbor-ledger/feed.xml', type: 'application/rss+xml; charset=utf-8' },
    '/2026/11/20/calder-electric-cranes/': {
      file: 'harbor-ledger/calder-electric-cranes.html',
      type: 'text/html; charset=utf-8',
    },
    '/2026/11/18/vell-valley-rail-link/': {
      file: 'harbor-ledger/vell-valley-rail-link.html',
      type: 'text/html; charset=utf-8',
    },
  },
  hub: {
    '/feed.xml': { file: 'market-hub/feed.xml', type: 'application/rss+xml; charset=utf-8' },
    '/business/port-of-calder-approves-electric-crane-fleet/': {
      file: 'market-hub/port-of-calder-approves-electric-crane-fleet.html',
      type: 'text/html; charset=utf-8',
    },
  },
};

export async function startFixtureSite(): Promise<FixtureSite> {
  const hits = new Map<string, number>();
  const origins = { harbor: '', hub: '' };
  const render = (file: string): string =>
    readFileSync(fileURLToPath(new URL(file, SITE_DIR)), 'utf8')
      .replaceAll('{{HARBOR}}', origins.harbor)
      .replaceAll('{{HUB}}', origins.hub);

  const serve = (site: 'harbor' | 'hub'): Server =>
    createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(`${site}${path}`, (hits.get(`${site}${path}`) ?? 0) + 1);
      const route = ROUTES[site][path];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': route.type }).end(render(route.file));
    });

  const servers = { harbor: serve('harbor'), hub: serve('hub') };
  // Two sites should be two hosts, as on the web (attribution compares hosts): the aggregator listens on
  // 127.0.0.2 where the system routes all of 127.0.0.0/8 to loopback (Linux), else on 127.0.0.1 too.
  const hosts = { harbor: '127.0.0.1', hub: '127.0.0.2' };
  for (const site of ['harbor', 'hub'] as const) {
    const server = servers[site];
    const host = await listen(server, hosts[site]).catch(() => listen(server, '127.0.0.1'));
    const addr = server.address();
    origins[site] = `http://${host}:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }
  return {
    harborOrigin: origins.harbor,
    hubOrigin: origins.hub,
    feeds: [
      { id: 'harbor-ledger', url: `${origins.harbor}/feed.xml`, title: 'Harbor Ledger' },
      { id: 'daily-market-hub', url: `${origins.hub}/feed.xml`, title: 'Daily Market Hub' },
    ],
    hits,
    close: () =>
      Promise.all(Object.values(servers).map(s => new Promise<void>(done => s.close(() => done())))).then(
        () => undefined,
      ),
  };
}

function listen(server: Server, host: string): Promise<string> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, host, () => {
      server.off('error', fail);
      done(host);
    });
  });
}

/** The fixture site's ports, for the SSRF guard's port allow-list. */
export function fixturePorts(site: FixtureSite): number[] {
  return [site.harborOrigin, site.hubOrigin].map(o => Number(new URL(o).port));
}
