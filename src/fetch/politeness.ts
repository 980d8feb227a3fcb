import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis.js';
import type { Keys } from '../store/keys.js';
import { runScript } from '../store/scripts.js';
import { effectivePort } from './address-policy.js';

/**
 * The per-host politeness gate, in Redis so every worker process on every machine shares it: at most one
 * request start per `interval` (raised to the host's robots.txt Crawl-delay) and at most `maxInFlight` requests
 * at once per host (`URL.host`: hostname plus a non-default port), and nobody asks a hostname:port again before
 * its Retry-After has passed.
 *
 * The interval counts from the later of a request's start and its end, so a request that reached the host late
 * still leaves a full interval before the next one.
 *
 * A request that may not go now gets a wake-up time. Waiters are staggered one interval apart (the `tail`
 * field), so twenty delayed jobs wake one by one instead of all at once and mostly get through on their
 * first retry. Time is Redis's clock (`TIME`), one clock for all hosts, unless a test injects one.
 */
export interface HostLimits {
  intervalMs: number;
  maxInFlight: number;
}

export interface PolitenessOptions extends HostLimits {
  redis: RedisClient;
  keys: Keys;
  /** Per-host overrides, keyed by `host:port` or hostname. */
  hosts?: Readonly<Record<string, Partial<HostLimits>>>;
  /** How long an in-flight lease lives if its holder dies (must exceed the longest request). */
  leaseMs: number;
  /** Clock for the gate; default Redis `TIME`. */
  now?: () => number;
}

export type GateAnswer =
  | { granted: true; release(retryAfterMs?: number): Promise<void> }
  | {
      granted: false;
      waitMs: number;
      why: 'interval' | 'in-flight' | 'retry-after';
      /** True: wait `waitMs` in-process and ask again. False: defer; a place in line was taken for `waitMs`. */
      inline: boolean;
    };

export interface AcquireOptions {
  /**
   * A refusal whose wait is at most this may come back `inline`: sit it out in-process and ask again, without
   * taking a place at the end of the line. For a new fetch only one caller per host holds that right at a time
   * (everyone else is staggered behind it), so a busy host cannot tie up every worker slot.
   */
  inlineLimitMs?: number;
  /** A later hop of a fetch under way: inline within the limit, without needing the one-waiter right. */
  continuation?: boolean;
  /** The same token across one caller's retries (it identifies the in-process waiter and its lease). */
  token?: string;
}

export interface PolitenessGate {
  /** Asks to start a request to the URL's host now (see `AcquireOptions` for how a refusal is shaped). */
  tryAcquire(url: URL, opts?: AcquireOptions): Promise<GateAnswer>;
  /** Records a robots.txt Crawl-delay for a host until the robots cache expires. */
  setCrawlDelay(host: string, delayMs: number, ttlMs: number): Promise<void>;
  limitsFor(url: URL): HostLimits;
}

const WHY = ['interval', 'in-flight', 'retry-after'] as const;

export function hostPortOf(url: URL): string {
  return `${url.hostname}:${effectivePort(url)}`;
}

export function createPolitenessGate(opts: PolitenessOptions): PolitenessGate {
  const { keys } = opts;
  const clock = (): string => (opts.now ? String(opts.now()) : '');
  const limitsFor = (url: URL): HostLimits => {
    const o = opts.hosts?.[url.host] ?? opts.hosts?.[url.hostname] ?? {};
    return { intervalMs: o.intervalMs ?? opts.intervalMs, maxInFlight: o.maxInFlight ?? opts.maxInFlight };
  };
  return {
    limitsFor,
    async tryAcquire(url, acquireOpts = {}) {
      const host = url.host;
      const limits = limitsFor(url);
      const token = acquireOpts.token ?? randomUUID();
      const retryKey = keys.retryAfter(hostPortOf(url));
      const [granted, waitMs, why, inline] = (await runScript(
        opts.redis,
        'politeness-acquire-4',
        [keys.politeGate(host), keys.politeLeases(host), retryKey, keys.politeCrawlDelay(host)],
        [
          clock(),
          limits.intervalMs,
          limits.maxInFlight,
          opts.leaseMs,
          token,
          Math.max(0, Math.round(acquireOpts.inlineLimitMs ?? 0)),
          acquireOpts.continuation ? '1' : '0',
        ],
      )) as [number, number, number, number];
      if (granted !== 1) {
        return { granted: false, waitMs: Number(waitMs), why: WHY[why] ?? 'interval', inline: inline === 1 };
      }
      return {
        granted: true,
        async release(retryAfterMs) {
          await runScript(
            opts.redis,
            'politeness-release-4',
            [keys.politeLeases(host), retryKey, keys.politeGate(host), keys.politeCrawlDelay(host)],
            [
              clock(),
              token,
              retryAfterMs && retryAfterMs > 0 ? Math.round(retryAfterMs) : '',
              limits.intervalMs,
            ],
          );
        },
      };
    },
    async setCrawlDelay(host, delayMs, ttlMs) {
      const key = keys.politeCrawlDelay(host);
      if (delayMs > 0) await opts.redis.set(key, Math.round(delayMs), 'PX', ttlMs);
      else await opts.redis.del(key);
    },
  };
}
