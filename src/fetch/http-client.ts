import { request, type Dispatcher } from 'undici';
import { checkUrl, createAddressPolicy } from './address-policy.js';
import { gunzipFile, isGzip, readBody } from './body.js';
import { CharsetDecodeError, decodeBytes, sniffCharset } from './charset.js';
import { createGuardedAgent, SsrfBlockedError, type ResolveAll } from './guarded-agent.js';
import { ACCEPT, acceptsContentType, judgeStatus, parseContentType } from './http-semantics.js';
import {
  MustWait,
  type FetchErrorClass,
  type FetchFailure,
  type FetchHeaders,
  type FetchKind,
  type FetchRequest,
  type FetchResult,
  type RedirectHop,
} from './types.js';

/**
 * The one HTTP client: undici `request` (no automatic decompression, no automatic redirects) on a guarded Agent.
 * Every hop is checked (scheme, port, address), redirects are followed by hand, the decoded body is capped, and
 * the network time of the whole fetch is bounded by one deadline. Politeness and robots.txt plug in through
 * `HopHooks`, so this file knows nothing about Redis.
 */
export interface HttpClientOptions {
  userAgent: string;
  /** Total deadline for the network part of one fetch, all hops together. */
  timeoutMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Idle time allowed between body chunks (undici's bodyTimeout; the total deadline bounds the rest). */
  bodyTimeoutMs: number;
  maxRedirects: number;
  /** Decoded-size caps. */
  maxBytes: Record<FetchKind, number>;
  allowNetworks: readonly string[];
  allowedPorts: readonly number[];
  /** Longest Retry-After honoured. */
  maxRetryAfterMs: number;
  now?: () => number;
  /** DNS for the guarded lookup; tests inject one to play rebinding names. */
  resolveAll?: ResolveAll;
}

/** What a hop ended with, for the politeness gate (a 429/503 Retry-After blocks the host for everyone). */
export interface HopInfo {
  status?: number;
  retryAfterMs?: number;
}

export interface HopPermit {
  release(info: HopInfo): Promise<void>;
}

export interface HopRefusal {
  refused: true;
  class: FetchErrorClass;
  blockedBy?: FetchFailure['blockedBy'];
  reason: string;
}

export interface HopHooks {
  /**
   * Runs before every hop. Returns a permit (released when the hop is done) or a refusal (robots.txt); may wait,
   * or throw `MustWait` to defer the whole fetch.
   */
  beforeHop(url: URL, hop: number, signal: AbortSignal | undefined): Promise<HopPermit | HopRefusal>;
}

export interface HttpClient {
  get(req: FetchRequest, hooks?: HopHooks): Promise<FetchResult>;
  close(): Promise<void>;
}

const NO_PERMIT: HopPermit = { release: () => Promise.resolve() };

type HopOutcome = { next: URL; status: number } | { result: FetchResult; info: HopInfo };

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const now = opts.now ?? Date.now;
  const policy = createAddressPolicy(opts.allowNetworks);
  const agent = createGuardedAgent({
    policy,
    connectTimeoutMs: opts.connectTimeoutMs,
    headersTimeoutMs: opts.headersTimeoutMs,
    bodyTimeoutMs: opts.bodyTimeoutMs,
    ...(opts.resolveAll ? { resolveAll: opts.resolveAll } : {}),
  });

