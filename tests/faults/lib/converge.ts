import type { RedisClient } from '../../../src/store/redis.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { type Keys, failuresKey } from '../../../src/store/keys.js';

/** The URL key hash the pipeline files a page under (the poller's and the store's key). */
export function urlHashOf(url: string): string {
  const key = canonicalUrlKey(url);
  if (!key) throw new Error(`no URL key for ${url}`);
  return hashKey(key);
}

/**
 * Pages of the site that are neither stored (URL index key) nor recorded as failed: empty once the store has
 * converged on everything the feed listed, whether or not the history saw each one enqueued.
 */
export async function unsettledUrls(
  redis: RedisClient,
  keys: Keys,
  urls: readonly string[],
): Promise<string[]> {
  if (urls.length === 0) return [];
  const hashes = urls.map(urlHashOf);
  const stored = await redis.mget(...hashes.map(h => keys.urlIndex(h)));
  const recorded = new Set<string>();
  for (const [, fields] of await redis.xrange(failuresKey(keys), '-', '+')) {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
    if (f.scope === 'article' && f.id) recorded.add(f.id);
  }
  return urls.filter((_, i) => stored[i] === null && !recorded.has(hashes[i] as string));
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs: number; pollMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(opts.pollMs ?? 200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}
