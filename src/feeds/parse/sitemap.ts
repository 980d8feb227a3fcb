import { parseFeedDate } from '../../shared/dates.js';
import { decodeEntities } from './html.js';
import { resolveUrl } from './urls.js';

/**
 * Sitemaps protocol 0.9 (sitemaps.org): a `<urlset>` of pages, a `<sitemapindex>` of sitemaps, or a text file of
 * URLs, one per line; with Google's news (`<news:news>`: title, publication date, publication) and image
 * (`<image:image>`) extensions. A lenient scanner, not a DOM: a 50 000-URL file is read in one pass over the
 * string, holding only what each entry yields, and a broken entry costs that entry, not the file.
 */

export interface SitemapUrl {
  loc: string;
  /** ISO 8601 UTC, from `<lastmod>`. */
  lastmod: string | null;
  /** From `<news:news>`: what a feed item would say. */
  title: string | null;
  publishedAt: string | null;
  publication: string | null;
  /** `<image:loc>` of the entry, in order. */
  images: string[];
}

export interface SitemapChild {
  loc: string;
  lastmod: string | null;
}

export type ParsedSitemap =
  | { kind: 'urlset'; urls: SitemapUrl[]; news: boolean; dropped: number; invalid: number }
  | { kind: 'index'; sitemaps: SitemapChild[]; dropped: number; invalid: number };

/** The protocol's cap: a sitemap lists at most 50 000 URLs, an index at most 50 000 sitemaps. */
export const MAX_SITEMAP_ENTRIES = 50_000;

export class SitemapParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SitemapParseError';
  }
}

export interface SitemapParseOptions {
  /** Where the document came from: relative locations resolve against it (the protocol asks for absolute ones). */
  baseUrl: string;
  /** Entries kept; the rest are counted in `dropped`. */
  maxEntries?: number;
}

const ROOT = /<(?:[\w.-]+:)?(urlset|sitemapindex)\b/;

export function parseSitemap(text: string, opts: SitemapParseOptions): ParsedSitemap {
  const max = opts.maxEntries ?? MAX_SITEMAP_ENTRIES;
  const body = text.replace(/^\uFEFF/, '');
  const head = body.trimStart().slice(0, 4096);
  if (!head.startsWith('<')) return textSitemap(body, opts.baseUrl, max);
  const root = ROOT.exec(firstElements(body));
  if (!root) {
    const name = /<([A-Za-z][\w.:-]*)/.exec(head.replace(/<[?!][\s\S]*?>/g, ''))?.[1] ?? '?';
    throw new SitemapParseError(
      `not a sitemap: the document's root is <${name}>, not <urlset> or <sitemapindex>`,
    );
  }
  return root[1] === 'urlset' ? urlset(body, opts.baseUrl, max) : sitemapIndex(body, opts.baseUrl, max);
}

/** The start of the document past its prolog and comments, where the root element is. */
function firstElements(body: string): string {
  return body.slice(0, 64 * 1024).replace(/<!--[\s\S]*?-->/g, '');
}

function urlset(body: string, base: string, max: number): ParsedSitemap {
  const urls: SitemapUrl[] = [];
  let dropped = 0;
  let invalid = 0;
  let news = false;
  for (const block of blocks(body, 'url')) {
    const loc = resolveUrl(field(block, 'loc'), base);
    if (!loc) {
      invalid++;
      continue;
    }
    if (urls.length >= max) {
      dropped++;
      continue;
    }
    const n = prefixed(block, 'news');
    if (n !== null) news = true;
    urls.push({
      loc,
      lastmod: parseFeedDate(field(block, 'lastmod')),
      title: n === null ? null : prefixedField(n, 'title'),
      publishedAt: n === null ? null : parseFeedDate(prefixedField(n, 'publication_date')),
      publication: n === null ? null : prefixedField(n, 'name'),
      images: images(block, base),
    });
  }
  if (
    urls.length === 0 &&
    invalid === 0 &&
    !/<(?:[\w.-]+:)?urlset\b[^>]*\/>|<\/(?:[\w.-]+:)?urlset\s*>/.test(body)
  ) {
    throw new SitemapParseError('not a sitemap: <urlset> is never closed and lists no <url>');
  }
  return { kind: 'urlset', urls, news, dropped, invalid };
}

function sitemapIndex(body: string, base: string, max: number): ParsedSitemap {
  const sitemaps: SitemapChild[] = [];
  let dropped = 0;
  let invalid = 0;
  for (const block of blocks(body, 'sitemap')) {
    const loc = resolveUrl(field(block, 'loc'), base);
    if (!loc) {
      invalid++;
      continue;
    }
    if (sitemaps.length >= max) {
      dropped++;
      continue;
    }
    sitemaps.push({ loc, lastmod: parseFeedDate(field(block, 'lastmod')) });
  }
  return { kind: 'index', sitemaps, dropped, invalid };
}

/** A text sitemap: one absolute URL per line, nothing else (the protocol's third form). */
function textSitemap(body: string, base: string, max: number): ParsedSitemap {
  const urls: SitemapUrl[] = [];
  let dropped = 0;
  let invalid = 0;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const loc = /^https?:\/\//i.test(line) ? resolveUrl(line, base) : null;
    if (!loc) {
      invalid++;
      continue;
    }
    if (urls.length >= max) dropped++;
    else urls.push({ loc, lastmod: null, title: null, publishedAt: null, publication: null, images: [] });
  }
  if (urls.length === 0) {
    throw new SitemapParseError('not a sitemap: neither XML nor a text file of URLs');
  }
  return { kind: 'urlset', urls, news: false, dropped, invalid };
}

/** The inner text of every `<name>…</name>` (unprefixed, or with the sitemap namespace's prefix), in order. */
function* blocks(body: string, name: string): Generator<string> {
  const open = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>`, 'g');
  const close = new RegExp(`</(?:[\\w.-]+:)?${name}\\s*>`, 'g');
  for (;;) {
    const o = open.exec(body);
    if (!o) return;
    close.lastIndex = open.lastIndex;
    const c = close.exec(body);
    if (!c) return;
    yield body.slice(open.lastIndex, c.index);
    open.lastIndex = close.lastIndex;
  }
}

function field(block: string, name: string): string | null {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`).exec(block);
  return m ? text(m[1]!) : null;
}

/** The inner XML of the first `<prefix:name>` of an extension (any prefix: documents rename them). */
function prefixed(block: string, name: string): string | null {
  const m = new RegExp(`<([\\w.-]+):${name}(?:\\s[^>]*)?>([\\s\\S]*?)</\\1:${name}\\s*>`).exec(block);
  return m ? m[2]! : null;
}

function prefixedField(block: string, name: string): string | null {
  const m = new RegExp(`<([\\w.-]+):${name}(?:\\s[^>]*)?>([\\s\\S]*?)</\\1:${name}\\s*>`).exec(block);
  return m ? text(m[2]!) || null : null;
}

function images(block: string, base: string): string[] {
  const out: string[] = [];
  for (const m of block.matchAll(/<([\w.-]+):image(?:\s[^>]*)?>([\s\S]*?)<\/\1:image\s*>/g)) {
    const loc = resolveUrl(prefixedField(m[2]!, 'loc'), base);
    if (loc && out.length < 20) out.push(loc);
  }
  return out;
}

function text(inner: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(inner);
  return (cdata ? cdata[1]! : decodeEntities(inner)).trim();
}

/** The newest date an entry carries: the news publication date, else lastmod. */
export function entryDate(u: Pick<SitemapUrl, 'publishedAt' | 'lastmod'>): string | null {
  return u.publishedAt ?? u.lastmod;
}
