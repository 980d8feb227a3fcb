import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FeedConfig } from '../config/schema.js';
import { canonicalUrlKey, hashKey } from '../dedupe/url-key.js';
import type { Fetcher } from '../fetch/types.js';
import { FeedParseError, parseFeed } from '../feeds/parse.js';
import type { StoryStore } from '../store/story-store.js';
import type { Keys } from '../store/keys.js';
import { recordFailure } from '../store/records.js';
import type { Logger } from '../shared/logger.js';
import { articleJobId, articleJobOptions, type ArticleJobData, type PollOutcome } from './queues.js';

export interface PollDeps {
  redis: Redis;
  keys: Keys;
  fetcher: Fetcher;
  store: StoryStore;
  articleQueue: Queue<ArticleJobData>;
  articleAttempts: number;
  log: Logger;
  now: () => number;
}

/** Polls one feed: fetch, parse, and enqueue every item whose article is not stored yet. */
export async function pollFeed(deps: PollDeps, feed: FeedConfig): Promise<PollOutcome> {
  const { redis, keys, log } = deps;
  const stateKey = keys.feedState(feed.id);
  const state = await redis.hmget(stateKey, 'etag', 'lastModified');
  const res = await deps.fetcher.fetch({
    url: feed.url,
    kind: 'feed',
    etag: state[0] ?? undefined,
    lastModified: state[1] ?? undefined,
  });
  const at = new Date(deps.now()).toISOString();

  if (!res.ok) {
    await recordFeedFailure(deps, feed, res.class, res.reason, at);
    return { outcome: 'failed', feedId: feed.id, class: res.class, reason: res.reason };
  }
  if (res.status === 304) {
    await redis.hset(stateKey, { lastStatus: 304, lastPolledAt: at, consecutiveErrors: 0 });
    return { outcome: 'not-modified', feedId: feed.id };
  }

  let parsed;
  try {
    parsed = await parseFeed(res.text, res.finalUrl);
  } catch (err) {
    const reason = err instanceof FeedParseError ? err.message : String(err);
    await recordFeedFailure(deps, feed, 'parse', reason, at);
    return { outcome: 'failed', feedId: feed.id, class: 'parse', reason };
  }

  const candidates: ArticleJobData[] = [];
  const seenHashes = new Set<string>();
  for (const item of parsed.items) {
    const urlKey = item.link ? canonicalUrlKey(item.link) : null;
    if (!item.link || !urlKey) continue;
    const urlHash = hashKey(urlKey);
    if (seenHashes.has(urlHash)) continue;
    seenHashes.add(urlHash);
    candidates.push({
      url: item.link,
      urlKey,
      urlHash,
      feed: { id: feed.id, url: feed.url },
      item: {
        title: item.title,
        publishedAt: item.publishedAt,
        contentHtml: item.contentHtml,
        summaryHtml: item.summaryHtml,
        authors: item.authors.map(a => a.name),
        source: item.source,
      },
      enqueuedAt: at,
    });
  }

  const known = await deps.store.knownUrlHashes(candidates.map(c => c.urlHash));
  const fresh = candidates.filter((_, i) => !known[i]);
  if (fresh.length > 0) {
    await deps.articleQueue.addBulk(
      fresh.map(data => ({
        name: 'article',
        data,
        opts: { ...articleJobOptions(deps.articleAttempts), jobId: articleJobId(data.urlHash) },
      })),
    );
  }

  const multi = redis.multi().hset(stateKey, {
    lastStatus: res.status,
    lastPolledAt: at,
    lastSuccessAt: at,
    consecutiveErrors: 0,
    lastErrorClass: '',
    lastErrorReason: '',
    ...(res.headers.etag ? { etag: res.headers.etag } : {}),
    ...(res.headers.lastModified ? { lastModified: res.headers.lastModified } : {}),
  });
  multi.hincrby(stateKey, 'itemsSeen', parsed.items.length);
  await multi.exec();
  log.info({ feedId: feed.id, items: parsed.items.length, enqueued: fresh.length }, 'feed polled');
  return {
    outcome: 'ok',
    feedId: feed.id,
    status: res.status,
    items: parsed.items.length,
    known: candidates.length - fresh.length,
    enqueued: fresh.map(c => articleJobId(c.urlHash)),
  };
}

async function recordFeedFailure(
  deps: PollDeps,
  feed: FeedConfig,
  cls: string,
  reason: string,
  at: string,
): Promise<void> {
  const stateKey = deps.keys.feedState(feed.id);
  await deps.redis
    .multi()
    .hset(stateKey, { lastPolledAt: at, lastErrorClass: cls, lastErrorReason: reason, lastErrorAt: at })
    .hincrby(stateKey, 'consecutiveErrors', 1)
    .exec();
  await recordFailure(deps.redis, deps.keys, {
    scope: 'feed',
    id: feed.id,
    url: feed.url,
    class: cls,
    reason,
    at,
  });
  deps.log.warn({ feedId: feed.id, class: cls, reason }, 'feed poll failed');
}
