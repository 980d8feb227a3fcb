import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedis, waitReady } from '../../../src/store/redis.js';
import {
  NO_REDIS_MESSAGE,
  pingRedis,
  RedisUnavailableError,
  startRedisServer,
} from '../../../src/store/redis-server.js';

describe('managed redis-server', () => {
  it('starts with AOF and noeviction under its data dir, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-managed-'));
    const managed = await startRedisServer({ dataDir: dir });
    try {
      const client = createRedis(managed.url, 'producer');
      await waitReady(client);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await client.set('k', 'v');
      client.disconnect();
    } finally {
      await managed.stop();
    }
    expect(await pingRedis('127.0.0.1', managed.port, 300)).toBe(false);
    expect(readdirSync(dir).some(f => f.startsWith('appendonly'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with one clear message naming the ways to get Redis when redis-server is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await startRedisServer({ dataDir: mkdtempSync(join(tmpdir(), 'nf-none-')) }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RedisUnavailableError);
      expect((err as Error).message).toBe(NO_REDIS_MESSAGE);
      expect(NO_REDIS_MESSAGE).toContain('docker compose up -d redis');
      expect(NO_REDIS_MESSAGE).toContain('REDIS_URL');
    } finally {
      process.env.PATH = path;
    }
  });
});
