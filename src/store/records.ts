import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/**
 * Failures and outcomes are data: a failure stream (with its reason) and counters, so `status`,
 * metrics and the fault checker see every page or feed that did not make it.
 */
export interface FailureRecord {
  scope: 'feed' | 'article';
  id: string;
  url: string;
  class: string;
  reason: string;
  at: string;
}

export function failuresKey(keys: Keys): string {
  return `${keys.prefix}:failures`;
}

export function statsKey(keys: Keys): string {
  return `${keys.prefix}:stats`;
}

export async function recordFailure(redis: Redis, keys: Keys, rec: FailureRecord): Promise<void> {
  await redis
    .multi()
    .xadd(
      failuresKey(keys),
      'MAXLEN',
      '~',
      100_000,
      '*',
      'scope',
      rec.scope,
      'id',
      rec.id,
      'url',
      rec.url,
      'class',
      rec.class,
      'reason',
      rec.reason,
      'at',
      rec.at,
    )
    .hincrby(statsKey(keys), `${rec.scope}.failed.${rec.class}`, 1)
    .exec();
}

export async function countOutcome(redis: Redis, keys: Keys, field: string): Promise<void> {
  await redis.hincrby(statsKey(keys), field, 1);
}
