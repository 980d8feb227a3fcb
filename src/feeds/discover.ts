import type { Fetcher } from '../fetch/types.js';
import { decodeEntities } from './parse/html.js';
import { FeedParseError, parseFeed } from './parse/parse.js';
import type { ParsedFeed } from './parse/types.js';

/**
 * Feed discovery for `feeds add`: the URL itself when it is a feed; else the page's
 * `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json|json">`; else well-known paths on its
 * origin. Every candidate is fetched through the fetcher and must parse before it is offered.
 */
const FEED_TYPES =
  /^(?:application\/(?:rss|atom|rdf)\+xml|application\/(?:feed\+)?json|text\/xml|application\/xml)$/i;

/** Paths feeds commonly live at (WordPress, Ghost, Hugo, Jekyll, Blogger, Substack…). */
export const COMMON_PATHS = [
  '/feed',
  '/feed/',
  '/rss',
  '/rss.xml',
  '/feed.xml',
  '/atom.xml',
  '/index.xml',
  '/feed.json',
  '/index.rss',
  '/rss/',
  '/feeds/posts/default',
  '/?feed=rss2',
];

export interface FeedLink {
  url: string;
  title: string | null;
  type: string;
}

/** `<link rel="alternate">` feed links of an HTML page, resolved against `<base href>` and the page URL. */
export function feedLinksFromHtml(html: string, pageUrl: string): FeedLink[] {
  const head = html.slice(0, 512 * 1024);
  const attrs = (tag: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const m of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
      out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    }
    return out;
  };
  let base = pageUrl;
  const baseTag = /<base\b[^>]*>/i.exec(head);
  if (baseTag) {
    const href = attrs(baseTag[0]).href;
    if (href) {
      try {
        base = new URL(href, pageUrl).toString();
      } catch {
        base = pageUrl;
      }
    }
  }
  const links: FeedLink[] = [];
  for (const m of head.matchAll(/<link\b[^>]*>/gi)) {
    const a = attrs(m[0]);
    const rel = (a.rel ?? '').toLowerCase().split(/\s+/);
    const type = (a.type ?? '').trim();
    if (!rel.includes('alternate') || !FEED_TYPES.test(type) || !a.href) continue;
    try {
      const url = new URL(a.href.trim(), base).toString();
      if (!links.some(l => l.url === url)) links.push({ url, title: a.title?.trim() || null, type });
    } catch {
      continue;
    }
  }
  return links;
}

export interface DiscoveredFeed {
  url: string;
  feed: ParsedFeed;
  /** How it was found: the URL itself, a `<link rel=alternate>`, or a common path. */
  via: 'url' | 'link' | 'common-path';
}

export interface DiscoveryResult {
  feeds: DiscoveredFeed[];
  /** Why candidates were rejected, for the message when nothing is found. */
  notes: string[];
}

async function tryFeed(
  fetcher: Fetcher,
  url: string,
): Promise<{ feed?: ParsedFeed; text?: string; url: string; note?: string }> {
  const res = await fetcher.fetch({ url, kind: 'feed' });
  if (!res.ok) return { url, note: `${url}: ${res.class}: ${res.reason}` };
  // A 301/308 chain moves the feed; take the final URL then (a 302 is temporary: keep what was asked).
  const permanent =
    res.redirects.length > 0 && res.redirects.every(h => h.status === 301 || h.status === 308);
  const finalUrl = permanent ? res.finalUrl : url;
  try {
    return {
      feed: await parseFeed(res.text, { baseUrl: res.finalUrl, contentType: res.headers.contentType }),
      url: finalUrl,
    };
  } catch (err) {
    if (!(err instanceof FeedParseError)) throw err;
    return { url: finalUrl, text: res.text, note: `${url}: ${err.message}` };
  }
}

export async function discoverFeeds(
  fetcher: Fetcher,
  url: string,
  opts: { all?: boolean } = {},
): Promise<DiscoveryResult> {
  const notes: string[] = [];
  const first = await tryFeed(fetcher, url);
  if (first.feed) return { feeds: [{ url: first.url, feed: first.feed, via: 'url' }], notes };
  if (first.note) notes.push(first.note);
  const found: DiscoveredFeed[] = [];
  const seen = new Set<string>([url, first.url]);
  const candidates: { url: string; via: DiscoveredFeed['via'] }[] = [];
  if (first.text) {
    for (const l of feedLinksFromHtml(first.text, first.url)) candidates.push({ url: l.url, via: 'link' });
  }
  let origin: string | null = null;
  try {
    origin = new URL(first.url).origin;
  } catch {
    origin = null;
  }
  const common = origin ? COMMON_PATHS.map(p => ({ url: `${origin}${p}`, via: 'common-path' as const })) : [];
  for (const c of [...candidates, ...common]) {
    if (seen.has(c.url)) continue;
    // Well-known paths are a fallback: skip them once the page itself named its feeds.
    if (c.via === 'common-path' && found.length > 0) break;
    seen.add(c.url);
    const r = await tryFeed(fetcher, c.url);
    if (r.feed && !found.some(f => f.url === r.url)) {
      found.push({ url: r.url, feed: r.feed, via: c.via });
      if (!opts.all) break;
    } else if (r.note && c.via === 'link') notes.push(r.note);
  }
  return { feeds: found, notes };
}
