import { request } from 'undici';
import type { FetchFailure, FetchKind, FetchRequest, FetchResult, Fetcher, RedirectHop } from './types.js';

export interface FetcherOptions {
  userAgent: string;
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: Record<FetchKind, number>;
}

const ACCEPT: Record<FetchKind, string> = {
  feed: 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
  page: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5',
  robots: 'text/plain, */*;q=0.5',
};

/** Minimal fetcher: manual redirects, total deadline, size cap. The hardened one replaces it. */
export function createFetcher(opts: FetcherOptions): Fetcher {
  return {
    async fetch(req: FetchRequest): Promise<FetchResult> {
      const startedAt = Date.now();
      const redirects: RedirectHop[] = [];
      const signal = AbortSignal.any([
        AbortSignal.timeout(opts.timeoutMs),
        ...(req.signal ? [req.signal] : []),
      ]);
      let url = req.url;
      try {
        for (;;) {
          const res = await request(url, {
            method: 'GET',
            signal,
            headers: {
              'user-agent': opts.userAgent,
              accept: ACCEPT[req.kind],
              ...(req.etag ? { 'if-none-match': req.etag } : {}),
              ...(req.lastModified ? { 'if-modified-since': req.lastModified } : {}),
            },
          });
          const headersMs = Date.now() - startedAt;
          const location = res.headers.location;
          if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304 && location) {
            await res.body.dump();
            redirects.push({ url, status: res.statusCode });
            if (redirects.length > opts.maxRedirects) {
              return fail(
                req.url,
                'too-many-redirects',
                `more than ${opts.maxRedirects} redirects`,
                redirects,
              );
            }
            url = new URL(String(location), url).toString();
            continue;
          }
          if (res.statusCode >= 400) {
            await res.body.dump();
            return {
              ok: false,
              class: 'http',
              reason: `HTTP ${res.statusCode}`,
              url: req.url,
              status: res.statusCode,
              retryable: res.statusCode >= 500 || res.statusCode === 408 || res.statusCode === 429,
              redirects,
            };
          }
          const chunks: Buffer[] = [];
          let size = 0;
          for await (const chunk of res.body) {
            size += (chunk as Buffer).length;
            if (size > opts.maxBytes[req.kind]) {
              res.body.destroy();
              return fail(req.url, 'too-large', `body exceeds ${opts.maxBytes[req.kind]} bytes`, redirects);
            }
            chunks.push(chunk as Buffer);
          }
          const body = Buffer.concat(chunks);
          const contentType = headerValue(res.headers['content-type']);
          return {
            ok: true,
            status: res.statusCode,
            url: req.url,
            finalUrl: url,
            redirects,
            headers: {
              etag: headerValue(res.headers.etag),
              lastModified: headerValue(res.headers['last-modified']),
              contentType,
            },
            body,
            text: body.toString('utf8'),
            charset: 'utf-8',
            charsetSource: 'fallback',
            timings: { startedAt, headersMs, totalMs: Date.now() - startedAt },
          };
        }
      } catch (err) {
        const e = err as Error;
        if (e.name === 'TimeoutError' || e.name === 'AbortError') {
          return fail(req.url, 'timeout', `no complete response within ${opts.timeoutMs} ms`, redirects);
        }
        return fail(req.url, 'network', e.message, redirects);
      }
    },
    close: () => Promise.resolve(),
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function fail(
  url: string,
  cls: Exclude<FetchResult, { ok: true }>['class'],
  reason: string,
  redirects: RedirectHop[],
): FetchFailure {
  return { ok: false, class: cls, reason, url, retryable: cls === 'timeout' || cls === 'network', redirects };
}
