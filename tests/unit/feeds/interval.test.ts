import { describe, expect, it } from 'vitest';
import { judgeFailure, permanentMove } from '../../../src/feeds/health.js';
import {
  baseInterval,
  cacheFloor,
  countLastWeek,
  DEFAULT_INTERVALS,
  maxAgeMs,
  nextAfterFailure,
  nextAfterSuccess,
  retryAfterMs,
  type IntervalSettings,
} from '../../../src/feeds/interval.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const NOW = Date.UTC(2025, 5, 10, 12, 0, 0);
const S: IntervalSettings = DEFAULT_INTERVALS;
const NO_JITTER = { ...S, jitter: 0 };
const mid = (): number => 0.5;

describe('baseInterval (Miniflux entry frequency: 7 d ÷ (items × factor), clamped to [5 min, 24 h])', () => {
  it.each([
    // items in 7 days, has history, override, factor → ms, reason
    [0, false, undefined, 1, H, 'default'],
    [0, true, undefined, 1, 24 * H, 'adaptive: no items in 7 days'],
    [1, true, undefined, 1, 24 * H, 'adaptive: 1 items in 7 days'], // 7 d clamps to 24 h
    [7, true, undefined, 1, 24 * H, 'adaptive: 7 items in 7 days'],
    [14, true, undefined, 1, 12 * H, 'adaptive: 14 items in 7 days'],
    [168, true, undefined, 1, H, 'adaptive: 168 items in 7 days'],
    [168, true, undefined, 2, 30 * MIN, 'adaptive: 168 items in 7 days'],
    [10_000, true, undefined, 1, 5 * MIN, 'adaptive: 10000 items in 7 days'], // clamps to 5 min
    [168, true, 15 * MIN, 1, 15 * MIN, 'feeds.yaml interval 15 min'],
    [0, false, 2 * H, 1, 2 * H, 'feeds.yaml interval 2 h'],
  ])(
    '%i items, history %s, override %s, factor %i → %i ms',
    (items, hasHistory, overrideMs, factor, ms, reason) => {
      expect(baseInterval({ itemsLast7Days: items, hasHistory, overrideMs }, { ...S, factor })).toEqual({
        ms,
        reason,
      });
    },
  );
});

describe('cacheFloor (ttl, Cache-Control max-age, Expires, Retry-After; the longest wins, capped at 48 h)', () => {
  const httpDate = (ms: number): string => new Date(ms).toUTCString();
  it.each([
    [{}, null],
    [{ ttlMinutes: 120 }, { ms: 2 * H, reason: '<ttl> 120 min' }],
    [{ cacheControl: 'public, max-age=7200' }, { ms: 2 * H, reason: 'Cache-Control max-age=7200' }],
    [{ cacheControl: 'max-age=7200, no-cache' }, null],
    [{ cacheControl: 'no-store' }, null],
    [{ expires: httpDate(NOW + 3 * H) }, { ms: 3 * H, reason: `Expires ${httpDate(NOW + 3 * H)}` }],
    [{ expires: '0' }, null],
    [{ expires: httpDate(NOW - H) }, null],
    [{ retryAfter: '600' }, { ms: 10 * MIN, reason: 'Retry-After 10 min' }],
    [{ retryAfter: httpDate(NOW + 5 * H) }, { ms: 5 * H, reason: 'Retry-After 5 h' }],
    [{ retryAfterMs: 90_000 }, { ms: 90_000, reason: 'Retry-After 90 s' }],
    [
      { ttlMinutes: 60, cacheControl: 'max-age=10800', retryAfter: '60' },
      { ms: 3 * H, reason: 'Cache-Control max-age=10800' },
    ],
    [{ ttlMinutes: 60 * 24 * 7 }, { ms: 48 * H, reason: '<ttl> 10080 min (capped)' }],
    [{ retryAfter: 'soon' }, null],
  ])('%j → %j', (hints, expected) => {
    expect(cacheFloor(hints, NOW, S)).toEqual(expected);
  });

  it('parses max-age and Retry-After forms', () => {
    expect(maxAgeMs('s-maxage=5, max-age="30"')).toBe(30_000);
    expect(maxAgeMs(undefined)).toBeNull();
    expect(retryAfterMs(' 120 ', NOW)).toBe(120_000);
    expect(retryAfterMs(httpDate(NOW - 10_000), NOW)).toBe(0);
  });
});

