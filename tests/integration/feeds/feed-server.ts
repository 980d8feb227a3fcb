import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A programmable feed server on 127.0.0.1: each path answers what the test says, every request is logged. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Route = (req: {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  method: string;
}) => Reply;

export interface FeedServer {
  origin: string;
  port: number;
  url(path: string): string;
  route(path: string, handler: Route | Reply): void;
  requests: { path: string; method: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Route>();
  const requests: FeedServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, method: req.method ?? 'GET', headers: req.headers });
      const handler = routes.get(path.split('?')[0]!);
      const reply = handler
        ? handler({ path, headers: req.headers, body: Buffer.concat(chunks), method: req.method ?? 'GET' })
        : { status: 404, body: 'not found' };
      res.writeHead(reply.status ?? 200, {
        'content-type': 'application/rss+xml; charset=utf-8',
        ...reply.headers,
      });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    url: path => `${origin}${path}`,
    route(path, handler) {
      routes.set(path, typeof handler === 'function' ? handler : () => handler);
    },
    requests,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An RSS 2.0 document with the given items (dated relative to `now`). */
export function rssFeed(
  items: { guid?: string; link?: string; title: string; ageMs?: number }[],
  now: number,
  extra = '',
): string {
  const body = items
    .map(
      i =>
        `<item><title>${i.title}</title>${i.link ? `<link>${i.link}</link>` : ''}${
          i.guid ? `<guid isPermaLink="false">${i.guid}</guid>` : ''
        }${i.ageMs !== undefined ? `<pubDate>${new Date(now - i.ageMs).toUTCString()}</pubDate>` : ''}</item>`,
    )
    .join('\n');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Test feed</title><link>https://site.example/</link>${extra}\n${body}\n</channel></rss>`;
}
