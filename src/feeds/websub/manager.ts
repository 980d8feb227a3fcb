import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../store/redis.js';
import type { ServiceConfig } from '../../config/schema.js';
import type { Logger } from '../../shared/logger.js';
import { type Keys, websubRenewalsKey } from '../../store/keys.js';
import { createHubPoster, type HubPoster } from './hub-client.js';
import {
  dueRenewals,
  forgetSubscription,
  readSubscription,
  writeSubscription,
  type Subscription,
} from './subscriptions.js';

/**
 * Subscribing, renewing and unsubscribing. Verification (the hub's GET with a challenge) and deliveries arrive at
 * the API role's callback (./callback.ts); this side only writes the request down before sending it, so a hub
 * that verifies synchronously finds the subscription already waiting.
 */
export interface WebSubManager {
  callbackBase: string;
  /** Subscribes (or renews) when the feed advertises `hub`; no-op while a matching one is active or pending. */
  ensure(feedId: string, hub: string, topic: string, now: number): Promise<void>;
  renewDue(now: number, isWanted: (feedId: string) => boolean): Promise<number>;
  unsubscribe(feedId: string): Promise<void>;
  isActive(feedId: string, now: number): Promise<boolean>;
}

/** A pending request the hub never verified is asked again after this long; a denial is respected this long. */
const PENDING_RETRY_MS = 10 * 60_000;
const DENIED_RETRY_MS = 86_400_000;

export function createWebSubManager(
  redis: RedisClient,
  keys: Keys,
  svc: ServiceConfig,
  log: Logger,
  poster: HubPoster = createHubPoster(svc),
): WebSubManager | undefined {
  const base = svc.websub.callbackUrl?.replace(/\/+$/, '');
  if (!base) return undefined;
  const lease = svc.websub.leaseSeconds;

  async function request(
    feedId: string,
    sub: Pick<Subscription, 'hub' | 'topic' | 'token' | 'secret'>,
    now: number,
  ): Promise<void> {
    const callback = `${base}/${feedId}/${sub.token}`;
    await writeSubscription(redis, keys, feedId, {
      ...sub,
      callback,
      requestedAt: now,
      lastError: null,
      ...((await readSubscription(redis, keys, feedId))?.state === 'active' ? {} : { state: 'requested' }),
    });
    const answer = await poster({
      hub: sub.hub,
      mode: 'subscribe',
      topic: sub.topic,
      callback,
      secret: sub.secret,
      leaseSeconds: lease,
    });
    if (!answer.ok) {
      await writeSubscription(redis, keys, feedId, { state: 'failed', lastError: answer.reason });
      log.warn({ feedId, hub: sub.hub, reason: answer.reason }, 'websub subscribe failed');
      return;
    }
    log.info({ feedId, hub: sub.hub, topic: sub.topic }, 'websub subscription requested');
  }

  return {
    callbackBase: base,
    async ensure(feedId, hub, topic, now) {
      const sub = await readSubscription(redis, keys, feedId);
      if (sub && sub.hub === hub && sub.topic === topic) {
        if (sub.state === 'active' && (sub.expiresAt ?? 0) > now) return;
        if (sub.state === 'requested' && now - (sub.requestedAt ?? 0) < PENDING_RETRY_MS) return;
        if (sub.state === 'denied' && now - (sub.requestedAt ?? 0) < DENIED_RETRY_MS) return;
        if (sub.state === 'failed' && now - (sub.requestedAt ?? 0) < PENDING_RETRY_MS) return;
        await request(feedId, sub, now);
        return;
      }
      // A new hub or topic is a new subscription: new path token, new secret.
      await request(
        feedId,
        { hub, topic, token: randomBytes(16).toString('hex'), secret: randomBytes(24).toString('hex') },
        now,
      );
    },
    async renewDue(now, isWanted) {
      let renewed = 0;
      for (const feedId of await dueRenewals(redis, keys, now)) {
        await redis.zrem(websubRenewalsKey(keys), feedId);
        const sub = await readSubscription(redis, keys, feedId);
        if (!sub || sub.state !== 'active') continue;
        if (!isWanted(feedId)) {
          await this.unsubscribe(feedId);
          continue;
        }
        await request(feedId, sub, now);
        renewed++;
      }
      return renewed;
    },
    async unsubscribe(feedId) {
      const sub = await readSubscription(redis, keys, feedId);
      if (!sub) return;
      if (sub.state !== 'active' && sub.state !== 'requested') {
        await forgetSubscription(redis, keys, feedId);
        return;
      }
      await writeSubscription(redis, keys, feedId, { state: 'unsubscribing' });
      await redis.zrem(websubRenewalsKey(keys), feedId);
      const answer = await poster({
        hub: sub.hub,
        mode: 'unsubscribe',
        topic: sub.topic,
        callback: sub.callback,
      });
      if (!answer.ok) {
        // The hub will stop on its own when the lease ends; deliveries until then are ignored (unknown feed).
        log.warn({ feedId, reason: answer.reason }, 'websub unsubscribe failed');
        await forgetSubscription(redis, keys, feedId);
      }
    },
    async isActive(feedId, now) {
      const sub = await readSubscription(redis, keys, feedId);
      return sub !== null && sub.state === 'active' && (sub.expiresAt ?? 0) > now;
    },
  };
}
