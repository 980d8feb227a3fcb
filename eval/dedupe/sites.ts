import { createServer, type Server } from 'node:http';

/** One local site: an HTTP server on 127.0.0.1 (its own port, so its own "domain" for URL keys). */
export interface LocalSite {
  origin: string;
  port: number;
  pages: Map<string, { type: string; body: string }>;
  close(): Promise<void>;
}

export async function startLocalSite(): Promise<LocalSite> {
  const pages: LocalSite['pages'] = new Map();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = pages.get(path) ?? pages.get(path.endsWith('/') ? path.slice(0, -1) : `${path}/`);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': page.type }).end(page.body);
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    pages,
    close: () =>
      new Promise<void>(done => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
