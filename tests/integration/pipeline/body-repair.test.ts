import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../../src/demo/fixture-site.js';
import { dedupeSettings } from '../../../src/dedupe/story.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { processArticle } from '../../../src/pipeline/process-article.js';
import { runOnce } from '../../../src/pipeline/run-once.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { createLogger } from '../../../src/shared/logger.js';
import { statsKey } from '../../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedisUrl } from '../../helpers/redis.js';

/**
 * Issue 18: the body is written after the decision, in another slot. A job that died between the two leaves a
 * story whose representative has no body; its retry (same URL) must fetch and extract again and store it.
 */
describe('a body write lost after the decision is repaired by the retry', () => {
  let site: FixtureSite;
  let rt: Runtime;
  const prefix = testPrefix('repair');

  beforeAll(async () => {
    site = await startFixtureSite();
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: fixturePorts(site) },
      },
      site.feeds,
    );
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
  });

  afterAll(async () => {
    await cleanupPrefix(rt.redis, prefix);
    await rt.close();
    await site?.close();
  });

  it('the retry of the deciding job stores the missing body; a second retry changes nothing', async () => {
    const run = await runOnce(rt, { pollIntervalMs: 50 });
    expect(run.articlesStored).toBeGreaterThanOrEqual(2);
    const storyId = run.storedIds[0]!;
    const rep = (await rt.redis.hget(rt.keys.story(storyId), 'rep'))!;
    const article = (await rt.store.get(storyId))!;
    await rt.redis.del(rt.keys.body(rep));
    const eventsBefore = await rt.redis.xlen(rt.keys.stream);
    expect(await rt.store.get(storyId)).toBeNull();

    const urlKey = canonicalUrlKey(article.url)!;
    const job = {
      url: article.url,
      urlKey,
      urlHash: hashKey(urlKey),
      feed: article.feed,
      item: { title: article.title },
      enqueuedAt: new Date().toISOString(),
    };
    const deps = {
      redis: rt.redis,
      keys: rt.keys,
      fetcher: rt.fetcher,
      store: rt.store,
      log: rt.log,
      now: rt.now,
      dedupe: dedupeSettings(rt.config.service.dedupe),
    };
    expect(await processArticle(deps, job, { lastAttempt: false })).toMatchObject({
      outcome: 'stored',
      articleId: rep,
    });
    // The same page again (only its fetch time differs).
    expect(await rt.store.get(storyId)).toMatchObject({
      url: article.url,
      title: article.title,
      contentText: article.contentText,
    });
    expect(await rt.redis.hget(statsKey(rt.keys), 'article.body-repaired')).toBe('1');
    // Nothing published twice: the decision answered `exists`.
    expect(await rt.redis.xlen(rt.keys.stream)).toBe(eventsBefore);
    expect(await processArticle(deps, job, { lastAttempt: false })).toMatchObject({
      outcome: 'duplicate',
      kind: 'same-url',
    });
  });
});
