import { describe, expect, it } from 'vitest';
import type { FeedConfig } from '../../../src/config/schema.js';
import {
  feedConfigHash,
  planSchedulers,
  schedulerIdFor,
  tickFor,
  type ExistingScheduler,
} from '../../../src/feeds/scheduler.js';

const feed = (id: string, extra: Partial<FeedConfig> = {}): FeedConfig => ({
  id,
  url: `https://${id}.example/feed`,
  tags: [],
  enabled: true,
  ...extra,
});
const TICK = 300_000;
const have = (f: FeedConfig, every = tickFor(f, TICK)): ExistingScheduler => ({
  id: schedulerIdFor(f.id),
  every,
  cfg: feedConfigHash(f),
});

describe('planSchedulers', () => {
  it('one scheduler per enabled feed; disabled in config, disabled by a poll and deleted feeds go', () => {
    const a = feed('a');
    const plan = planSchedulers(
      [a, feed('b', { enabled: false }), feed('c', { interval: 60_000 }), feed('gone410')],
      [have(feed('b')), { id: 'feed-deleted', every: TICK, cfg: null }, have(feed('gone410'))],
      { tickMs: TICK, disabled: new Set(['gone410']) },
    );
    expect(plan.upsert.map(u => [u.id, u.every])).toEqual([
      ['feed-a', TICK],
      ['feed-c', 60_000],
    ]);
    expect(plan.upsert[0]?.data).toEqual({
      feedId: 'a',
      trigger: 'schedule',
      feed: a,
      cfg: feedConfigHash(a),
    });
    expect(plan.remove.sort()).toEqual(['feed-b', 'feed-deleted', 'feed-gone410']);
  });

  it('leaves matching schedulers and schedulers it does not own alone', () => {
    const a = feed('a');
    expect(
      planSchedulers([a], [have(a), { id: 'nightly-report', every: 1, cfg: null }], { tickMs: TICK }),
    ).toEqual({ upsert: [], remove: [] });
  });

  it('re-upserts when the tick or the feed definition changed', () => {
    const a = feed('a');
    const moved = feed('a', { url: 'https://new.example/feed' });
    expect(planSchedulers([a], [have(a, 999)], { tickMs: TICK }).upsert.map(u => u.id)).toEqual(['feed-a']);
    expect(planSchedulers([moved], [have(a)], { tickMs: TICK }).upsert[0]?.data.feed.url).toBe(
      'https://new.example/feed',
    );
  });

  it('ticks at most every `tick`, at the feed interval when shorter, never below a second', () => {
    expect(tickFor(feed('x'), TICK)).toBe(TICK);
    expect(tickFor(feed('x', { interval: 3_600_000 }), TICK)).toBe(TICK);
    expect(tickFor(feed('x', { interval: 120_000 }), TICK)).toBe(120_000);
    expect(tickFor(feed('x', { interval: 10 }), TICK)).toBe(1_000);
  });
});
