import type { RedisClient } from '../../store/redis.js';
import type { ServiceConfig } from '../../config/schema.js';
import type { Logger } from '../../shared/logger.js';
import type { Keys } from '../../store/keys.js';
import type { FeedConfig } from '../../config/schema.js';
import type { ParsedFeed } from '../parse/types.js';
import { createWebSubManager, type WebSubManager } from './manager.js';

/** WebSub as the poll job sees it: is a subscription delivering, and subscribe after a successful poll. */
export interface WebSubHooks {
  isActive(feedId: string, now: number): Promise<boolean>;
  /** Subscribes or renews when the feed advertises a hub; logs its own failures, never throws. */
  afterPoll(feed: FeedConfig, parsed: ParsedFeed, feedUrl: string, now: number): Promise<void>;
}

/** What the poll job needs from WebSub; undefined when `websub.callbackUrl` is not configured. */
export function createWebSubHooks(
  redis: RedisClient,
  keys: Keys,
  svc: ServiceConfig,
  log: Logger,
  manager: WebSubManager | undefined = createWebSubManager(redis, keys, svc, log),
): WebSubHooks | undefined {
  if (!manager) return undefined;
  return {
    isActive: (feedId, now) => manager.isActive(feedId, now),
    async afterPoll(feed, parsed, feedUrl, now) {
      if (!parsed.hub) return;
      try {
        await manager.ensure(feed.id, parsed.hub, parsed.self ?? feedUrl, now);
      } catch (err) {
        log.warn({ feedId: feed.id, err }, 'websub: could not subscribe');
      }
    },
  };
}
