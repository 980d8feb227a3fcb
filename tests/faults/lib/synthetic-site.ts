import { createServer, type Server } from 'node:http';

/**
 * A local site of N distinct synthetic articles and a feed listing them, for fault and load runs.
 * Texts are built from a seeded word generator so no two articles share a body (dedupe must keep them apart)
 * and runs are reproducible.
 */
export interface SyntheticSite {
  origin: string;
  feedUrl: string;
  /** The same articles in feeds of at most FEED_PAGE items each. */
  feedUrls: string[];
  urls: string[];
  /** Requests served, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const SYLLABLES = [
  'ka',
  'lo',
  'mer',
  'tin',
  'sa',
  'vu',
  'ren',
  'dor',
  'pel',
  'qua',
  'sti',
  'bro',
  'fen',
  'gal',
  'hir',
  'jon',
];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function word(r: () => number): string {
  const n = 1 + Math.floor(r() * 3);
  let w = '';
  for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
  return w;
}

export function articleHtml(i: number, words = 320): { title: string; html: string } {
  const r = rng(0x9e3779b1 ^ (i * 2654435761));
  const title = `Report ${i}: ${word(r)} ${word(r)} ${word(r)}`;
  const paragraphs: string[] = [];
  let left = words;
  while (left > 0) {
    const n = Math.min(left, 40 + Math.floor(r() * 30));
    const ws = Array.from({ length: n }, () => word(r));
    ws[0] = ws[0]!.charAt(0).toUpperCase() + ws[0]!.slice(1);
    paragraphs.push(`<p>${ws.join(' ')}.</p>`);
    left -= n;
  }
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta property="og:site_name" content="Synthetic Daily"><meta property="article:published_time" content="2026-11-0${1 + (i % 9)}T10:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world/">World</a></nav><article><h1>${title}</h1>
<p class="byline">By Staff Writer</p>${paragraphs.join('\n')}</article><footer>© Synthetic Daily</footer></body></html>`;
  return { title, html };
}

/** Articles per `/feed-K.xml`: at most the poller's default `maxItemsPerPoll`. */
export const FEED_PAGE = 1_000;

export interface SyntheticSiteOptions {
  count: number;
  /** Milliseconds each page response is held back (simulates a slow origin). */
  pageDelayMs?: number;
  /** Extra handlers for special paths (hostile cases). */
  routes?: Record<string, (res: import('node:http').ServerResponse) => void>;
  host?: string;
}

export async function startSyntheticSite(opts: SyntheticSiteOptions): Promise<SyntheticSite> {
  const hits = new Map<string, number>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const special = opts.routes?.[path];
    if (special) return special(res);
    const page = /^\/feed-(\d+)\.xml$/.exec(path);
    if (path === '/feed.xml' || page) {
      // /feed.xml lists every article; /feed-K.xml the K-th slice of FEED_PAGE (a poll keeps at most
      // poller.maxItemsPerPoll items, so larger runs spread their articles over several feeds).
      const from = page ? Number(page[1]) * FEED_PAGE : 0;
      const to = page ? Math.min(opts.count, from + FEED_PAGE) : opts.count;
      const items = Array.from({ length: Math.max(0, to - from) }, (_, k) => {
        const i = from + k;
        const { title } = articleHtml(i, 1);
        return `<item><title>${title}</title><link>${origin}/a/${i}</link><guid>${origin}/a/${i}</guid></item>`;
      });
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>Synthetic</title><link>${origin}/</link>${items.join('')}</channel></rss>`,
      );
      return;
    }
    const m = /^\/a\/(\d+)$/.exec(path);
    if (m && Number(m[1]) < opts.count) {
      const send = (): void => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(articleHtml(Number(m[1])).html);
      };
      if (opts.pageDelayMs) setTimeout(send, opts.pageDelayMs);
      else send();
      return;
    }
    res.writeHead(404).end();
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>(done => server.listen(0, host, done));
  const addr = server.address();
  origin = `http://${host}:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    origin,
    feedUrl: `${origin}/feed.xml`,
    feedUrls: Array.from({ length: Math.ceil(opts.count / FEED_PAGE) }, (_, k) => `${origin}/feed-${k}.xml`),
    urls: Array.from({ length: opts.count }, (_, i) => `${origin}/a/${i}`),
    hits,
    close: () =>
      new Promise<void>(done => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
