import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../../src/demo/fixture-site.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { runOnce } from '../../../src/pipeline/run-once.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

describe('run --once follows the originals that copies credit', () => {
  let site: FixtureSite;
  let rt: Runtime;
  let redis: Redis;
  const prefix = testPrefix('originals');

  beforeAll(async () => {
    site = await startFixtureSite();
    const hubOnly = site.feeds.filter(f => f.id === 'daily-market-hub');
    const config = buildConfig(
      'config',
      {
        log: { level: 'silent' },
        redis: { keyPrefix: prefix },
        fetch: {
          allowNetworks: ['127.0.0.0/8'],
          allowedPorts: fixturePorts(site),
          politeness: { hosts: { '127.0.0.1': { interval: 0 }, '127.0.0.2': { interval: 0 } } },
        },
      },
      hubOnly,
    );
    redis = testRedis();
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
  });

  afterAll(async () => {
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await site?.close();
  });

  it('fetches the original named only in the copy’s footer within the same run', async () => {
    const summary = await runOnce(rt, { pollIntervalMs: 50 });
    expect(summary.itemsSeen).toBe(1);
    expect([...site.hits.keys()], JSON.stringify(summary)).toContain(
      'harbor/2026/11/20/calder-electric-cranes/',
    );
    // The copy founds the story, the original joins it (and takes over as representative): one body, no failure.
    expect(summary.articlesStored + summary.duplicates).toBe(2);
    expect(summary.failures).toEqual({});
  });
});
