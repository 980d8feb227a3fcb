/**
 * The one attribution rule: from the credits found on the page, in the feed item and in the page's text,
 * the page's head signals and the feed item's <source>, which page (or at least which site) a text first
 * appeared on. Dedupe acts on its result (`article.attribution`) and reads no evidence of its own.
 */
import { isSiteLikeName } from '../metadata/authors.js';
import { absoluteUrl } from '../metadata/dom.js';
import { hostOf, sameSite } from '../../shared/site.js';
import type { Attribution, FeedItemHints } from '../types.js';
import type { CreditMatch } from './patterns.js';

/** What the page's own metadata says, as far as attribution needs it (a subset of PageMetadata). */
export interface PageSignals {
  /** Head-level signals, best first (cross-domain canonical, syndication-source, original-source, isBasedOn). */
  signals?: Attribution[] | undefined;
  siteName?: string | null | undefined;
  canonicalUrl?: string | null | undefined;
}

export interface FoundCredit extends CreditMatch {
  /** Where the credit was read: the page's content, the feed item's HTML, or the page's text. */
  where: 'page' | 'feed' | 'text';
  /** The credit names the page's own site: an original's own feed footer, not a copy. */
  self: boolean;
}

export interface AttributionContext {
  /** The page's address (after redirects): "self" for credits naming the page's own site. */
  pageUrl: string;
  page?: PageSignals | undefined;
  feedItem?: FeedItemHints | undefined;
}

/**
 * A credit names the page's own site when the address it names (the original's, else the site's) is on the
 * page's site, or, with no address, when its name is the page's site name or echoes its domain ("Live
 * Science" on livescience.com).
 */
export function isSelfCredit(c: CreditMatch, pageUrl: string, page: PageSignals | undefined): boolean {
  if (c.originalUrl) return sameSite(c.originalUrl, pageUrl);
  if (c.siteUrl) return sameSite(c.siteUrl, pageUrl);
  if (!c.siteName) return false;
  return namesOwnSite(c.siteName, pageUrl, page);
}

function namesOwnSite(name: string, pageUrl: string, page: PageSignals | undefined): boolean {
  // A name written as a domain ("Space.com") is this site only when it is this site's domain: the author
  // heuristic below calls every domain-like name a site name, which says nothing about whose.
  const domain = name.trim();
  if (/^(?:[\w-]+\.)+[a-z]{2,}$/i.test(domain)) return sameSite(`https://${domain}/`, pageUrl);
  return isSiteLikeName(name, { siteName: page?.siteName ?? null, host: hostOf(pageUrl) ?? undefined });
}

function sameName(a: string | null, b: string | null): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

function fromCredit(c: FoundCredit, originalUrl: string | null): Attribution {
  return {
    originalUrl,
    originalPublisher: c.siteName,
    method: c.method,
    evidence: c.text,
    originalTitle: c.title,
  };
}

/**
 * Evidence naming the original's address beats evidence naming only its site; among equals, the page's own
 * credits come first, then the feed item's, then the page's text:
 *   1. the first credit naming another site, with an address — its own, another credit's for the same site
 *      name, or a head signal on a site that name echoes;
 *   2. any other credit naming another page's address;
 *   3. a head signal (cross-domain canonical, syndication-source, original-source, JSON-LD isBasedOn);
 *   4. the first credit naming only another site (the publisher table and the title find its page);
 *   5. the feed item's <source>, naming the channel it was copied from.
 * Credits naming the page's own site are no attribution (an original's own feed footer).
 */
export function resolveAttribution(credits: FoundCredit[], ctx: AttributionContext): Attribution | null {
  const foreign = credits.filter(c => !c.self && (c.originalUrl || c.siteName));
  const signals = ctx.page?.signals ?? [];
  const best = foreign[0];
  if (best) {
    const url =
      best.originalUrl ??
      foreign.find(c => c.originalUrl && sameName(c.siteName, best.siteName))?.originalUrl ??
      (best.siteName
        ? signals.find(s => {
            const host = hostOf(s.originalUrl);
            return host && best.siteName && isSiteLikeName(best.siteName, { host });
          })?.originalUrl
        : null) ??
      null;
    if (url) return fromCredit(best, url);
  }
  const linked = foreign.find(c => c.originalUrl);
  if (linked) return fromCredit(linked, linked.originalUrl);
  const signal = signals[0];
  if (signal) return signal;
  if (best) return fromCredit(best, null);

  const item = ctx.feedItem;
  const source = item?.source;
  if (source && (source.title?.trim() || source.url)) {
    // RSS <source url> names the channel (a feed), not the article: evidence, and the title to wait for.
    const sourceUrl = source.url ? absoluteUrl(source.url, ctx.pageUrl) : null;
    const publisher = source.title?.trim() || hostOf(sourceUrl) || null;
    const own = sourceUrl
      ? sameSite(sourceUrl, ctx.pageUrl)
      : !!publisher && namesOwnSite(publisher, ctx.pageUrl, ctx.page);
    if (!own && publisher) {
      return {
        originalUrl: null,
        originalPublisher: publisher,
        method: 'feed-source',
        evidence: `<source url="${source.url ?? ''}">${source.title ?? ''}</source>`,
        originalTitle: item.title ?? null,
      };
    }
  }
  return null;
}
