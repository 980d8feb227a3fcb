import { sitemapsOfRobots } from '../../fetch/robots.js';
import type { Fetcher } from '../../fetch/types.js';
import { isHttpUrl } from '../parse/urls.js';
import { parseSitemap, SitemapParseError, type ParsedSitemap } from '../parse/sitemap.js';

/**
 * A site's sitemaps: the `Sitemap:` lines of its robots.txt, else the first common path that answers a sitemap.
 * Used by sitemap sources given a site root, by `feeds add` when a site has no feed, by `backfill` given a site
 * URL, and to find the news sitemap that fills a feed's overflow.
 */
export const COMMON_SITEMAP_PATHS = [
  '/sitemap_index.xml',
  '/sitemap.xml',
  '/wp-sitemap.xml',
  '/news-sitemap.xml',
  '/sitemap-news.xml',
  '/sitemap_news.xml',
  '/sitemap.xml.gz',
];

export interface SitemapDiscovery {
  sitemaps: string[];
  via: 'robots' | 'common-path' | 'none';
  notes: string[];
}

/** The origin whose robots.txt and common paths speak for a URL's site; null unless it is http(s). */
export function httpOrigin(url: string | null | undefined): string | null {
  return url && isHttpUrl(url) ? new URL(url).origin : null;
}

/** A source URL that names a site rather than a sitemap: its path is empty or `/`. */
export function isSiteRoot(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.pathname === '/' || u.pathname === '') && u.search === '';
  } catch {
    return false;
  }
}

/** `continuing`: the first fetch too waits at a busy host's gate in-process (see walk.ts). */
export async function discoverSitemaps(
  fetcher: Fetcher,
  siteUrl: string,
  opts: { continuing?: boolean } = {},
): Promise<SitemapDiscovery> {
  const notes: string[] = [];
  const origin = new URL(siteUrl).origin;
  const robots = await fetcher.fetch({
    url: `${origin}/robots.txt`,
    kind: 'robots',
    continuing: opts.continuing === true,
  });
  if (robots.ok && robots.status === 200) {
    const listed = sitemapsOfRobots(`${origin}/robots.txt`, robots.text);
    if (listed.length > 0) return { sitemaps: listed, via: 'robots', notes };
    notes.push(`${origin}/robots.txt names no Sitemap`);
  } else {
    notes.push(`${origin}/robots.txt: ${robots.ok ? `HTTP ${robots.status}` : robots.reason}`);
  }
  for (const path of COMMON_SITEMAP_PATHS) {
    const url = `${origin}${path}`;
    const r = await trySitemap(fetcher, url, true);
    if (r.parsed) return { sitemaps: [url], via: 'common-path', notes };
  }
  notes.push(`none of ${COMMON_SITEMAP_PATHS.length} common sitemap paths answered a sitemap`);
  return { sitemaps: [], via: 'none', notes };
}

export async function trySitemap(
  fetcher: Fetcher,
  url: string,
  continuing: boolean,
): Promise<{ parsed?: ParsedSitemap; note?: string }> {
  const res = await fetcher.fetch({ url, kind: 'sitemap', continuing });
  if (!res.ok) return { note: `${url}: ${res.class}: ${res.reason}` };
  try {
    return { parsed: parseSitemap(res.text, { baseUrl: res.finalUrl }) };
  } catch (err) {
    if (!(err instanceof SitemapParseError)) throw err;
    return { note: `${url}: ${err.message}` };
  }
}

/**
 * The site's news sitemap (a `<urlset>` with `<news:news>` entries): a discovered sitemap with "news" in its URL,
 * or one a discovered index lists, or a common news path. Null when the site has none. At most `maxFetches`.
 */
export async function findNewsSitemap(
  fetcher: Fetcher,
  siteUrl: string,
  maxFetches = 6,
): Promise<string | null> {
  // Called inside a poll that has already changed state: nothing here may defer (MustWait) and restart it.
  const found = await discoverSitemaps(fetcher, siteUrl, { continuing: true });
  const origin = new URL(siteUrl).origin;
  const candidates = [
    ...found.sitemaps.filter(u => /news/i.test(u)),
    ...found.sitemaps.filter(u => !/news/i.test(u)),
    ...COMMON_SITEMAP_PATHS.filter(p => /news/.test(p)).map(p => `${origin}${p}`),
  ];
  const tried = new Set<string>();
  let fetches = 0;
  for (let i = 0; i < candidates.length && fetches < maxFetches; i++) {
    const url = candidates[i]!;
    if (tried.has(url)) continue;
    tried.add(url);
    fetches++;
    const r = await trySitemap(fetcher, url, true);
    if (!r.parsed) continue;
    if (r.parsed.kind === 'urlset' && r.parsed.news) return url;
    // An index: its news children are looked at next.
    if (r.parsed.kind === 'index') {
      candidates.splice(i + 1, 0, ...r.parsed.sitemaps.map(s => s.loc).filter(u => /news/i.test(u)));
    }
  }
  return null;
}
