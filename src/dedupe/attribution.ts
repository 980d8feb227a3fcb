import type { Attribution, ExtractedArticle, FeedItemHints } from '../extract/types.js';
import { creditInHtml, creditInText, type CreditLine } from './credits.js';
import { siteOf } from '../shared/site.js';
import { normalizeName } from './normalize.js';
import { canonicalUrlKey } from './url-key.js';

/**
 * The attribution dedupe acts on. Extraction's own finding wins when it names the original's address; else
 * dedupe reads the evidence it can see itself, strongest first: a credit with links in the feed item (the
 * Yoast footer exists only in feeds) or at the end of the extracted content, a cross-domain rel=canonical,
 * a credit naming only the site, the feed's `<source>`. An attribution that points back at the page's own
 * site is not one.
 */
export function resolveAttribution(input: {
  article: Pick<ExtractedArticle, 'attribution' | 'canonicalUrl' | 'contentText'> & {
    /** The extracted content HTML: a credit line at its end keeps its links there. */
    contentHtml?: string | null | undefined;
    siteName?: string | null | undefined;
  };
  /** The address the page was read from (after redirects). */
  pageUrl: string;
  feedItem?: FeedItemHints | undefined;
}): Attribution | null {
  const own = siteOf(canonicalUrlKey(input.pageUrl));
  const ownNames = [input.article.siteName, own].map(compactName).filter(Boolean);
  const foreign = (a: Attribution | null): Attribution | null => {
    if (!a) return null;
    if (a.originalUrl) {
      const key = canonicalUrlKey(a.originalUrl);
      if (!key || siteOf(key) === own) return null;
    } else if (!a.originalPublisher || ownNames.includes(compactName(a.originalPublisher))) {
      // "Originally published on Live Science." on livescience.com credits the page's own site.
      return null;
    }
    return a;
  };

  const given = foreign(input.article.attribution);
  if (given?.originalUrl) return given;

  // Evidence naming the original's address beats evidence naming only its site.
  const item = input.feedItem;
  const htmlCredits = [item?.contentHtml, item?.summaryHtml, input.article.contentHtml]
    .filter((h): h is string => !!h)
    .map(h => creditInHtml(h, input.pageUrl))
    .map(c => foreign(c ? fromCredit(c) : null));
  const linked = htmlCredits.find(a => a?.originalUrl);
  if (linked) return linked;

  const canonical = input.article.canonicalUrl;
  const byCanonical = canonical
    ? foreign({
        originalUrl: canonical,
        originalPublisher: null,
        method: 'cross-domain-canonical',
        evidence: `<link rel="canonical" href="${canonical}">`,
      })
    : null;
  if (byCanonical) return byCanonical;
  if (given) return given;

  const textCredit = creditInText(input.article.contentText);
  const named = foreign(textCredit ? fromCredit(textCredit) : null) ?? htmlCredits.find(a => a) ?? null;
  if (named) return named;

  if (item?.source?.title) {
    return foreign({
      originalUrl: null,
      originalPublisher: item.source.title,
      method: 'feed-source',
      evidence: `<source url="${item.source.url ?? ''}">${item.source.title}</source>`,
      originalTitle: item.title ?? null,
    });
  }
  return null;
}

export function fromCredit(c: CreditLine): Attribution {
  return {
    originalUrl: c.originalUrl,
    originalPublisher: c.siteName,
    method: c.method,
    evidence: c.evidence,
    originalTitle: c.title,
  };
}

/** A publisher name or host reduced for comparison: "Live Science" = "livescience.com" = "www.LiveScience.com". */
export function compactName(name: string | null | undefined): string {
  if (!name) return '';
  const host = name
    .trim()
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/:\d+$/, '');
  const bare = host.replace(/\.(?:com|org|net|news|info|co|io|gov|edu)(?:\.[a-z]{2})?$|\.[a-z]{2}$/, '');
  return normalizeName(bare).replace(/ /g, '');
}
