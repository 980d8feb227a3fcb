import { rmSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteByPattern } from '../../../src/store/redis.js';
import { keysFor } from '../../../src/store/keys.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

async function keySet(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out.sort();
}

/** Issue 13 item 8: a read command leaves Redis as it found it (no BullMQ `<prefix>:bull:*:meta` keys). */
describe('read commands do not write', { timeout: 120_000 }, () => {
  let redis: Redis;
  const prefix = testPrefix('readonly');
  let dir = '';

  beforeAll(async () => {
    redis = testRedis();
    const keys = keysFor(prefix);
    // Something to read: a feed's state and one stream event (status reads its length and groups).
    await redis.hset(keys.feedState('one'), 'lastPolledAt', new Date().toISOString(), 'lastStatus', '200');
    await redis.xadd(
      keys.stream,
      '*',
      'type',
      'story.created',
      'storyId',
      'x',
      'articleId',
      'x',
      'url',
      'http://a/',
    );
    dir = writeConfigDir({ redis: { keyPrefix: prefix }, log: { level: 'warn' } }, [
      { id: 'one', url: 'https://example.org/feed.xml' },
    ]);
  });
  // Each command starts from the seeded keys only (a key an earlier command wrongly created would hide a write).
  beforeEach(async () => {
    await deleteByPattern(redis, `${prefix}:bull:*`);
  });
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([[['status']], [['status', '--json']], [['feeds', 'list', '--json']]])(
    'newsflow %j: the same key set before and after',
    async args => {
      const before = await keySet(redis, prefix);
      expect(before.length).toBeGreaterThan(0);
      const r = await runCli([...args, '--config', dir], { REDIS_URL: testRedisUrl() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      expect(await keySet(redis, prefix)).toEqual(before);
    },
  );
});
