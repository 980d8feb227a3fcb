/**
 * Builds a syndication corpus at run time from real article pages (never copied into the repository):
 * each original is served on a local "publisher" site, and four kinds of copy on aggregator sites —
 *   full       the whole text in other boilerplate; the Yoast footer (with links) in its feed item, as
 *              plain text at the end of the page (how scrapers keep it)
 *   excerpt    the first 55 words + "[…]" + the Yoast footer, as WordPress renders a feed excerpt
 *   edited     a changed headline and ~5 % of the words replaced, no footer
 *   canonical  the whole text with a cross-domain rel=canonical to the original, nothing else
 * Distinct articles of the same publisher sites are negatives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import type { LocalSite } from './sites.js';

export interface SourcePage {
  id: string;
  html: string;
  /** The ground truth article text (what the publisher's CMS holds). */
  body: string;
  realUrl: string;
  title: string;
  /** og:site_name or JSON-LD publisher.name, when the page declares one. */
  siteName: string | null;
  words: number;
}

export type CopyKind = 'full' | 'excerpt' | 'edited' | 'canonical';
/** The hard cases (hard.ts): copies aggregators really make, and negatives that share most of their words. */
export type HardKind =
  | 'link-credit'
  | 'text-credit'
  | 'inserted'
  | 'typography'
  | 'release'
  | 'release-copy'
  | 'report'
  | 'report-copy'
  | 'notice'
  | 'notice-copy'
  | 'update'
  | 'update-copy';
export type ItemKind = 'original' | 'negative' | CopyKind | HardKind;

export interface CorpusItem {
  url: string;
  kind: ItemKind;
  /** Ground-truth cluster: the original's page id (a negative is its own cluster). */
  group: string;
  /**
   * Expected attribution of a copy that carries a credit or a canonical; originalUrl null for a credit that
   * names the publisher only (the copy must still join its original's story).
   */
  expect: { originalUrl: string | null; publisher: string | null } | null;
  /** One of the hard cases (scored apart from the easy site). */
  hard?: boolean;
}

export interface FeedItemSpec {
  title: string;
  link: string;
  publishedAt: string;
  summary?: string;
  contentHtml?: string;
}

/** mulberry32: the corpus is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function metaContent(doc: Document, selector: string): string | null {
  const v = doc.querySelector(selector)?.getAttribute('content')?.trim();
  return v ? v : null;
}

function jsonLdPublisher(doc: Document): string | null {
  for (const s of doc.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      const stack: unknown[] = [JSON.parse(s.textContent ?? '') as unknown];
      while (stack.length > 0) {
        const v = stack.pop();
        if (Array.isArray(v)) stack.push(...(v as unknown[]));
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          const pub = o.publisher as Record<string, unknown> | undefined;
          if (pub && typeof pub === 'object' && typeof pub.name === 'string' && pub.name.trim()) {
            return pub.name.trim();
          }
          if (Array.isArray(o['@graph'])) stack.push(...(o['@graph'] as unknown[]));
        }
      }
    } catch {
      // Malformed JSON-LD is common; the page simply declares no publisher there.
    }
  }
  return null;
}

export function loadAebPages(dir: string): SourcePage[] {
  const truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as Record<
    string,
    { articleBody: string; url: string }
  >;
  return Object.keys(truth)
    .sort()
    .map(id => {
      const t = truth[id]!;
      const html = gunzipSync(readFileSync(join(dir, 'html', `${id}.html.gz`))).toString('utf8');
      const { document } = parseHTML(html);
      const doc = document;
      const title = (
        metaContent(doc, 'meta[property="og:title"]') ??
        doc.querySelector('title')?.textContent ??
        doc.querySelector('h1')?.textContent ??
        id
      )
        .replace(/\s+/g, ' ')
        .trim();
      const siteName = metaContent(doc, 'meta[property="og:site_name"]') ?? jsonLdPublisher(doc);
      return {
        id,
        html,
        body: t.articleBody,
        realUrl: t.url,
        title,
        siteName,
        words: t.articleBody.split(/\s+/).length,
      };
    });
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function paragraphsOf(body: string): string[] {
  return body
    .split(/\n+/)
    .map(p => p.trim())
    .filter(Boolean);
}

/**
 * The original page as its own site would serve it locally: links to its real origin point at the local
 * site, and canonical / og:url name the local address (a page is not a copy of its real-world self).
 */
