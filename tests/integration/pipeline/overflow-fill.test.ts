import { describe, expect, it } from 'vitest';
import { runBurstScenario } from '../../../eval/overflow/scenario.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';

/**
 * Issue 20's target at a small scale (`npm run eval:overflow` runs it at 200 articles in bursts of 40, a feed of 20):
 * a site publishing more between two polls than its feed lists loses articles to a feed alone, and none once its
 * news sitemap is configured — both sites in the same run, through the whole pipeline.
 */
describe('a feed that overflows, filled from the news sitemap (real Redis, HTTP, extraction)', () => {
  it('with the news sitemap every article is stored; the feed alone misses what it never listed', async () => {
    const r = await runBurstScenario({
      initial: 0,
      bursts: 2,
      perBurst: 10,
      feedSize: 4,
      redis: testRedisUrl(),
      prefix: testPrefix('overflow'),
    });
    expect(r.withSitemap).toMatchObject({ published: 20, stored: 20, missed: 0, overflows: 2, filled: 12 });
    // The feed alone stores what its feed listed (4 of each burst of 10) and nothing else.
    expect(r.feedAlone).toMatchObject({ stored: 8, missed: 12, listedByFeed: 8, overflows: 2, filled: 0 });
  }, 120_000);
});
