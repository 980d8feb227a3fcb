import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/app.js';
import type { StoryReads } from '../../../src/consumer/reader.js';
import { keysFor } from '../../../src/store/keys.js';

/** Issue 14 (4): Fastify logs through the project's pino logger — a failed request's cause reaches the log. */
describe('API logging', () => {
  it('logs a 5xx cause through the logger it is given, with no per-request lines', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) {
          if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        }
        done();
      },
    });
    // A store whose every read fails, as when Redis went away mid-request.
    const failing = new Proxy({} as StoryReads, {
      get: () => () => Promise.reject(new Error('connection lost to the store')),
    });
    const app = buildApi({
      redis: {} as Redis,
      keys: keysFor('nf-test-logging'),
      feeds: () => [],
      queues: [],
      adminToken: null,
      isReady: () => true,
      store: failing,
      metrics: new Registry(),
      log: pino({ level: 'info' }, sink),
    });
    const ok = await app.inject({ url: '/livez' });
    expect(ok.statusCode).toBe(200);
    const res = await app.inject({ url: '/stories/abc' });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('connection lost');
    await app.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ component: 'api', msg: 'api request failed' });
    expect(JSON.stringify(lines[0])).toContain('connection lost to the store');
  });
});
