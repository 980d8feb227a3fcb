import type { RedisClient } from './redis.js';
import { failureOnceKey, failuresKey, statsKey, type Keys } from './keys.js';
import { runScript } from './scripts.js';

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
  /**
   * The feed whose item this was (article records): lets a feed's page list what became of its items. A URL
   * listed by two feeds carries the feed of the job that ran.
   */
  feed?: string | undefined;
  /** Stats field to count it under; `<scope>.failed.<class>` by default. */
  counter?: string;
}

/** How long a once-only failure marker lives: as long as BullMQ keeps the finished job that it belongs to. */
const ONCE_TTL_SECONDS = 24 * 3600;

/**
 * Appends a failure to the failures stream and counts it. With `once`, a second record for the same key
 * (a job re-run after a crash) is dropped, so each failed job leaves exactly one record.
 * Returns false when the record was a repeat.
 */
export async function recordFailure(
  redis: RedisClient,
  keys: Keys,
  rec: FailureRecord,
  opts: { once?: string } = {},
): Promise<boolean> {
  const reply = await runScript(
    redis,
    'record-failure-3',
    [failuresKey(keys), statsKey(keys), failureOnceKey(keys, opts.once ?? '')],
    [
      opts.once ? '1' : '0',
      ONCE_TTL_SECONDS,
      100_000,
      rec.counter ?? `${rec.scope}.failed.${rec.class}`,
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
      ...(rec.feed ? ['feed', rec.feed] : []),
    ],
  );
  return reply !== null;
}

export async function countOutcome(redis: RedisClient, keys: Keys, field: string): Promise<void> {
  await redis.hincrby(statsKey(keys), field, 1);
}
