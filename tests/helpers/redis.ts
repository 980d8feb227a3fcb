import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { createRedis, deleteByPattern, type RedisClient } from '../../src/store/redis.js';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test uses; pair it with `cleanupPrefix` in afterEach/afterAll. */
export function testPrefix(name = 't'): string {
  return `nftest-${name}-${randomUUID().slice(0, 8)}`;
}

export function testRedis(): Redis {
  return createRedis(testRedisUrl(), 'worker');
}

/** Removes every key of a test prefix (article keys and BullMQ's queue keys alike). */
export async function cleanupPrefix(client: RedisClient, prefix: string): Promise<void> {
  await deleteByPattern(client, `${prefix}:*`);
}
