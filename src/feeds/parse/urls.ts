import { FEED_LIMITS } from './limits.js';

/**
 * Resolves a feed-supplied URL reference against a base (xml:base chain, then the feed URL). Without any base a
 * relative reference is returned as written rather than dropped: `parse-feed` on a file has no URL to resolve
 * against, and the caller can still see what the feed said. Only http(s) URLs come out.
 */
export function resolveUrl(href: string | null | undefined, base: string | null | undefined): string | null {
  if (typeof href !== 'string') return null;
  const h = href.trim();
  if (!h) return null;
  try {
    const u = new URL(h, base ?? undefined);
    // javascript:, data:, file: and friends are never links a reader should follow.
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    // Resolving and percent-encoding can triple a reference's length: the limit holds on what comes out.
    const out = u.toString();
    return out.length <= FEED_LIMITS.text ? out : null;
  } catch {
    if (base) return null;
    return /^[a-z][a-z0-9+.-]*:/i.test(h) ? null : h;
  }
}

export function isHttpUrl(value: string | null | undefined): boolean {
  if (!value) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