  async function get(req: FetchRequest, hooks?: HopHooks): Promise<FetchResult> {
    const startedAt = now();
    const redirects: RedirectHop[] = [];
    const fail = (
      cls: FetchErrorClass,
      reason: string,
      at: URL | undefined,
      extra: Partial<FetchFailure> = {},
    ): FetchFailure => ({
      ok: false,
      class: cls,
      reason,
      url: req.url,
      ...(at && at.href !== req.url ? { finalUrl: at.href } : {}),
      retryable: cls === 'network' || cls === 'timeout' || cls === 'rate-limited',
      redirects,
      ...extra,
    });

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return fail('blocked', `not a valid URL: ${req.url}`, undefined, { blockedBy: 'scheme' });
    }
    const visited = new Set<string>();
    let spentMs = 0;
    for (let hop = 0; ; hop++) {
      const block = checkUrl(url, policy, opts.allowedPorts);
      if (block) return fail('blocked', block.reason, url, { blockedBy: block.blockedBy });
      visited.add(withoutHash(url));

      let permit: HopPermit = NO_PERMIT;
      if (hooks) {
        let p: HopPermit | HopRefusal;
        try {
          p = await hooks.beforeHop(url, hop, req.signal);
        } catch (err) {
          if (err instanceof MustWait || !req.signal?.aborted) throw err;
          return fail('network', 'request cancelled', url);
        }
        if ('refused' in p) {
          return fail(p.class, p.reason, url, p.blockedBy ? { blockedBy: p.blockedBy } : {});
        }
        permit = p;
      }

      const remaining = opts.timeoutMs - spentMs;
      const deadline = AbortSignal.timeout(Math.max(remaining, 1));
      const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
      const hopStart = now();
      let info: HopInfo = {};
      let outcome: HopOutcome;
      try {
        outcome = await fetchHop(url, req, signal, startedAt, fail);
        if ('result' in outcome) info = outcome.info;
      } catch (err) {
        if (err instanceof MustWait) throw err;
        const c = classifyError(err, deadline, req.signal, opts);
        outcome = { result: fail(c.class, c.reason, url, c.extra), info: {} };
      } finally {
        spentMs += now() - hopStart;
      }
      await permit.release(info);

      if ('result' in outcome) {
        if (outcome.result.ok) outcome.result.redirects = redirects;
        return outcome.result;
      }
      redirects.push({ url: url.href, status: outcome.status });
      const next = outcome.next;
      if (visited.has(withoutHash(next))) {
        return fail('redirect-loop', `redirect loop: ${next.href} was already visited`, url);
      }
      if (redirects.length > opts.maxRedirects) {
        return fail('too-many-redirects', `more than ${opts.maxRedirects} redirects`, next);
      }
      url = next;
    }
  }

  async function fetchHop(
    url: URL,
    req: FetchRequest,
    signal: AbortSignal,
    startedAt: number,
    fail: (c: FetchErrorClass, r: string, at: URL, extra?: Partial<FetchFailure>) => FetchFailure,
  ): Promise<HopOutcome> {
    const conditional = Boolean(req.etag || req.lastModified);
    const res = await request(url, {
      method: 'GET',
      dispatcher: agent,
      signal,
      headers: {
        'user-agent': opts.userAgent,
        accept: ACCEPT[req.kind],
        'accept-encoding': 'gzip, deflate, br',
        ...(req.etag ? { 'if-none-match': req.etag } : {}),
        ...(req.lastModified ? { 'if-modified-since': req.lastModified } : {}),
      },
    });
    const headersMs = now() - startedAt;
    const headers = pickHeaders(res.headers);
    const verdict = judgeStatus(res.statusCode, headers.retryAfter, now(), opts.maxRetryAfterMs);
    const status = res.statusCode;

    switch (verdict.kind) {
      case 'redirect': {
        await discard(res.body);
        const location = headerValue(res.headers.location);
        if (!location) {
          return {
            result: fail('http', `HTTP ${status} without a Location`, url, { status }),
            info: { status },
          };
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return {
            result: fail('http', `HTTP ${status} to an invalid Location`, url, { status }),
            info: { status },
          };
        }
        return { next, status };
      }
      case 'rate-limited':
        await discard(res.body);
        return {
          result: fail(
            'rate-limited',
            `HTTP ${status}: retry after ${Math.round(verdict.retryAfterMs / 1000)} s`,
            url,
            {
              status,
              retryAfterMs: verdict.retryAfterMs,
            },
          ),
          info: { status, retryAfterMs: verdict.retryAfterMs },
        };
      case 'http':
        await discard(res.body);
        return {
          result: fail('http', `HTTP ${status}`, url, { status, retryable: verdict.retryable }),
          info: { status },
        };
      case 'not-modified':
        await discard(res.body);
        if (!conditional) {
          return {
            result: fail('http', 'HTTP 304 to an unconditional request', url, { status }),
            info: { status },
          };
        }
        return {
          result: success(
            req,
            url,
            status,
            headers,
            Buffer.alloc(0),
            '',
            'utf-8',
            'fallback',
            startedAt,
            headersMs,
          ),
          info: { status },
        };
      case 'ok':
        break;
    }

    const contentType = parseContentType(headers.contentType);
    if (!acceptsContentType(req.kind, contentType.mime)) {
      abandon(res.body);
      return {
        result: fail(
          'unsupported-content-type',
          `content-type ${contentType.mime} is not accepted for a ${req.kind}`,
          url,
          {
            status,
          },
        ),
        info: { status },
      };
    }
    const cap = opts.maxBytes[req.kind];
    const declared = Number(headerValue(res.headers['content-length']));
    const encoded = Boolean(headerValue(res.headers['content-encoding']));
    if (req.kind !== 'robots' && !encoded && Number.isFinite(declared) && declared > cap) {
      abandon(res.body);
      return {
        result: fail('too-large', `content-length ${declared} exceeds ${cap} bytes`, url, { status }),
        info: { status },
      };
    }
    let read = await readBody(res.body, {
      contentEncoding: headerValue(res.headers['content-encoding']),
      maxBytes: cap,
      overflow: req.kind === 'robots' ? 'truncate' : 'fail',
    });
    const gunzipped = req.kind === 'sitemap' && read.ok && isGzip(read.body);
    if (gunzipped && read.ok) read = await gunzipFile(read.body, cap);
    if (!read.ok) return { result: fail(read.class, read.reason, url, { status }), info: { status } };

    const decision = sniffCharset(read.body, contentType.charset, req.kind);
    let text: string;
    try {
      text = decodeBytes(read.body, decision.charset);
    } catch (err) {
      if (!(err instanceof CharsetDecodeError)) throw err;
      return { result: fail('decode', err.message, url, { status }), info: { status } };
    }
    const result = success(
      req,
      url,
      status,
      headers,
      read.body,
      text,
      decision.charset,
      decision.source,
      startedAt,
      headersMs,
    );
    if (read.truncated) result.truncated = true;
    if (gunzipped) result.gunzipped = true;
    return { result, info: { status } };
  }

  function success(
    req: FetchRequest,
    url: URL,
    status: number,
    headers: FetchHeaders,
    body: Buffer,
    text: string,
    charset: string,
    charsetSource: Extract<FetchResult, { ok: true }>['charsetSource'],
    startedAt: number,
    headersMs: number,
  ): Extract<FetchResult, { ok: true }> {
    return {
      ok: true,
      status,
      url: req.url,
      finalUrl: url.href,
      redirects: [],
      headers,
      body,
      text,
      charset,
      charsetSource,
      timings: { startedAt, headersMs, totalMs: now() - startedAt },
    };
  }

  return { get, close: () => agent.close() };
}

