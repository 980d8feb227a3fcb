import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.js';
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
  redis: Redis;
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

// KEYS: gate hash, leases zset, retry-after, crawl-delay.
// ARGV: now ('' = TIME), interval, maxInFlight, lease, token, inlineLimit, continuation ('1'/'0').
// A wait up to inlineLimit is returned as is for the caller to sit out in-process — always for a continuation, and
// for one new-fetch caller at a time (fields inlineBy/inlineUntil); any other wait takes the next place in line.
// Returns {granted, waitMs, why, inline} with why 0 = interval, 1 = in-flight, 2 = retry-after.
const ACQUIRE = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[2])
local maxInFlight = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local crawl = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
if crawl > interval then interval = crawl end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local nextAt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0') or 0
local tail = tonumber(redis.call('HGET', KEYS[1], 'tail') or '0') or 0
local retryUntil = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
local inFlight = redis.call('ZCARD', KEYS[2])
if now >= nextAt and now >= retryUntil and inFlight < maxInFlight then
  redis.call('HSET', KEYS[1], 'next', now + interval)
  if redis.call('HGET', KEYS[1], 'inlineBy') == ARGV[5] then redis.call('HDEL', KEYS[1], 'inlineBy', 'inlineUntil') end
  redis.call('ZADD', KEYS[2], now + lease, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], lease + 1000)
  redis.call('PEXPIRE', KEYS[1], math.max(interval, tail - now, 0) + 60000)
  return {1, 0, 0, 0}
end
local why = 0
local wake = nextAt
if retryUntil > wake then
  wake = retryUntil
  why = 2
end
if wake <= now then
  wake = now + math.max(interval, 100)
  why = 1
end
if wake - now <= (tonumber(ARGV[6]) or 0) then
  if ARGV[7] == '1' then return {0, wake - now, why, 1} end
  local inlineUntil = tonumber(redis.call('HGET', KEYS[1], 'inlineUntil') or '0') or 0
  if inlineUntil <= now or redis.call('HGET', KEYS[1], 'inlineBy') == ARGV[5] then
    -- The claim outlives the wake-up by a little, covering the waiter's own latency in asking again.
    -- The in-process waiter holds that place in line: deferred callers are staggered after it.
    redis.call('HSET', KEYS[1], 'inlineBy', ARGV[5], 'inlineUntil', wake + 250, 'tail', math.max(tail, wake))
    redis.call('PEXPIRE', KEYS[1], (wake - now) + 60000)
    return {0, wake - now, why, 1}
  end
end
if tail + interval > wake then wake = tail + interval end
redis.call('HSET', KEYS[1], 'tail', wake)
redis.call('PEXPIRE', KEYS[1], (wake - now) + 60000)
return {0, wake - now, why, 0}
`;

// KEYS: leases zset, retry-after, gate hash, crawl-delay. ARGV: now ('' = TIME), token, retryAfterMs ('' = none),
// interval. The next start also waits one interval after this request *ended*: a request that reached the host late
// (its worker was busy between grant and send) still gets a full interval before the next one.
const RELEASE = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREM', KEYS[1], ARGV[2])
local interval = tonumber(ARGV[4]) or 0
local crawl = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
if crawl > interval then interval = crawl end
if interval > 0 then
  local nextAt = tonumber(redis.call('HGET', KEYS[3], 'next') or '0') or 0
  if now + interval > nextAt then
    redis.call('HSET', KEYS[3], 'next', now + interval)
    if redis.call('PTTL', KEYS[3]) < interval + 60000 then redis.call('PEXPIRE', KEYS[3], interval + 60000) end
  end
end
local ms = tonumber(ARGV[3])
if ms and ms > 0 then
  local untilAt = now + ms
  local current = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
  if untilAt > current then redis.call('SET', KEYS[2], untilAt, 'PX', ms) end
end
return 1
`;

const WHY = ['interval', 'in-flight', 'retry-after'] as const;

type ScriptClient = Redis & {
  nfPoliteAcquire(...args: (string | number)[]): Promise<[number, number, number, number]>;
  nfPoliteRelease(...args: (string | number)[]): Promise<number>;
};

const defined = new WeakSet<Redis>();
function scripts(redis: Redis): ScriptClient {
  if (!defined.has(redis)) {
    redis.defineCommand('nfPoliteAcquire', { lua: ACQUIRE, numberOfKeys: 4 });
    redis.defineCommand('nfPoliteRelease', { lua: RELEASE, numberOfKeys: 4 });
    defined.add(redis);
  }
  return redis as ScriptClient;
}

export function hostPortOf(url: URL): string {
  return `${url.hostname}:${effectivePort(url)}`;
}

export function createPolitenessGate(opts: PolitenessOptions): PolitenessGate {
  const { keys } = opts;
  const client = scripts(opts.redis);
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
      const [granted, waitMs, why, inline] = await client.nfPoliteAcquire(
        keys.politeGate(host),
        keys.politeLeases(host),
        retryKey,
        keys.politeCrawlDelay(host),
        clock(),
        limits.intervalMs,
        limits.maxInFlight,
        opts.leaseMs,
        token,
        Math.max(0, Math.round(acquireOpts.inlineLimitMs ?? 0)),
        acquireOpts.continuation ? '1' : '0',
      );
      if (granted !== 1) {
        return { granted: false, waitMs: Number(waitMs), why: WHY[why] ?? 'interval', inline: inline === 1 };
      }
      return {
        granted: true,
        async release(retryAfterMs) {
          await client.nfPoliteRelease(
            keys.politeLeases(host),
            retryKey,
            keys.politeGate(host),
            keys.politeCrawlDelay(host),
            clock(),
            token,
            retryAfterMs && retryAfterMs > 0 ? Math.round(retryAfterMs) : '',
            limits.intervalMs,
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
