import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { pingRedis, startRedisServer, type ManagedRedis } from '../../src/store/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * Tests use REDIS_URL if set, else the machine's Redis at 127.0.0.1:6379 if it answers, else a
 * redis-server started here on a free port. Tests never flush a Redis: each uses its own prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let managed: ManagedRedis | undefined;
  let dir: string | undefined;
  let url = process.env.REDIS_URL;
  if (!url) {
    if (await pingRedis('127.0.0.1', 6379)) url = 'redis://127.0.0.1:6379';
    else {
      dir = mkdtempSync(join(tmpdir(), 'newsflow-test-redis-'));
      managed = await startRedisServer({ dataDir: dir, appendOnly: false });
      url = managed.url;
    }
  }
  project.provide('redisUrl', url);
  return async () => {
    await managed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
