import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createGzip } from 'node:zlib';

/**
 * A local web server that misbehaves on purpose, for the fetcher's hostile battery. Every route is generated
 * here (no third-party text). Bodies are streamed, so the server itself stays small while it sends megabytes.
 */
export interface HostileServer {
  origin: string;
  port: number;
  url(path: string): string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, server: { origin: string }) => void | Promise<void>;

export interface HostileServerOptions {
  host?: string;
  routes?: Record<string, Route>;
}

/** `text` encoded in a single-byte or legacy encoding via Node's latin1 for the windows-1252 subset we use. */
function cp1252(text: string): Buffer {
  // Only characters whose windows-1252 byte equals their code point (Latin-1 range) are used here.
  return Buffer.from(text, 'latin1');
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise(done => {
    const finish = (): void => {
      res.off('drain', finish);
      res.off('close', finish);
      done();
    };
    res.on('drain', finish);
    res.on('close', finish);
  });
}

/** 200 MiB of zeros, gzipped as a stream so building the bomb costs ~200 KB, not 200 MB. */
export async function gzipBomb(decodedBytes = 200 * 1024 * 1024): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const zero = Buffer.alloc(1024 * 1024);
  for (let sent = 0; sent < decodedBytes; sent += zero.length) {
    if (!gz.write(zero)) await once(gz, 'drain');
  }
  gz.end();
  await once(gz, 'end');
  return Buffer.concat(out);
}

export function rssFeed(encodingDecl: string, title: string): string {
  return (
    `<?xml version="1.0" encoding="${encodingDecl}"?>\n` +
    `<rss version="2.0"><channel><title>${title}</title><link>http://example.invalid/</link>` +
    `<description>${title}</description><item><title>${title}</title><link>http://example.invalid/1</link></item>` +
    `</channel></rss>\n`
  );
}

/** Routes of the battery; the test knows what each must end as. */
export function hostileRoutes(bomb: Buffer): Record<string, Route> {
  return {
    '/garbage-10mb': async (_req, res) => {
      // Random bytes, chunked (no Content-Length), so only the streaming cap can stop it.
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(64 * 1024);
      for (let sent = 0; sent < 10 * 1024 * 1024 && !res.destroyed; sent += chunk.length) {
        for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
    },
    '/gzip-bomb': (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-encoding': 'gzip',
        'content-length': bomb.length,
      });
      res.end(bomb);
    },
    '/endless': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      while (!res.destroyed) {
        if (!res.write(chunk)) await drained(res);
      }
    },
    '/drip': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => {
        if (res.destroyed) clearInterval(timer);
        else res.write('x');
      }, 500);
      res.on('close', () => clearInterval(timer));
    },
    '/no-headers': () => {
      // Reads the request and never answers.
    },
    '/loop': (_req, res) => {
      res.writeHead(302, { location: '/loop' }).end();
    },
    '/loop-a': (_req, res) => {
      res.writeHead(301, { location: '/loop-b' }).end();
    },
    '/loop-b': (_req, res) => {
      res.writeHead(307, { location: '/loop-a' }).end();
    },
    '/to-file': (_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    },
    '/to-gopher': (_req, res) => {
      res.writeHead(302, { location: 'gopher://127.0.0.1:70/_INFO' }).end();
    },
    '/wrong-label': (_req, res) => {
      // A label no encoding has, on a windows-1252 body: the label is skipped and the bytes decide.
      res.writeHead(200, { 'content-type': 'text/html; charset=klingon-8' });
      res.end(cp1252('<html><body><p>Caf\u00e9 cr\u00e8me, se\u00f1or</p></body></html>'));
    },
    '/feed-1251': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(win1251(rssFeed('windows-1251', 'Новости дня')));
    },
    '/feed-sjis': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(shiftJis(rssFeed('Shift_JIS', '今日のニュース')));
    },
    '/feed-latin1': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(cp1252(rssFeed('ISO-8859-1', 'Z\u00fcrich caf\u00e9 \u00e0 la carte')));
    },
    '/bom-contradicts': (_req, res) => {
      // The header says windows-1251; the UTF-8 BOM says otherwise, and the BOM wins.
      res.writeHead(200, { 'content-type': 'text/html; charset=windows-1251' });
      res.end(
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from('<html><body><p>na\u00efve \u2014 \u2713 Новости</p></body></html>', 'utf8'),
        ]),
      );
    },
  };
}

// Tiny encoders for the few characters the feeds above use, so the test needs no encoder of its own.
const CP1251: Record<string, number> = {};
'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя'
  .split('')
  .forEach((c, i) => (CP1251[c] = 0xc0 + i));

function win1251(text: string): Buffer {
  return Buffer.from([...text].map(c => CP1251[c] ?? c.charCodeAt(0)));
}

// Shift_JIS codes of the characters in '今日のニュース'.
const SJIS: Record<string, number[]> = {
  今: [0x8d, 0xa1],
  日: [0x93, 0xfa],
  の: [0x82, 0xcc],
  ニ: [0x83, 0x6a],
  ュ: [0x83, 0x85],
  ー: [0x81, 0x5b],
  ス: [0x83, 0x58],
};

function shiftJis(text: string): Buffer {
  return Buffer.from([...text].flatMap(c => SJIS[c] ?? [c.charCodeAt(0)]));
}

export async function startHostileServer(opts: HostileServerOptions = {}): Promise<HostileServer> {
  const host = opts.host ?? '127.0.0.1';
  const routes = opts.routes ?? {};
  let connections = 0;
  const sockets = new Set<Socket>();
  const ctx = { origin: '' };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path] ?? routes['*'];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve(route(req, res, ctx)).catch(() => res.destroy());
  });
  server.on('connection', socket => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.origin = origin;
  return {
    origin,
    port,
    url: path => `${origin}${path}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>(done => server.close(() => done()));
    },
  };
}
