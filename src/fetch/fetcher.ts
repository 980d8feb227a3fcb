import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../store/redis.js';
import type { ServiceConfig } from '../config/schema.js';
import type { Keys } from '../store/keys.js';
import type { ResolveAll } from './guarded-agent.js';
import { createHttpClient, type HopHooks, type HopPermit, type HttpClientOptions } from './http-client.js';
import { createPolitenessGate, type HostLimits, type PolitenessGate } from './politeness.js';
import { createRobotsChecker, userAgentToken, type RobotsChecker } from './robots.js';
import { MustWait, type Fetcher, type FetchKind, type FetchRequest, type FetchResult } from './types.js';

/**
 * The Fetcher every stage uses: the hardened HTTP client, plus — when given Redis — the shared per-host
 * politeness gate and, for pages, robots.txt. Feeds skip robots.txt (the operator subscribed to them), robots.txt
 * skips itself; all three kinds pass the gate.
 */
export interface FetcherOptions {
  userAgent: string;
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: Record<FetchKind, number>;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  allowNetworks?: readonly string[];
  allowedPorts?: readonly number[];
  maxRetryAfterMs?: number;
  politeness?: Partial<HostLimits> & {
    hosts?: Readonly<Record<string, Partial<HostLimits>>>;
    maxCrawlDelayMs?: number;
  };
  robots?: { enabled?: boolean; cacheTtlMs?: number };
}

export interface FetcherDeps {
  /** Without Redis there is no politeness gate and no robots.txt check: for tools and client tests only. */
  redis?: RedisClient;
  keys?: Keys;
  now?: () => number;
  /** Clock for the Redis gate; default Redis `TIME` (one clock for all machines). */
  gateNow?: () => number;
  resolveAll?: ResolveAll;
}

/** How the first hop of a fetch meets a closed gate: may wait about one interval in-process, or always defers. */
type FirstHop = 'new' | 'defer' | 'under-way';

/** Bounds of a first hop's in-process wait (about one interval; see `acquire`). */
const MIN_FIRST_HOP_INLINE_MS = 250;
const MAX_FIRST_HOP_INLINE_MS = 2_000;

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  allowedPorts: [80, 443],
  maxRetryAfterMs: 48 * 3_600_000,
  intervalMs: 1_000,
  maxInFlight: 1,
  maxCrawlDelayMs: 60_000,
  robotsCacheTtlMs: 24 * 3_600_000,
};

export function fetcherOptionsFromConfig(f: ServiceConfig['fetch']): FetcherOptions {
  const hosts: Record<string, Partial<HostLimits>> = {};
  for (const [host, o] of Object.entries(f.politeness.hosts)) {
    hosts[host.toLowerCase()] = {
      ...(o.interval !== undefined ? { intervalMs: o.interval } : {}),
      ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
    };
  }
  return {
    userAgent: f.userAgent,
    timeoutMs: f.timeout,
    connectTimeoutMs: f.connectTimeout,
    headersTimeoutMs: f.headersTimeout,
    bodyTimeoutMs: f.bodyTimeout,
    maxRedirects: f.maxRedirects,
    maxBytes: f.maxBytes,
    allowNetworks: f.allowNetworks,
    allowedPorts: f.allowedPorts,
    maxRetryAfterMs: f.maxRetryAfter,
    politeness: {
      intervalMs: f.politeness.interval,
      maxInFlight: f.politeness.maxInFlight,
      maxCrawlDelayMs: f.politeness.maxCrawlDelay,
      hosts,
    },
    robots: { enabled: f.robots.enabled, cacheTtlMs: f.robots.cacheTtl },
  };
}

