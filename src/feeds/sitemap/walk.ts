import { FeedParseError } from '../parse/errors.js';
import type { FetchFailure, FetchSuccess, Fetcher } from '../../fetch/types.js';
import {
  parseSitemap,
  SitemapParseError,
  type ParsedSitemap,
  type SitemapChild,
  type SitemapUrl,
} from '../parse/sitemap.js';

/**
 * Reads a sitemap and, through sitemap indexes, the sitemaps it lists: breadth first, newest child first (by its
 * `lastmod`), within caps on depth, count and bytes so a hostile or huge site costs a bounded walk. Each sitemap's
 * URLs go to `onUrls` as it is read; nothing keeps the whole site in memory.
 */
export interface WalkCaps {
  /** Index levels followed below the root (the root is depth 0). */
  maxDepth: number;
  /** Sitemap documents fetched, the root included. */
  maxSitemaps: number;
  /** Decoded bytes over all documents. */
  maxBytes: number;
}

/** A poll: a news sitemap or an index and its newest children. */
export const POLL_CAPS: WalkCaps = { maxDepth: 2, maxSitemaps: 10, maxBytes: 100 * 2 ** 20 };
/** A backfill reads a site's history: many children, one at a time. */
export const BACKFILL_CAPS: WalkCaps = { maxDepth: 3, maxSitemaps: 5_000, maxBytes: 20 * 2 ** 30 };

export interface WalkFailure {
  url: string;
  class: string;
  reason: string;
  status?: number | undefined;
}

export interface WalkOptions {
  fetcher: Fetcher;
  roots: readonly string[];
  caps: WalkCaps;
  /**
   * Every fetch waits at a busy host's gate in this process (a walk inside an operation that must not restart, such
   * as an overflowing poll's fill). Otherwise only the first fetch may throw MustWait, before anything is read.
   */
  continuing?: boolean;
  /** Validators for the first root: a 304 ends the walk as `notModified`. */
  validators?: { etag?: string | null; lastModified?: string | null };
  /** Leave a child out (unchanged since its `lastmod` was last read, or done by an earlier backfill). */
  skip?: (child: SitemapChild) => boolean;
  /** The URLs of one sitemap, as it is read. */
  onUrls: (urls: SitemapUrl[], from: { url: string; news: boolean; dropped: number }) => Promise<void> | void;
  /** Parses one document; the poller passes its parse pool (off the event loop, under a deadline). */
  parse?: ((text: string, baseUrl: string) => Promise<ParsedSitemap>) | undefined;
  /** A child urlset was read completely (its URLs handed over): its lastmod can be remembered. */
  onDone?: (child: SitemapChild) => Promise<void> | void;
}

export interface WalkResult {
  /** The first root's answer: its status and cache headers drive the source's schedule. */
  root: FetchSuccess | null;
  /** The first root failed to fetch or parse: the source's poll failed. */
  rootFailure: WalkFailure | null;
  notModified: boolean;
  fetched: number;
  bytes: number;
  /** Every child an index listed, read or not, with its lastmod. */
  children: SitemapChild[];
  skipped: number;
  /** Children that failed; the walk went on without them. */
  failures: WalkFailure[];
  /** Which cap stopped the walk early, if one did. */
  capped: 'depth' | 'count' | 'bytes' | null;
  /** Whether any sitemap read carried news entries. */
  news: boolean;
  urls: number;
}

export async function walkSitemaps(opts: WalkOptions): Promise<WalkResult> {
  const out: WalkResult = {
    root: null,
    rootFailure: null,
    notModified: false,
    fetched: 0,
    bytes: 0,
    children: [],
    skipped: 0,
    failures: [],
    capped: null,
    news: false,
    urls: 0,
  };
  const visited = new Set<string>();
  let level: { loc: string; lastmod: string | null }[] = opts.roots.map(loc => ({ loc, lastmod: null }));
  for (let depth = 0; level.length > 0; depth++) {
    const next: SitemapChild[] = [];
    for (const doc of level) {
      if (visited.has(doc.loc)) continue;
      visited.add(doc.loc);
      if (out.fetched >= opts.caps.maxSitemaps) {
        out.capped ??= 'count';
        return out;
      }
      if (out.bytes >= opts.caps.maxBytes) {
        out.capped ??= 'bytes';
        return out;
      }
      const first = depth === 0 && doc.loc === opts.roots[0];
      const res = await opts.fetcher.fetch({
        url: doc.loc,
        kind: 'sitemap',
        continuing: opts.continuing === true || out.fetched > 0,
        ...(first && opts.validators
          ? {
              etag: opts.validators.etag ?? undefined,
              lastModified: opts.validators.lastModified ?? undefined,
            }
          : {}),
      });
      out.fetched++;
      if (!res.ok) {
        const f = failure(res);
        if (first) {
          out.rootFailure = f;
          return out;
        }
        out.failures.push(f);
        continue;
      }
      if (first) out.root = res;
      if (res.status === 304) {
        if (first) {
          out.notModified = true;
          return out;
        }
        continue;
      }
      out.bytes += res.text.length;
      let parsed: ParsedSitemap;
      try {
        parsed = opts.parse
          ? await opts.parse(res.text, res.finalUrl)
          : parseSitemap(res.text, { baseUrl: res.finalUrl });
      } catch (err) {
        // The pool's budget errors (time, heap) are FeedParseErrors: a cost, recorded like a bad document.
        if (!(err instanceof SitemapParseError) && !(err instanceof FeedParseError)) throw err;
        const f = { url: doc.loc, class: 'parse', reason: err.message, status: res.status };
        if (first) {
          out.rootFailure = f;
          return out;
        }
        out.failures.push(f);
        continue;
      }
      if (parsed.kind === 'urlset') {
        out.news ||= parsed.news;
        out.urls += parsed.urls.length;
        await opts.onUrls(parsed.urls, { url: doc.loc, news: parsed.news, dropped: parsed.dropped });
      } else {
        for (const child of parsed.sitemaps) {
          out.children.push(child);
          if (opts.skip?.(child)) out.skipped++;
          else next.push(child);
        }
      }
      // An index is not done until its children are, which later levels (and caps) decide: only urlsets are.
      if (depth > 0 && parsed.kind === 'urlset') await opts.onDone?.(doc);
    }
    if (next.length > 0 && depth + 1 > opts.caps.maxDepth) {
      out.capped ??= 'depth';
      return out;
    }
    level = newestFirst(next);
  }
  return out;
}

/** Children with the newest lastmod first, undated ones after them in document order: caps keep the newest. */
function newestFirst(children: SitemapChild[]): SitemapChild[] {
  return children
    .map((c, i) => ({ c, i, t: c.lastmod ? Date.parse(c.lastmod) : -Infinity }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map(x => x.c);
}

function failure(res: FetchFailure): WalkFailure {
  return { url: res.url, class: res.class, reason: res.reason, status: res.status };
}
