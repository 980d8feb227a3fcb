import { afterAll, describe, expect, it } from 'vitest';
import { keysFor, failuresKey, statsKey } from '../../../src/store/keys.js';
import { readFailurePage } from '../../../src/metrics/status.js';
import { recordFailure } from '../../../src/store/records.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

describe('failure records', () => {
  const redis = testRedis();
  const keys = keysFor(testPrefix('records'));
  afterAll(async () => {
    await cleanupPrefix(redis, keys.prefix);
    redis.disconnect();
  });

  const rec = (id: string) => ({
    scope: 'article' as const,
    id,
    url: `https://example.com/${id}`,
    class: 'http',
    reason: 'HTTP 404',
    at: '2026-11-25T00:00:00.000Z',
  });

  it('records a once-keyed failure only once, however often the job runs', async () => {
    expect(await recordFailure(redis, keys, rec('a'), { once: 'article:a' })).toBe(true);
    expect(await recordFailure(redis, keys, rec('a'), { once: 'article:a' })).toBe(false);
    expect(await recordFailure(redis, keys, rec('b'), { once: 'article:b' })).toBe(true);
    const entries = await redis.xrange(failuresKey(keys), '-', '+');
    expect(entries.map(([, f]) => f[f.indexOf('id') + 1])).toEqual(['a', 'b']);
    expect(await redis.hget(statsKey(keys), 'article.failed.http')).toBe('2');
  });

  it('an article record names the feed of its item; the failure page filters a feed with its items', async () => {
    const own = testPrefix('records-feed');
    const k = keysFor(own);
    try {
      await recordFailure(redis, k, { ...rec('p1'), feed: 'wire' });
      await recordFailure(redis, k, { ...rec('p2'), feed: 'other' });
      await recordFailure(redis, k, { ...rec('wire'), scope: 'feed' });
      await recordFailure(redis, k, rec('p3')); // no feed: a record from before the field existed
      const all = await readFailurePage(redis, k, { limit: 10 });
      expect(all.rows.map(r => [r.feedOrArticle, r.feed])).toEqual([
        ['p3', ''],
        ['wire', 'wire'],
        ['p2', 'other'],
        ['p1', 'wire'],
      ]);
      const wire = await readFailurePage(redis, k, { feed: 'wire', limit: 10 });
      expect(wire.rows.map(r => `${r.scope}:${r.feedOrArticle}`)).toEqual(['feed:wire', 'article:p1']);
      const items = await readFailurePage(redis, k, { scope: 'article', feed: 'wire', limit: 10 });
      expect(items.rows.map(r => r.feedOrArticle)).toEqual(['p1']);
    } finally {
      await cleanupPrefix(redis, own);
    }
  });

  it('records every failure without a once key (feed polls fail again and again)', async () => {
    await recordFailure(redis, keys, { ...rec('feed-x'), scope: 'feed' });
    await recordFailure(redis, keys, { ...rec('feed-x'), scope: 'feed' });
    expect(await redis.hget(statsKey(keys), 'feed.failed.http')).toBe('2');
  });
});