export function createFetcher(opts: FetcherOptions, deps: FetcherDeps = {}): Fetcher {
  const now = deps.now ?? Date.now;
  const clientOpts: HttpClientOptions = {
    userAgent: opts.userAgent,
    timeoutMs: opts.timeoutMs,
    connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    headersTimeoutMs: opts.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    bodyTimeoutMs: opts.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
    maxRedirects: opts.maxRedirects,
    maxBytes: opts.maxBytes,
    allowNetworks: opts.allowNetworks ?? [],
    allowedPorts: opts.allowedPorts ?? DEFAULTS.allowedPorts,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
    now,
    ...(deps.resolveAll ? { resolveAll: deps.resolveAll } : {}),
  };
  const client = createHttpClient(clientOpts);
  if (!deps.redis || !deps.keys) {
    return { fetch: req => client.get(req), close: () => client.close() };
  }

  const gate = createPolitenessGate({
    redis: deps.redis,
    keys: deps.keys,
    intervalMs: opts.politeness?.intervalMs ?? DEFAULTS.intervalMs,
    maxInFlight: opts.politeness?.maxInFlight ?? DEFAULTS.maxInFlight,
    ...(opts.politeness?.hosts ? { hosts: opts.politeness.hosts } : {}),
    // A lease outlives the longest hop (connect + headers + body within the total deadline).
    leaseMs: opts.timeoutMs + 5_000,
    ...(deps.gateNow ? { now: deps.gateNow } : {}),
  });

  const maxInlineMs = opts.politeness?.maxCrawlDelayMs ?? DEFAULTS.maxCrawlDelayMs;
  const gateHooks = (first: FirstHop, signal: AbortSignal | undefined): HopHooks => ({
    beforeHop: (url, hop) => acquire(gate, url, hop > 0 ? 'under-way' : first, maxInlineMs, now, signal),
  });

  const robotsEnabled = opts.robots?.enabled ?? true;
  const cacheTtlMs = opts.robots?.cacheTtlMs ?? DEFAULTS.robotsCacheTtlMs;
  const robots: RobotsChecker | undefined = robotsEnabled
    ? createRobotsChecker({
        redis: deps.redis,
        keys: deps.keys,
        cacheTtlMs,
        userAgentToken: userAgentToken(opts.userAgent),
        maxCrawlDelayMs: opts.politeness?.maxCrawlDelayMs ?? DEFAULTS.maxCrawlDelayMs,
        now,
        // Never waits in-process before its first hop: another worker may be fetching the same robots.txt, and the
        // deferred job finds it in the cache when it runs again.
        fetchRobots: (url, signal) => client.get({ url, kind: 'robots', signal }, gateHooks('defer', signal)),
        setCrawlDelay: (host, ms, ttl) => gate.setCrawlDelay(host, ms, ttl),
      })
    : undefined;

  return {
    async fetch(req: FetchRequest): Promise<FetchResult> {
      if (req.kind !== 'page' || !robots) {
        return client.get(req, gateHooks(req.continuing ? 'under-way' : 'new', req.signal));
      }
      // Each hop of a page (redirects included) must be allowed by its own origin's robots.txt.
      let usedSlot = false;
      return client.get(req, {
        async beforeHop(url, hop, signal) {
          const verdict = await robots.check(url, signal);
          if (!verdict.allowed) {
            return { refused: true, class: 'blocked', blockedBy: 'robots', reason: verdict.reason };
          }
          usedSlot ||= verdict.fetched;
          return acquire(gate, url, hop > 0 || usedSlot ? 'under-way' : 'new', maxInlineMs, now, signal);
        },
      });
    },
    close: () => client.close(),
  };
}

/**
 * Takes a slot on the host's gate. A fetch that has not started yet may wait in-process for about one interval
 * (`firstHopInlineLimit`) if it is the host's one in-process waiter: that is the usual wait of a deferred job woken
 * at its place in line, and sitting it out beats another round trip through BullMQ. Everyone else is deferred
 * (MustWait) to their staggered place in line.
 * A fetch under way (a redirect hop, the page after its robots.txt) waits in-process up to `maxInlineMs` (the
 * Crawl-delay cap): deferring it would restart the chain, which would need the same wait again.
 */
async function acquire(
  gate: PolitenessGate,
  url: URL,
  mode: FirstHop | 'under-way',
  maxInlineMs: number,
  now: () => number,
  signal: AbortSignal | undefined,
): Promise<HopPermit> {
  const inlineLimitMs =
    mode === 'under-way'
      ? maxInlineMs
      : mode === 'new'
        ? firstHopInlineLimit(gate.limitsFor(url).intervalMs)
        : 0;
  const token = randomUUID();
  for (;;) {
    const answer = await gate.tryAcquire(url, { inlineLimitMs, continuation: mode === 'under-way', token });
    if (answer.granted) return { release: info => answer.release(info.retryAfterMs) };
    if (!answer.inline) throw new MustWait(now() + answer.waitMs, url.host, answer.why);
    await sleep(answer.waitMs, undefined, signal ? { signal } : {});
  }
}

function firstHopInlineLimit(intervalMs: number): number {
  return Math.min(Math.max(intervalMs, MIN_FIRST_HOP_INLINE_MS), MAX_FIRST_HOP_INLINE_MS);
}