export function localizeOriginal(page: SourcePage, localUrl: string): string {
  const real = new URL(page.realUrl);
  const host = real.host.replace(/^www\./, '').replace(/\./g, '\\.');
  const local = new URL(localUrl);
  let html = page.html.replace(new RegExp(`(?:https?:)?//(?:www\\.)?${host}`, 'gi'), local.origin);
  html = html
    .replace(/<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>/gi, '')
    .replace(/<meta\b[^>]*\bproperty\s*=\s*["']og:url["'][^>]*>/gi, '');
  const tag = `<link rel="canonical" href="${esc(localUrl)}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, m => `${m}${tag}`) : `${tag}${html}`;
}

/** Four aggregator looks, loosely after real feed-scraping sites: menus, byline, share bar, widgets. */
const LOOKS = [
  { name: 'Daily Market Hub', nav: ['Politics', 'Investing', 'Business', 'Latest News'], by: 'admin' },
  { name: 'Wire Digest', nav: ['World', 'Economy', 'Tech', 'Opinion', 'Video'], by: 'Staff' },
  { name: 'Trader Bulletin', nav: ['Stocks', 'Crypto', 'Forex', 'Commodities'], by: 'editor' },
  { name: 'Global News Desk', nav: ['Home', 'Regions', 'Analysis', 'Contact'], by: 'newsdesk' },
];

export function copyPage(opts: {
  look: number;
  title: string;
  bodyHtml: string;
  publishedAt: string;
  canonical?: string;
}): string {
  const look = LOOKS[opts.look % LOOKS.length]!;
  const menu = `<ul class="menu">${look.nav.map(n => `<li><a href="/${n.toLowerCase().replace(/\s+/g, '-')}/">${n}</a></li>`).join('')}</ul>`;
  return `<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>${esc(opts.title)} - ${esc(look.name)}</title>
${opts.canonical ? `<link rel="canonical" href="${esc(opts.canonical)}">` : ''}
<meta property="og:site_name" content="${esc(look.name)}"><meta property="og:type" content="article">
<meta property="article:published_time" content="${opts.publishedAt}">
</head><body>
<div class="top-bar">${menu}</div>
<header class="site-header"><a class="logo" href="/">${esc(look.name)}</a>${menu}</header>
<div class="content-area"><article class="post">
<h1 class="entry-title">${esc(opts.title)}</h1>
<div class="entry-meta">by <a href="/author/${look.by}/">${look.by}</a> <time datetime="${opts.publishedAt}">${opts.publishedAt.slice(0, 10)}</time></div>
<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">LinkedIn</a> <a href="#">Email</a></div>
<div class="entry-content">
${opts.bodyHtml}
</div>
<div class="share-buttons"><a href="#">Share</a> <a href="#">Tweet</a></div>
<nav class="post-navigation"><a href="/prev/">Previous: Markets open mixed ahead of the data</a> <a href="/next/">Next: What analysts expect this week</a></nav>
</article>
<section class="related-posts"><h3>Related Posts</h3><ul><li><a href="/r/1">Shares drift as traders wait</a></li><li><a href="/r/2">Five charts to watch</a></li></ul></section>
<aside class="newsletter"><h3>Subscribe to our newsletter</h3><p>Get the day's stories in your inbox every morning.</p><form><input type="email"><button>Subscribe</button></form></aside>
<aside class="widget"><h3>Latest News</h3><ul><li><a href="/l/1">Gold holds steady</a></li><li><a href="/l/2">Oil slips in quiet trade</a></li></ul></aside>
</div>
<footer class="site-footer"><p class="disclaimer">Disclaimer: ${esc(look.name)} republishes news from third-party sources for information only. Nothing here is investment advice.</p><p>© 2026 ${esc(look.name)}</p></footer>
</body></html>`;
}

export function rssFeed(title: string, link: string, items: FeedItemSpec[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>${esc(title)}</title><link>${esc(link)}</link><description>${esc(title)}</description>
${items
  .map(
    i => `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link><guid isPermaLink="false">${esc(i.link)}</guid>
<pubDate>${new Date(i.publishedAt).toUTCString()}</pubDate>
${i.summary !== undefined ? `<description><![CDATA[${i.summary}]]></description>` : ''}
${i.contentHtml !== undefined ? `<content:encoded><![CDATA[${i.contentHtml}]]></content:encoded>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}

/** The Yoast SEO feed footer as the plugin renders it (`rssafter` default, wpautop'd). */
function yoastFooter(postUrl: string, title: string, homeUrl: string, site: string): string {
  return `<p>The post <a rel="nofollow" href="${esc(postUrl)}">${esc(title)}</a> appeared first on <a rel="nofollow" href="${esc(homeUrl)}">${esc(site)}</a>.</p>`;
}

/** Replaces about `share` of the words of a text with other words; punctuation around a word stays. */
export function editWords(text: string, share: number, pool: readonly string[], rand: () => number): string {
  return text.replace(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu, w =>
    rand() < share ? pool[Math.floor(rand() * pool.length)]! : w,
  );
}

const HEADLINE_PREFIXES = ['Report:', 'Update:', 'Explained:', 'Analysis:'];

export function editHeadline(title: string, pool: readonly string[], rand: () => number): string {
  const prefix = HEADLINE_PREFIXES[Math.floor(rand() * HEADLINE_PREFIXES.length)]!;
  return `${prefix} ${editWords(title, 0.3, pool, rand)}`;
}

export function slug(text: string, n: number): string {
  const s = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${s || 'story'}-${n}`;
}

export interface BuiltCorpus {
  items: CorpusItem[];
  /** One feed per site. */
  feeds: { id: string; url: string }[];
  /** Each original as served: its page, local address and the publisher name its credits use. */
  originals: { page: SourcePage; url: string; publisher: string }[];
}

/**
 * Registers every page and feed on the given sites. `publisherFor(host)` returns the local site that plays
 * a real host; `copiers` are the aggregators.
 */
export function buildCorpus(opts: {
  originals: SourcePage[];
  negatives: SourcePage[];
  publisherFor: (realHost: string) => LocalSite;
  copiers: LocalSite[];
  seed: number;
}): BuiltCorpus {
  const rand = rng(opts.seed);
  const items: CorpusItem[] = [];
  const feedItems = new Map<LocalSite, FeedItemSpec[]>();
  const addFeedItem = (site: LocalSite, item: FeedItemSpec): void => {
    const list = feedItems.get(site);
    if (list) list.push(item);
    else feedItems.set(site, [item]);
  };
  // Replacement words come from the negatives: real vocabulary unrelated to the edited story.
  const pool = [
    ...new Set(
      opts.negatives
        .flatMap(p => p.body.split(/\s+/))
        .map(w => w.replace(/[^\p{L}]/gu, '').toLowerCase())
        .filter(w => w.length >= 3),
    ),
  ].sort();
  const base = Date.parse('2026-11-20T06:00:00Z');
  const served: BuiltCorpus['originals'] = [];
  const usedPaths = new Set<string>();

  const place = (page: SourcePage): { site: LocalSite; url: string } => {
    const real = new URL(page.realUrl);
    const site = opts.publisherFor(real.host.replace(/^www\./, ''));
    let path = real.pathname || '/';
    if (path === '/' || usedPaths.has(`${site.origin}${path}`)) path = `/article/${page.id.slice(0, 12)}`;
    usedPaths.add(`${site.origin}${path}`);
    return { site, url: `${site.origin}${path}` };
  };

  opts.negatives.forEach((page, n) => {
    const { site, url } = place(page);
    site.pages.set(new URL(url).pathname, {
      type: 'text/html; charset=utf-8',
      body: localizeOriginal(page, url),
    });
    addFeedItem(site, {
      title: page.title,
      link: url,
      publishedAt: new Date(base + n * 60_000).toISOString(),
    });
    items.push({ url, kind: 'negative', group: `neg:${page.id}`, expect: null });
  });

  opts.originals.forEach((page, g) => {
    const { site, url: origUrl } = place(page);
    const origPath = new URL(origUrl).pathname;
    site.pages.set(origPath, { type: 'text/html; charset=utf-8', body: localizeOriginal(page, origUrl) });
    const published = base + (opts.negatives.length + g) * 60_000;
    addFeedItem(site, { title: page.title, link: origUrl, publishedAt: new Date(published).toISOString() });
    items.push({ url: origUrl, kind: 'original', group: page.id, expect: null });

    // The footer names the site as the original declares itself; a page declaring nothing goes by its host.
    const publisher = page.siteName ?? new URL(page.realUrl).host.replace(/^www\./, '');
    served.push({ page, url: origUrl, publisher });
    const footer = yoastFooter(origUrl, page.title, `${site.origin}/`, publisher);
    const footerText = `The post ${page.title} appeared first on ${publisher}.`;
    const paras = paragraphsOf(page.body);
    const bodyHtml = paras.map(p => `<p>${esc(p)}</p>`).join('\n');
    const words = page.body.split(/\s+/).filter(Boolean);
    const excerpt = `${esc(words.slice(0, 55).join(' '))} [&#8230;]`;

    const kinds: CopyKind[] = ['full', 'excerpt', 'edited', 'canonical'];
    kinds.forEach((kind, k) => {
      const look = (g + k) % opts.copiers.length;
      const copier = opts.copiers[look]!;
      const at = new Date(published + (k + 1) * 37 * 60_000).toISOString();
      const path = `/${['business', 'markets', 'news', 'world'][k]}/${slug(page.title, g)}/`;
      const url = `${copier.origin}${path}`;
      let title = page.title;
      let pageBody: string;
      let feed: FeedItemSpec;
      let canonical: string | undefined;
      let expect: CorpusItem['expect'] = null;
      switch (kind) {
        case 'full':
          pageBody = `${bodyHtml}\n<p>${esc(footerText)}</p>`;
          feed = { title, link: url, publishedAt: at, contentHtml: `${bodyHtml}${footer}` };
          expect = { originalUrl: origUrl, publisher };
          break;
        case 'excerpt':
          pageBody = `<p>${excerpt}</p>\n${footer}`;
          feed = { title, link: url, publishedAt: at, summary: `<p>${excerpt}</p>${footer}` };
          expect = { originalUrl: origUrl, publisher };
          break;
        case 'edited':
          title = editHeadline(page.title, pool, rand);
          pageBody = paras.map(p => `<p>${esc(editWords(p, 0.05, pool, rand))}</p>`).join('\n');
          feed = { title, link: url, publishedAt: at, summary: esc(words.slice(0, 30).join(' ')) };
          break;
        case 'canonical':
          canonical = origUrl;
          pageBody = bodyHtml;
          feed = { title, link: url, publishedAt: at, summary: esc(words.slice(0, 30).join(' ')) };
          // The canonical names the address; the publisher is known only as the original declares itself.
          expect = { originalUrl: origUrl, publisher: page.siteName };
          break;
      }
      copier.pages.set(path, {
        type: 'text/html; charset=utf-8',
        body: copyPage({
          look,
          title,
          bodyHtml: pageBody,
          publishedAt: at,
          ...(canonical ? { canonical } : {}),
        }),
      });
      addFeedItem(copier, feed);
      items.push({ url, kind, group: page.id, expect });
    });
  });

  const feeds: BuiltCorpus['feeds'] = [];
  let n = 0;
  for (const [site, list] of feedItems) {
    site.pages.set('/feed.xml', {
      type: 'application/rss+xml; charset=utf-8',
      body: rssFeed(`site ${n}`, `${site.origin}/`, list),
    });
    feeds.push({ id: `site-${n++}`, url: `${site.origin}/feed.xml` });
  }
  return { items, feeds, originals: served };
}
