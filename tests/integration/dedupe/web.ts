import { createServer, type Server } from 'node:http';

/** One local "site": an HTTP server on 127.0.0.1 (port 0) serving pages registered by path. */
export interface Site {
  origin: string;
  port: number;
  /** path → content (a function is called per request, e.g. for a feed that changes between polls). */
  pages: Map<string, { type: string; body: string | (() => string) }>;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startSite(): Promise<Site> {
  const pages: Site['pages'] = new Map();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    // Query and trailing slash do not select another page here, as on most CMSs.
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const page = pages.get(path);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, { 'content-type': page.type })
      .end(typeof page.body === 'function' ? page.body() : page.body);
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    pages,
    hits,
    close: () => new Promise<void>(done => server.close(() => done())),
  };
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An article page inside some site boilerplate; `paragraphs` are plain text. */
export function articlePage(opts: {
  title: string;
  siteName: string;
  paragraphs: string[];
  canonical?: string;
  publishedAt?: string;
  tail?: string;
}): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(opts.title)} - ${esc(opts.siteName)}</title>
${opts.canonical ? `<link rel="canonical" href="${esc(opts.canonical)}">` : ''}
<meta property="og:site_name" content="${esc(opts.siteName)}">
${opts.publishedAt ? `<meta property="article:published_time" content="${opts.publishedAt}">` : ''}
</head><body>
<header><a href="/">${esc(opts.siteName)}</a><ul><li><a href="/markets/">Markets</a></li><li><a href="/business/">Business</a></li></ul></header>
<main><article><h1>${esc(opts.title)}</h1>
${opts.paragraphs.map(p => `<p>${esc(p)}</p>`).join('\n')}
${opts.tail ?? ''}
</article></main>
<aside><h3>Related</h3><ul><li><a href="/r/1">Another headline</a></li></ul></aside>
<footer><p>© 2026 ${esc(opts.siteName)}</p></footer>
</body></html>`;
}

export interface FeedEntry {
  title: string;
  link: string;
  publishedAt: string;
  contentHtml?: string;
  summary?: string;
}

export function rssFeed(title: string, link: string, items: FeedEntry[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>${esc(title)}</title><link>${esc(link)}</link><description>${esc(title)}</description>
${items
  .map(
    i => `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link><guid>${esc(i.link)}</guid>
<pubDate>${new Date(i.publishedAt).toUTCString()}</pubDate>
${i.summary ? `<description>${esc(i.summary)}</description>` : ''}
${i.contentHtml ? `<content:encoded><![CDATA[${i.contentHtml}]]></content:encoded>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}

/** The Yoast SEO feed footer as its plugin renders it (`rssafter` default). */
export function yoastFooterHtml(postUrl: string, title: string, homeUrl: string, site: string): string {
  return `<p>The post <a rel="nofollow" href="${esc(postUrl)}">${esc(title)}</a> appeared first on <a rel="nofollow" href="${esc(homeUrl)}">${esc(site)}</a>.</p>`;
}

/** Splits a text into paragraphs of about `size` words. */
export function paragraphs(text: string, size = 45): string[] {
  const words = text.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(' '));
  return out;
}
