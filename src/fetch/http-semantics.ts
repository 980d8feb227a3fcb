import type { FetchKind } from './types.js';

/**
 * Pure HTTP decisions of the fetcher: media types, statuses, Retry-After. No I/O here, so each rule has a
 * table-driven unit test.
 */

export interface ContentType {
  /** Lower-case `type/subtype`; '' when the header is missing or empty. */
  mime: string;
  charset?: string;
}

export function parseContentType(header: string | undefined): ContentType {
  if (!header) return { mime: '' };
  const [type = '', ...params] = header.split(';');
  const out: ContentType = { mime: type.trim().toLowerCase() };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const value = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
    if (value) out.charset = value;
    break;
  }
  return out;
}

/**
 * What each kind accepts. Feeds are served under many types (text/html and application/octet-stream
 * included, by misconfigured servers), so the feed list is wide; pages must be HTML. robots.txt is parsed
 * whatever its type (RFC 9309 only cares about the status). A missing type is accepted and sniffed.
 */
export function acceptsContentType(kind: FetchKind, mime: string): boolean {
  if (kind === 'robots' || mime === '') return true;
  if (kind === 'page') return mime === 'text/html' || mime === 'application/xhtml+xml';
  // Sitemaps are XML, a text list of URLs, or that gzipped as a file (`sitemap.xml.gz`); never HTML.
  if (kind === 'sitemap') {
    return (
      /[/+]xml$/.test(mime) ||
      mime === 'text/plain' ||
      mime === 'application/gzip' ||
      mime === 'application/x-gzip' ||
      mime === 'application/octet-stream'
    );
  }
  return (
    /[/+]xml$/.test(mime) ||
    mime === 'application/json' ||
    mime === 'application/feed+json' ||
    mime === 'text/plain' ||
    mime === 'text/html' ||
    mime === 'application/octet-stream'
  );
}

export const ACCEPT: Record<FetchKind, string> = {
  feed: 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
  page: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5',
  robots: 'text/plain, */*;q=0.5',
  sitemap: 'application/xml, text/xml;q=0.9, application/gzip;q=0.8, text/plain;q=0.7, */*;q=0.5',
};

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The delay a 429 asks for when it gives no Retry-After. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 60_000;

/**
 * Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns the wait in ms, capped at
 * `capMs` and never negative; undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number, capMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    // HTTP-date forms (IMF-fixdate, RFC 850, asctime) all start with a day name; anything else is not a date.
    if (!/^[A-Za-z]{3}/.test(v)) return undefined;
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), capMs);
}

export type StatusVerdict =
  | { kind: 'ok' }
  | { kind: 'not-modified' }
  | { kind: 'redirect' }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'http'; retryable: boolean };

/**
 * 2xx → ok; 304 → not-modified (only meaningful when validators were sent); 301/302/303/307/308 → redirect;
 * 429, and 503 with a Retry-After → rate-limited; other 4xx are permanent except 408; 5xx are retryable.
 */
export function judgeStatus(
  status: number,
  retryAfter: string | undefined,
  nowMs: number,
  capMs: number,
): StatusVerdict {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 304) return { kind: 'not-modified' };
  if (REDIRECT_STATUSES.has(status)) return { kind: 'redirect' };
  const wait = parseRetryAfter(retryAfter, nowMs, capMs);
  if (status === 429) {
    return { kind: 'rate-limited', retryAfterMs: wait ?? Math.min(DEFAULT_RATE_LIMIT_DELAY_MS, capMs) };
  }
  if (status === 503 && wait !== undefined) return { kind: 'rate-limited', retryAfterMs: wait };
  if (status >= 500) return { kind: 'http', retryable: true };
  return { kind: 'http', retryable: status === 408 };
}