describe('nextAfterSuccess', () => {
  it.each([
    // random() → jitter factor: 0 → -10 %, 0.5 → 0, 1 → +10 %
    [0, { ms: H, reason: 'default' }, null, false, 54 * MIN, 'default'],
    [0.5, { ms: H, reason: 'default' }, null, false, H, 'default'],
    [1, { ms: H, reason: 'default' }, null, false, 66 * MIN, 'default'],
    // the floor holds after jitter
    [0, { ms: H, reason: 'default' }, { ms: H, reason: '<ttl> 60 min' }, false, H, '<ttl> 60 min'],
    [
      0.5,
      { ms: 10 * MIN, reason: 'adaptive' },
      { ms: 2 * H, reason: 'Retry-After 2 h' },
      false,
      2 * H,
      'Retry-After 2 h',
    ],
    // WebSub: a daily safety poll
    [0.5, { ms: H, reason: 'default' }, null, true, 24 * H, 'WebSub pushes; daily safety poll'],
  ])('random %d, base %j, floor %j, websub %s → %i', (r, base, floor, websubActive, intervalMs, reason) => {
    const next = nextAfterSuccess({ now: NOW, base, floor, websubActive, random: () => r }, S);
    expect(next).toEqual({ intervalMs, nextPollAt: NOW + intervalMs, reason });
  });

  it.each([
    // [due relative to now, next poll relative to now] for an hourly feed
    [null, H],
    [0, H],
    // late by 10 min: the next poll keeps the cadence
    [-10 * MIN, 50 * MIN],
    // late by more than half an interval: half is made up, never more
    [-3 * H, 30 * MIN],
    // polled early (a manual poll): counted from now
    [20 * MIN, H],
  ])('a poll due at now %s ms is followed by one at now + %i ms', (due, next) => {
    const base = { ms: H, reason: 'default' };
    const dueAt = due === null ? null : NOW + due;
    expect(nextAfterSuccess({ now: NOW, dueAt, base, floor: null, random: () => 0.5 }, S)).toEqual({
      intervalMs: H,
      nextPollAt: NOW + next,
      reason: 'default',
    });
    // A server's floor still counts from now.
    const floored = nextAfterSuccess(
      { now: NOW, dueAt, base, floor: { ms: 2 * H, reason: 'Retry-After 2 h' }, random: () => 0.5 },
      S,
    );
    expect(floored.nextPollAt).toBe(NOW + 2 * H);
  });
});

describe('nextAfterFailure (interval × 2^n, capped at 48 h; Retry-After wins when later)', () => {
  it.each([
    [H, 1, null, 2 * H, 'backoff: 1 error (60 min × 2^1)'],
    [H, 2, null, 4 * H, 'backoff: 2 errors (60 min × 2^2)'],
    [H, 5, null, 32 * H, 'backoff: 5 errors (60 min × 2^5)'],
    [H, 6, null, 48 * H, 'backoff: 6 errors, capped at 2 d'],
    [H, 40, null, 48 * H, 'backoff: 40 errors, capped at 2 d'],
    [5 * MIN, 3, null, 40 * MIN, 'backoff: 3 errors (5 min × 2^3)'],
    [H, 1, { ms: 6 * H, reason: 'Retry-After 6 h' }, 6 * H, 'Retry-After 6 h'],
    [H, 3, { ms: 2 * H, reason: 'Retry-After 2 h' }, 8 * H, 'backoff: 3 errors (60 min × 2^3)'],
  ])('healthy %i ms, %i errors, floor %j → %i', (healthyMs, n, floor, intervalMs, reason) => {
    const next = nextAfterFailure(
      { now: NOW, healthyMs, consecutiveErrors: n, floor, random: mid },
      NO_JITTER,
    );
    expect(next).toEqual({ intervalMs, nextPollAt: NOW + intervalMs, reason });
  });

  it('jitter never pushes backoff past the cap', () => {
    const next = nextAfterFailure(
      { now: NOW, healthyMs: H, consecutiveErrors: 10, floor: null, random: () => 1 },
      S,
    );
    expect(next.intervalMs).toBe(48 * H);
  });
});

describe('judgeFailure (disabling rules)', () => {
  const DISABLE_AFTER = 7 * D;
  it.each([
    [410, null, 0, 'HTTP 410 Gone', null],
    [404, null, 0, null, NOW],
    [404, NOW - 6 * D, 0, null, NOW - 6 * D],
    [
      404,
      NOW - 7 * D - 1,
      0,
      `HTTP 404 for more than 7 days (since ${new Date(NOW - 7 * D - 1).toISOString()})`,
      NOW - 7 * D - 1,
    ],
    [
      403,
      NOW - 8 * D,
      0,
      `HTTP 403 for more than 7 days (since ${new Date(NOW - 8 * D).toISOString()})`,
      NOW - 8 * D,
    ],
    [401, null, 0, null, NOW],
    [500, NOW - 30 * D, 0, null, NOW - 30 * D],
    [undefined, null, 0, null, null],
    [429, null, 0, null, null],
  ])('status %s, streak since %s → disable %s', (status, since, _unused, disable, firstHardErrorAt) => {
    expect(judgeFailure(status, since, NOW, DISABLE_AFTER)).toEqual({ disable, firstHardErrorAt });
  });
});

describe('permanentMove (only a chain of 301/308 moves the feed)', () => {
  const hop = (status: number): { url: string; status: number } => ({ url: 'https://a.example/x', status });
  it.each([
    [[], null],
    [[hop(301)], 'https://b.example/feed'],
    [[hop(308), hop(301)], 'https://b.example/feed'],
    [[hop(301), hop(302)], null],
    [[hop(307)], null],
    [[hop(302), hop(301)], null],
    [[hop(303)], null],
  ])('%j → %s', (redirects, expected) => {
    expect(permanentMove(redirects, 'https://b.example/feed', 'https://a.example/x')).toBe(expected);
  });
});

describe('countLastWeek', () => {
  it('counts arrivals within 7 days (a day of clock skew into the future allowed)', () => {
    expect(countLastWeek([NOW - 8 * D, NOW - 6 * D, NOW - H, NOW, NOW + H, NOW + 2 * D, 0], NOW)).toBe(4);
  });
});
