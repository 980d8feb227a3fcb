import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { trimStreamByAge } from '../../../src/consumer/retention.js';
import { warnUnlessNoeviction } from '../../../src/metrics/worker-hooks.js';
import { createRedis } from '../../../src/store/redis.js';
import { startRedisServer } from '../../../src/store/redis-server.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';
import { publishDemo } from './fixtures.js';

function capturingLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

describe('service hygiene', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('warns at startup when Redis may evict keys, and not when it is noeviction', async () => {
    // A private redis-server: changing the policy of the shared test Redis would disturb other tests.
    const dir = mkdtempSync(join(tmpdir(), 'nf-policy-'));
    dirs.push(dir);
    const server = await startRedisServer({ dataDir: dir, appendOnly: false });
    const redis = createRedis(server.url, 'worker');
    try {
      const quiet = capturingLogger();
      expect(await warnUnlessNoeviction(redis, quiet.log)).toBe('noeviction');
      expect(quiet.lines.filter(l => l.level === 40)).toEqual([]);

      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const loud = capturingLogger();
      expect(await warnUnlessNoeviction(redis, loud.log)).toBe('allkeys-lru');
      const warning = loud.lines.find(l => l.level === 40);
      expect(warning).toMatchObject({ maxmemoryPolicy: 'allkeys-lru' });
      expect(String(warning?.msg)).toMatch(/set it to "noeviction"/);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });

  it('bounds every queue job by default (removeOnComplete / removeOnFail)', async () => {
    const pub = await publishDemo(testPrefix('bounds'), { run: false });
    try {
      const job = await pub.rt.articleQueue.add('probe', {} as never);
      expect(job.opts.removeOnComplete).toEqual({ age: 24 * 3600, count: 10_000 });
      expect(job.opts.removeOnFail).toEqual({ age: 7 * 24 * 3600, count: 10_000 });
    } finally {
      await pub.close();
    }
  });

  it('trims stream entries older than the age limit and keeps newer ones', async () => {
    const redis = testRedis();
    const prefix = testPrefix('retention');
    const stream = `${prefix}:{stories}:articles`;
    const now = Date.parse('2026-06-01T12:00:00Z');
    try {
      for (const ageMin of [180, 120, 61, 59, 10, 1]) {
        await redis.xadd(stream, `${now - ageMin * 60_000}-0`, 'n', String(ageMin));
      }
      expect(await trimStreamByAge(redis, stream, 3_600_000, () => now)).toBe(3);
      const left = (await redis.xrange(stream, '-', '+')).map(([, f]) => f[1]);
      expect(left).toEqual(['59', '10', '1']);
    } finally {
      await cleanupPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