function withoutHash(url: URL): string {
  const u = new URL(url.href);
  u.hash = '';
  return u.href;
}

/** Small bodies of redirects and errors are drained for keep-alive; big or slow ones are cut. */
/**
 * Stops a body nobody will read. undici's body emits `RequestAbortedError` when destroyed; with no listener that is an
 * uncaught 'error' that ends the process (a refused content type on a small body did: issue 20's review).
 */
function abandon(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // The hop's outcome is already known; a broken error body does not change it.
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function pickHeaders(h: Record<string, string | string[] | undefined>): FetchHeaders {
  const out: FetchHeaders = {};
  const set = (key: keyof FetchHeaders, name: string): void => {
    const v = headerValue(h[name]);
    if (v !== undefined) out[key] = v;
  };
  set('etag', 'etag');
  set('lastModified', 'last-modified');
  set('cacheControl', 'cache-control');
  set('expires', 'expires');
  set('retryAfter', 'retry-after');
  set('contentType', 'content-type');
  set('cfMitigated', 'cf-mitigated');
  return out;
}

export interface Classified {
  class: FetchErrorClass;
  reason: string;
  extra: Partial<FetchFailure>;
}

/** Turns whatever undici, the socket or the guard threw into a failure class. */
export function classifyError(
  err: unknown,
  deadline: AbortSignal,
  caller: AbortSignal | undefined,
  opts: Pick<HttpClientOptions, 'timeoutMs' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs'>,
): Classified {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof SsrfBlockedError || (e as NodeJS.ErrnoException).code === 'ERR_SSRF_BLOCKED') {
      return { class: 'blocked', reason: e.message, extra: { blockedBy: 'ssrf' } };
    }
  }
  if (caller?.aborted) return { class: 'network', reason: 'request cancelled', extra: {} };
  if (deadline.aborted) {
    return { class: 'timeout', reason: `no complete response within ${opts.timeoutMs} ms`, extra: {} };
  }
  const e = err as NodeJS.ErrnoException;
  const timeouts: Record<string, string> = {
    UND_ERR_CONNECT_TIMEOUT: `connect timeout (${opts.connectTimeoutMs} ms)`,
    UND_ERR_HEADERS_TIMEOUT: `no response headers within ${opts.headersTimeoutMs} ms`,
    UND_ERR_BODY_TIMEOUT: `body stalled for ${opts.bodyTimeoutMs} ms`,
  };
  const timeoutReason = e.code ? timeouts[e.code] : undefined;
  if (timeoutReason) return { class: 'timeout', reason: timeoutReason, extra: {} };
  const code = e.code ?? (e.cause as NodeJS.ErrnoException | undefined)?.code;
  return { class: 'network', reason: `${code ? `${code}: ` : ''}${e.message ?? String(err)}`, extra: {} };
}
