/**
 * When to poll a feed next: pure arithmetic over an injected clock and random source, table-tested.
 *
 * - base interval: the feed's own `interval` from feeds.yaml; else adaptive (Miniflux's entry-frequency rule:
 *   7 days ÷ (items in the last 7 days × factor), clamped to [min, max]; no item in 7 days → max); before there is
 *   any history, the default.
 * - floor: never sooner than the feed's `<ttl>`, Cache-Control max-age, Expires or Retry-After say (each capped).
 * - jitter: ±10 % so feeds added together do not stay in lockstep; the floor still holds after jitter.
 * - errors: exponential backoff from the last healthy interval, interval × 2^n, capped; a Retry-After wins if later.
 * - WebSub: while a subscription is active, one safety poll a day.
 */
export interface IntervalSettings {
  defaultMs: number;
  minMs: number;
  maxMs: number;
  /** Miniflux's `POLLING_SCHEDULER_ENTRY_FREQUENCY_FACTOR`. */
  factor: number;
  /** Fraction, e.g. 0.1 for ±10 %. */
  jitter: number;
  /** Cap of backoff and of any header-imposed wait. */
  maxBackoffMs: number;
  headerCapMs: number;
  /** Poll interval while WebSub pushes arrive. */
  websubSafetyMs: number;
}

export const DEFAULT_INTERVALS: IntervalSettings = {
  defaultMs: 60 * 60_000,
  minMs: 5 * 60_000,
  maxMs: 24 * 3_600_000,
  factor: 1,
  jitter: 0.1,
  maxBackoffMs: 48 * 3_600_000,
  headerCapMs: 48 * 3_600_000,
  websubSafetyMs: 24 * 3_600_000,
};

const WEEK_MS = 7 * 86_400_000;

export interface Interval {
  ms: number;
  reason: string;
}

