import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../../src/demo/fixture-site.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { runOnce } from '../../../src/pipeline/run-once.js';
import { createLogger } from '../../../src/shared/logger.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

/** Parses XRANGE output into field maps. */
function events(entries: [string, string[]][]): Record<string, string>[] {
  return entries.map(([, fields]) => {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
    return out;
  });
}

describe('run --once end to end (fixture site → BullMQ → Readability → Redis stream)', () => {
  let site: FixtureSite;
  let rt: Runtime;
  let redis: Redis;
  const prefix = testPrefix('e2e');

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
    redis = testRedis();
    rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
  });

  afterAll(async () => {
    await rt?.close();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await site?.close();
  });

  it('stores each article once with one event, and a second run adds nothing', async () => {
    const first = await runOnce(rt, { pollIntervalMs: 50 });
    expect(first.feedsPolled).toBe(2);
    expect(first.feedsFailed).toBe(0);
    expect(first.itemsSeen).toBe(3);
    expect(first.failures).toEqual({});
    expect(first.articlesStored).toBeGreaterThanOrEqual(2);

    const stream = events(await redis.xrange(rt.keys.stream, '-', '+'));
    const perArticle = new Map<string, number>();
    for (const e of stream) perArticle.set(e.articleId!, (perArticle.get(e.articleId!) ?? 0) + 1);
    expect([...perArticle.values()].every(n => n === 1)).toBe(true);
    for (const id of first.storedIds) expect(perArticle.get(id)).toBe(1);
    for (const e of stream) {
      expect(e.type).toMatch(/^story\./);
      expect(e.url).toMatch(/^http:\/\/127\.0\.0\.[12]:\d+\//);
      expect(Number.isNaN(Date.parse(e.at!))).toBe(false);
    }

    const stored = await Promise.all(first.storedIds.map(id => rt.store.get(id)));
    const titles = stored.map(a => a?.title).sort();
    expect(titles).toContain('Port of Calder approves electric crane fleet to cut harbor emissions');
    expect(titles).toContain('Freight rates ease as the Vell Valley rail link opens');
    const cranes = stored.find(a => a?.url.includes('calder-electric-cranes'));
    expect(cranes?.contentText).toContain('replace its twelve diesel ship-to-shore cranes');
    expect(cranes?.contentText).not.toContain('All rights reserved');
    expect(cranes?.wordCount).toBeGreaterThan(200);
    expect(cranes?.feed.id).toBe('harbor-ledger');
    expect(cranes?.schemaVersion).toBe(2);

    const second = await runOnce(rt, { pollIntervalMs: 50 });
    expect(second.articlesStored).toBe(0);
    expect(second.itemsKnown + second.duplicates).toBe(second.itemsSeen);
    expect(await redis.xlen(rt.keys.stream)).toBe(stream.length);
  });
});
