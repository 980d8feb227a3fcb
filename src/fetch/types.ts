/**
 * The fetcher's contract: every request ends as a value, never as a thrown surprise.
 * Feeds, pages and robots.txt all come through `src/fetch/`.
 *
 * The one thing `fetch()` throws on purpose is `MustWait`: the shared politeness gate said "not now". It is a
 * control-flow signal for the job adapter (BullMQ `moveToDelayed` + `DelayedError`), not a failure.
 */

/** What is being fetched; decides the size cap and the accepted content types. */
export type FetchKind = 'feed' | 'page' | 'robots' | 'sitemap';

export type FetchErrorClass =
  | 'network'
  | 'timeout'
  | 'http'
  | 'rate-limited'
  | 'blocked'
  | 'too-large'
  | 'unsupported-content-type'
  | 'redirect-loop'
  | 'too-many-redirects'
  | 'decode';

export interface FetchFailure {
  ok: false;
  class: FetchErrorClass;
  /** Human-readable reason, stored with the feed or article it concerns. */
  reason: string;
  url: string;
  /** The URL of the hop that failed, when it is not `url` (after redirects). */
  finalUrl?: string;
  /** HTTP status, for `http` and `rate-limited`. */
  status?: number;
  /** For `rate-limited`: how long to wait before asking again. */
  retryAfterMs?: number;
  /** For `blocked`: what blocked it. */
  blockedBy?: 'ssrf' | 'robots' | 'scheme' | 'port';
  /** Whether trying again later can succeed (network, timeout, 5xx, 408, 429). */
  retryable: boolean;
  redirects: RedirectHop[];
}

export interface RedirectHop {
  url: string;
  status: number;
}

export interface FetchHeaders {
  etag?: string;
  lastModified?: string;
  cacheControl?: string;
  expires?: string;
  retryAfter?: string;
  contentType?: string;
  /** Cloudflare marks challenge pages with `cf-mitigated: challenge`. */
  cfMitigated?: string;
}

export type CharsetSource = 'bom' | 'content-type' | 'xml-declaration' | 'meta' | 'utf8-valid' | 'fallback';

export interface FetchSuccess {
  ok: true;
  /** 200-class, or 304 when validators were sent. */
  status: number;
  url: string;
  finalUrl: string;
  redirects: RedirectHop[];
  headers: FetchHeaders;
  body: Buffer;
  text: string;
  charset: string;
  charsetSource: CharsetSource;
  /** A sitemap served as a gzip file (`.xml.gz`): `body` and `text` are its decoded content. */
  gunzipped?: boolean;
  /** Set for robots.txt only: the body was cut at the size cap (RFC 9309 parses the first 500 KiB). */
  truncated?: boolean;
  timings: { startedAt: number; headersMs: number; totalMs: number };
}

export type FetchResult = FetchSuccess | FetchFailure;

export interface FetchRequest {
  url: string;
  kind: FetchKind;
  /** Conditional GET validators, sent back verbatim. */
  etag?: string | undefined;
  lastModified?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * A later fetch of an operation under way (the child sitemaps of an index): at a busy host's gate it waits in
   * this process, as a redirect hop does, instead of throwing MustWait — deferring would restart the operation.
   */
  continuing?: boolean | undefined;
}

/** The port every stage uses; tests and the demo use the real implementation on 127.0.0.1. */
export interface Fetcher {
  /** Resolves to a value for every outcome; rejects only with `MustWait` (see above). */
  fetch(req: FetchRequest): Promise<FetchResult>;
  close(): Promise<void>;
}

/**
 * Thrown by `Fetcher.fetch` when the per-host politeness gate (interval, in-flight limit, robots Crawl-delay or a
 * server's Retry-After) does not let this request go now. Nothing was sent. Try again at `untilMs` (epoch ms).
 */
export class MustWait extends Error {
  constructor(
    readonly untilMs: number,
    readonly host: string,
    readonly why: 'interval' | 'in-flight' | 'retry-after',
  ) {
    super(`politeness: ${host} must wait until ${new Date(untilMs).toISOString()} (${why})`);
    this.name = 'MustWait';
  }
}