/** A duration for people: 90 s, 25 min, 4.5 h, 2 d. */
export function humanMs(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 360_000) / 10} h`;
  return `${Math.round(ms / 8_640_000) / 10} d`;
}

export interface AdaptiveInput {
  /** Interval from feeds.yaml, when set. */
  overrideMs?: number | undefined;
  /** Items published (or first seen) in the last 7 days. */
  itemsLast7Days: number;
  /** Whether the feed has been read successfully before, so "no items" means a quiet feed, not an unknown one. */
  hasHistory: boolean;
}

export function baseInterval(input: AdaptiveInput, s: IntervalSettings = DEFAULT_INTERVALS): Interval {
  if (input.overrideMs !== undefined && input.overrideMs > 0) {
    return { ms: input.overrideMs, reason: `feeds.yaml interval ${humanMs(input.overrideMs)}` };
  }
  if (input.itemsLast7Days > 0) {
    const raw = WEEK_MS / (input.itemsLast7Days * s.factor);
    const ms = Math.round(Math.min(s.maxMs, Math.max(s.minMs, raw)));
    return { ms, reason: `adaptive: ${input.itemsLast7Days} items in 7 days` };
  }
  if (input.hasHistory) return { ms: s.maxMs, reason: 'adaptive: no items in 7 days' };
  return { ms: s.defaultMs, reason: 'default' };
}

export interface CacheHints {
  /** RSS `<ttl>`, minutes. */
  ttlMinutes?: number | null | undefined;
  cacheControl?: string | undefined;
  expires?: string | undefined;
  retryAfter?: string | undefined;
  /** Retry-After already turned into milliseconds by the fetcher (429/503). */
  retryAfterMs?: number | undefined;
}

/** The longest wait the feed or its server asked for, capped; null when they asked for none. */
export function cacheFloor(
  h: CacheHints,
  now: number,
  s: IntervalSettings = DEFAULT_INTERVALS,
): Interval | null {
  const asks: Interval[] = [];
  if (h.ttlMinutes && h.ttlMinutes > 0) {
    asks.push({ ms: h.ttlMinutes * 60_000, reason: `<ttl> ${h.ttlMinutes} min` });
  }
  const maxAge = maxAgeMs(h.cacheControl);
  if (maxAge !== null && maxAge > 0) {
    asks.push({ ms: maxAge, reason: `Cache-Control max-age=${maxAge / 1000}` });
  }
  const expires = h.expires ? Date.parse(h.expires) : NaN;
  // "Expires: 0" and dates in the past mean "already stale": no floor.
  if (Number.isFinite(expires) && expires > now) {
    asks.push({ ms: expires - now, reason: `Expires ${h.expires}` });
  }
  const retry = h.retryAfterMs ?? retryAfterMs(h.retryAfter, now);
  if (retry !== null && retry > 0) asks.push({ ms: retry, reason: `Retry-After ${humanMs(retry)}` });
  if (asks.length === 0) return null;
  const top = asks.reduce((a, b) => (b.ms > a.ms ? b : a));
  return top.ms > s.headerCapMs ? { ms: s.headerCapMs, reason: `${top.reason} (capped)` } : top;
}

/** `max-age` of a Cache-Control header in ms; null when absent or when `no-store`/`no-cache` say not to rely on it. */
export function maxAgeMs(cacheControl: string | undefined): number | null {
  if (!cacheControl) return null;
  const cc = cacheControl.toLowerCase();
  if (/(?:^|[,\s])no-(?:store|cache)\b/.test(cc)) return null;
  const m = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/.exec(cc);
  return m ? Number(m[1]) * 1000 : null;
}

/** Retry-After as delta-seconds or an HTTP-date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export function jittered(ms: number, jitter: number, random: () => number): number {
  return Math.round(ms * (1 + (random() * 2 - 1) * jitter));
}

export interface NextPoll {
  intervalMs: number;
  nextPollAt: number;
  reason: string;
}

export interface SuccessInput {
  now: number;
  /**
   * When this poll was due (the feed's `nextPollAt`). A poll that ran late — a tick missed, a poller restarted
   * while it held the feed — is counted from when it was due, not from when it ran, so a feed keeps its cadence
   * through disruptions; at most half an interval is made up, so two polls are never closer than that.
   */
  dueAt?: number | null;
  base: Interval;
  floor: Interval | null;
  websubActive?: boolean;
  random: () => number;
}

export function nextAfterSuccess(input: SuccessInput, s: IntervalSettings = DEFAULT_INTERVALS): NextPoll {
  let base = input.base;
  if (input.websubActive && base.ms <= s.websubSafetyMs) {
    base = { ms: s.websubSafetyMs, reason: 'WebSub pushes; daily safety poll' };
  }
  const ms = jittered(base.ms, s.jitter, input.random);
  // A cache floor (the server's own "not before") counts from now, as always.
  if (input.floor && input.floor.ms > ms) return withFloor(input.now, ms, base.reason, input.floor);
  const late = input.dueAt == null ? 0 : Math.min(Math.max(0, input.now - input.dueAt), ms / 2);
  return { intervalMs: ms, nextPollAt: input.now - Math.round(late) + ms, reason: base.reason };
}

export interface FailureInput {
  now: number;
  /** The interval before the errors started. */
  healthyMs: number;
  /** Consecutive errors including this one (≥ 1). */
  consecutiveErrors: number;
  floor: Interval | null;
  random: () => number;
}

export function nextAfterFailure(input: FailureInput, s: IntervalSettings = DEFAULT_INTERVALS): NextPoll {
  const n = Math.max(1, input.consecutiveErrors);
  // 2^n overflows nothing here: the cap is reached long before n gets large.
  const raw = input.healthyMs * 2 ** Math.min(n, 30);
  const capped = Math.min(raw, s.maxBackoffMs);
  const reason =
    raw > s.maxBackoffMs
      ? `backoff: ${n} errors, capped at ${humanMs(s.maxBackoffMs)}`
      : `backoff: ${n} error${n === 1 ? '' : 's'} (${humanMs(input.healthyMs)} × 2^${n})`;
  const ms = Math.min(jittered(capped, s.jitter, input.random), s.maxBackoffMs);
  return withFloor(input.now, ms, reason, input.floor);
}

function withFloor(now: number, ms: number, reason: string, floor: Interval | null): NextPoll {
  if (floor && floor.ms > ms) {
    return { intervalMs: floor.ms, nextPollAt: now + floor.ms, reason: floor.reason };
  }
  return { intervalMs: ms, nextPollAt: now + ms, reason };
}

/** Items in the last 7 days from arrival times (published date, or first sight for undated items). */
export function countLastWeek(arrivals: readonly number[], now: number): number {
  return arrivals.filter(t => t > now - WEEK_MS && t <= now + 86_400_000).length;
}

/** How long a feed that overflowed keeps its halved interval as a ceiling, unless it overflows again. */
export const OVERFLOW_HOLD_MS = 86_400_000;

/**
 * A poll that found every item new probably missed some: the interval is halved (from the one in force, or the
 * ceiling left by an earlier overflow, whichever is shorter), never under `minMs`.
 */
export function overflowCeiling(currentMs: number, s: IntervalSettings = DEFAULT_INTERVALS): number {
  return Math.max(s.minMs, Math.round(currentMs / 2));
}

/** The base interval under the ceiling of a recent overflow (held for OVERFLOW_HOLD_MS after it). */
export function underOverflowCeiling(
  base: Interval,
  overflow: { ceilingMs: number | null; at: number | null },
  now: number,
): Interval {
  const { ceilingMs, at } = overflow;
  if (ceilingMs === null || at === null || now - at >= OVERFLOW_HOLD_MS || ceilingMs >= base.ms) return base;
  return { ms: ceilingMs, reason: `overflow: every item was new, interval halved to ${humanMs(ceilingMs)}` };
}
