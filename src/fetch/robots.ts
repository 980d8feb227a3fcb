import type { RedisClient } from '../store/redis.js';
import robotsParserModule from 'robots-parser';
import type { Keys } from '../store/keys.js';
import type { FetchResult } from './types.js';

/**
 * robots.txt for article pages, per origin (scheme, host, port — RFC 9309 §2.3), fetched through the same
 * hardened client and cached in Redis for every worker. Error policy (RFC 9309 §2.3.1):
 * - 2xx: the rules (the first 500 KiB: the client truncates robots.txt instead of failing);
 * - 4xx other than 429, and more than 5 redirects or a redirect loop ("unavailable"): allow everything;
 * - 5xx, 429, network errors, timeouts, a robots.txt we may not fetch ("unreachable"): disallow everything
 *   until the cache entry expires.
 * Feeds are not checked: the operator subscribed to them on purpose.
 */
export type RobotsPolicy = 'rules' | 'allow-all' | 'disallow-all';

export interface RobotsRecord {
  policy: RobotsPolicy;
  /** Why this policy (status or failure), for the reason text. */
  basis: string;
  fetchedAt: number;
  body?: string;
}

export interface RobotsVerdict {
  allowed: boolean;
  reason: string;
  /** True when this call fetched robots.txt (it used a request slot on that host). */
  fetched: boolean;
}

export interface RobotsOptions {
  redis: RedisClient;
  keys: Keys;
  cacheTtlMs: number;
  /** The product token robots.txt groups are matched against (`newsflow`). */
  userAgentToken: string;
  maxCrawlDelayMs: number;
  now: () => number;
  /** Fetches robots.txt (kind `robots`, gated, no robots check of its own); may throw MustWait. */
  fetchRobots(url: string, signal: AbortSignal | undefined): Promise<FetchResult>;
  /** Stores the Crawl-delay where the politeness gate reads it. */
  setCrawlDelay(host: string, delayMs: number, ttlMs: number): Promise<void>;
}

export interface RobotsChecker {
  check(url: URL, signal: AbortSignal | undefined): Promise<RobotsVerdict>;
}

// robots-parser is CommonJS with a hand-written `export default`: under NodeNext the default import is the
// function at runtime but typed as the module namespace.
type RobotsParser = typeof robotsParserModule.default;
const robotsParser: RobotsParser =
  (robotsParserModule as unknown as { default?: RobotsParser }).default ??
  (robotsParserModule as unknown as RobotsParser);
type Robot = ReturnType<RobotsParser>;

/** Parsed robots.txt is kept in-process for a minute so a big file is not re-parsed for every page. */
const MEMO_MS = 60_000;
const MEMO_MAX = 512;

export function robotsPolicyFor(res: FetchResult): { policy: RobotsPolicy; basis: string } {
  if (res.ok) return { policy: 'rules', basis: `HTTP ${res.status}` };
  switch (res.class) {
    case 'http':
      if (res.status !== undefined && res.status >= 400 && res.status < 500) {
        return { policy: 'allow-all', basis: `HTTP ${res.status}` };
      }
      return { policy: 'disallow-all', basis: `HTTP ${res.status ?? '?'}` };
    case 'too-many-redirects':
    case 'redirect-loop':
      return { policy: 'allow-all', basis: res.reason };
    case 'network':
    case 'timeout':
    case 'rate-limited':
    case 'blocked':
    case 'too-large':
    case 'unsupported-content-type':
    case 'decode':
      return { policy: 'disallow-all', basis: `${res.class}: ${res.reason}` };
  }
}

export function createRobotsChecker(opts: RobotsOptions): RobotsChecker {
  const memo = new Map<string, { record: RobotsRecord; robot?: Robot; until: number }>();

  const remember = (origin: string, record: RobotsRecord): { record: RobotsRecord; robot?: Robot } => {
    const entry = {
      record,
      ...(record.policy === 'rules'
        ? { robot: robotsParser(`${origin}/robots.txt`, record.body ?? '') }
        : {}),
      until: opts.now() + MEMO_MS,
    };
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!);
    memo.set(origin, entry);
    return entry;
  };

  const load = async (
    url: URL,
    signal: AbortSignal | undefined,
  ): Promise<{ record: RobotsRecord; robot?: Robot; fetched: boolean }> => {
    const origin = url.origin;
    const hit = memo.get(origin);
    if (hit && hit.until > opts.now()) return { ...hit, fetched: false };
    const cached = await opts.redis.get(opts.keys.robots(origin));
    if (cached) {
      try {
        return { ...remember(origin, JSON.parse(cached) as RobotsRecord), fetched: false };
      } catch {
        // A corrupt entry is fetched again.
      }
    }
    const res = await opts.fetchRobots(`${origin}/robots.txt`, signal);
    const { policy, basis } = robotsPolicyFor(res);
    const record: RobotsRecord = {
      policy,
      basis,
      fetchedAt: opts.now(),
      ...(policy === 'rules' && res.ok ? { body: res.text } : {}),
    };
    await opts.redis.set(opts.keys.robots(origin), JSON.stringify(record), 'PX', opts.cacheTtlMs);
    const entry = remember(origin, record);
    const delaySec = entry.robot?.getCrawlDelay(opts.userAgentToken);
    const delayMs =
      typeof delaySec === 'number' && delaySec > 0 ? Math.min(delaySec * 1000, opts.maxCrawlDelayMs) : 0;
    await opts.setCrawlDelay(url.host, delayMs, opts.cacheTtlMs);
    return { ...entry, fetched: true };
  };

  return {
    async check(url, signal) {
      const { record, robot, fetched } = await load(url, signal);
      const robotsUrl = `${url.origin}/robots.txt`;
      if (record.policy === 'allow-all') {
        return { allowed: true, reason: `${robotsUrl} unavailable (${record.basis}): allow all`, fetched };
      }
      if (record.policy === 'disallow-all') {
        return {
          allowed: false,
          reason: `${robotsUrl} unreachable (${record.basis}): RFC 9309 complete disallow until the cache expires`,
          fetched,
        };
      }
      const allowed = robot?.isAllowed(url.href, opts.userAgentToken) !== false;
      return {
        allowed,
        reason: allowed
          ? `allowed by ${robotsUrl}`
          : `${robotsUrl} disallows ${url.pathname}${url.search} for ${opts.userAgentToken}`,
        fetched,
      };
    },
  };
}

/** The product token of a User-Agent (`newsflow/0.1 (+https://…)` → `newsflow`), as robots.txt groups name it. */
export function userAgentToken(userAgent: string): string {
  const token = /^[A-Za-z0-9_-]+/.exec(userAgent.trim())?.[0];
  return (token ?? 'newsflow').toLowerCase();
}

/** The `Sitemap:` lines of a robots.txt (absolute URLs, in order; RFC 9309 §2.2.4 leaves them to other records). */
export function sitemapsOfRobots(robotsUrl: string, text: string): string[] {
  return [...new Set(robotsParser(robotsUrl, text).getSitemaps())].filter(u => /^https?:\/\//i.test(u));
}
