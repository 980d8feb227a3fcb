import { describe, expect, it } from 'vitest';
import type { FeedConfig } from '../../../src/config/schema.js';
import { planSchedulers, schedulerIdFor } from '../../../src/pipeline/schedule.js';

const feed = (id: string, extra: Partial<FeedConfig> = {}): FeedConfig => ({
  id,
  url: `https://${id}.example/feed`,
  tags: [],
  enabled: true,
  ...extra,
});

describe('planSchedulers', () => {
  it('creates one scheduler per enabled feed and removes the rest', () => {
    const plan = planSchedulers(
      [feed('a'), feed('b', { enabled: false }), feed('c', { interval: 600_000 })],
      [
        { id: schedulerIdFor('b'), every: 3_600_000 },
        { id: schedulerIdFor('gone'), every: 3_600_000 },
      ],
      3_600_000,
    );
    expect(plan.upsert).toEqual([
      { id: 'feed-a', feedId: 'a', every: 3_600_000 },
      { id: 'feed-c', feedId: 'c', every: 600_000 },
    ]);
    expect(plan.remove.sort()).toEqual(['feed-b', 'feed-gone']);
  });

  it('leaves schedulers that already match alone', () => {
    const plan = planSchedulers([feed('a')], [{ id: 'feed-a', every: 3_600_000 }], 3_600_000);
    expect(plan).toEqual({ upsert: [], remove: [] });
  });

  it('updates a scheduler whose interval changed', () => {
    const plan = planSchedulers(
      [feed('a', { interval: 60_000 })],
      [{ id: 'feed-a', every: 3_600_000 }],
      3_600_000,
    );
    expect(plan.upsert).toEqual([{ id: 'feed-a', feedId: 'a', every: 60_000 }]);
  });
});
