import type { Queue } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis.js';
import type { FeedConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import { type Keys, disabledFeedsKey, feedKeys, reconcilerLeaseKey } from '../store/keys.js';
import { releaseLease, renewLease, takeLease } from '../store/lease.js';
import { serialRunner } from '../shared/serial.js';
import type { LiveFeeds } from './live-feeds.js';
import type { WebSubManager } from './websub/manager.js';

/**
 * One BullMQ job scheduler per enabled feed (`feed-<id>`), reconciled from feeds.yaml by a single reconciler:
 * the plan is a diff against `getJobSchedulers()`, so schedulers of deleted or disabled feeds go and nothing is
 * upserted twice. Every poller replica watches feeds.yaml and competes for a Redis lease; only the holder
 * reconciles (BullMQ upserts from several replicas at once race: bullmq#3085, #3262).
 *
 * A scheduler is the feed's tick, not its interval: every `tick` (or the feed's own shorter interval) it queues a
 * poll job that asks the feed's state whether it is due. The real schedule (adaptive interval, cache headers,
 * backoff, jitter, WebSub's daily safety poll) lives in the state hash, so it changes after every poll without
 * touching BullMQ. The job carries the feed's definition, so every replica polls what the reconciler saw.
 */
export const SCHEDULER_PREFIX = 'feed-';
export const schedulerIdFor = (feedId: string): string => `${SCHEDULER_PREFIX}${feedId}`;

export interface ScheduledPollData {
  feedId: string;
  trigger: 'schedule';
  feed: FeedConfig;
  /** Hash of `feed`: a changed definition is re-upserted. */
  cfg: string;
}

export interface DesiredScheduler {
  id: string;
  feedId: string;
  every: number;
  data: ScheduledPollData;
}

export interface ExistingScheduler {
  id: string;
  every: number | null;
  cfg: string | null;
}

export interface SchedulerPlan {
  upsert: DesiredScheduler[];
  remove: string[];
}

export function feedConfigHash(feed: FeedConfig): string {
  return createHash('sha256').update(JSON.stringify(feed)).digest('hex').slice(0, 16);
}

/** How often a feed's scheduler wakes: the tick, or the feed's own interval when that is shorter. */
export function tickFor(feed: FeedConfig, tickMs: number): number {
  return Math.max(1_000, Math.min(tickMs, feed.interval && feed.interval > 0 ? feed.interval : tickMs));
}

/** Pure diff: what to upsert and what to remove so there is exactly one scheduler per wanted feed. */
export function planSchedulers(
  feeds: readonly FeedConfig[],
  existing: readonly ExistingScheduler[],
  opts: { tickMs: number; disabled?: ReadonlySet<string> },
): SchedulerPlan {
  const wanted = new Map<string, DesiredScheduler>();
  for (const feed of feeds) {
    if (!feed.enabled || opts.disabled?.has(feed.id)) continue;
    const id = schedulerIdFor(feed.id);
    const cfg = feedConfigHash(feed);
    wanted.set(id, {
      id,
      feedId: feed.id,
      every: tickFor(feed, opts.tickMs),
      data: { feedId: feed.id, trigger: 'schedule', feed, cfg },
    });
  }
  const have = new Map(existing.filter(s => s.id.startsWith(SCHEDULER_PREFIX)).map(s => [s.id, s]));
  const upsert = [...wanted.values()].filter(w => {
    const h = have.get(w.id);
    return !h || h.every !== w.every || h.cfg !== w.data.cfg;
  });
  const remove = [...have.keys()].filter(id => !wanted.has(id));
  return { upsert, remove };
}

export interface ReconcileDeps {
  redis: RedisClient;
  keys: Keys;
  queue: Queue;
  now: () => number;
  tickMs: number;
  jobOptions?: { removeOnComplete?: unknown; removeOnFail?: unknown };
}

/** Reads the schedulers and the disabled feeds, applies the plan. Call it from the lease holder only. */
export async function reconcileSchedulers(
  deps: ReconcileDeps,
  feeds: readonly FeedConfig[],
): Promise<SchedulerPlan> {
  const existing = (await deps.queue.getJobSchedulers(0, -1)).map(s => ({
    id: s.key,
    every: s.every ?? null,
    cfg: cfgOf(s.template?.data),
  }));
  const disabled = new Set(await deps.redis.smembers(disabledFeedsKey(deps.keys)));
  for (const feed of feeds) {
    if (!disabled.has(feed.id)) continue;
    // Pointing a disabled feed at another URL in feeds.yaml gives it a fresh start.
    const stateKey = feedKeys(deps.keys, feed.id).state;
    const configUrl = await deps.redis.hget(stateKey, 'configUrl');
    if (configUrl && configUrl !== feed.url) {
      await deps.redis.hdel(stateKey, 'disabled', 'disabledReason', 'disabledAt');
      await deps.redis.srem(disabledFeedsKey(deps.keys), feed.id);
      disabled.delete(feed.id);
    }
  }
  const plan = planSchedulers(feeds, existing, { tickMs: deps.tickMs, disabled });
  const now = deps.now();
  const isNew = new Set(plan.upsert.filter(u => !existing.some(e => e.id === u.id)).map(u => u.id));
  for (const s of plan.upsert) {
    // New schedulers of feeds never polled fire at once; the rest start at a per-feed offset within the tick,
    // so thousands of feeds do not all wake in the same second.
    const neverPolled =
      isNew.has(s.id) && !(await deps.redis.hexists(feedKeys(deps.keys, s.feedId).state, 'lastPolledAt'));
    const startDate = neverPolled ? now : now + spread(s.feedId, s.every);
    await deps.queue.upsertJobScheduler(
      s.id,
      { every: s.every, startDate },
      { name: 'poll', data: s.data, opts: (deps.jobOptions ?? {}) as Record<string, never> },
    );
  }
  for (const id of plan.remove) await deps.queue.removeJobScheduler(id);
  return plan;
}

function cfgOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const cfg = (data as { cfg?: unknown }).cfg;
  return typeof cfg === 'string' ? cfg : null;
}

function spread(feedId: string, every: number): number {
  return createHash('sha256').update(feedId).digest().readUInt32BE(0) % every;
}

export interface FeedSchedulerDeps extends ReconcileDeps {
  log: Logger;
  /** The process's live feed list (src/feeds/live-feeds.ts); call `tick()` when it changes. */
  feeds: LiveFeeds;
  /** How often the loop runs: lease renewal, reconcile, WebSub renewals, feeds.yaml check. */
  loopMs: number;
  /** Lease TTL; a replica that dies is replaced after at most this long. */
  leaseMs: number;
  websub?: WebSubManager | undefined;
}

export interface FeedScheduler {
  isLeader(): boolean;
  feeds(): readonly FeedConfig[];
  /** Runs one loop iteration now (tests, and after a feeds.yaml change). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The poller role's scheduling loop: lease, reconcile, WebSub renewals. The feed list is the live one
 * (src/feeds/live-feeds.ts: debounced, settled, validated, mass removals confirmed); the loop also asks it to
 * re-read feeds.yaml, a fallback where fs.watch misses an event.
 */
export function startFeedScheduler(deps: FeedSchedulerDeps): FeedScheduler {
  const me = randomUUID();
  const leaseKey = reconcilerLeaseKey(deps.keys);
  let reconciled: readonly FeedConfig[] | null = null;
  let leader = false;
  let dirty = true;
  let stopped = false;

  async function lead(): Promise<boolean> {
    if (leader) {
      leader = await renewLease(deps.redis, leaseKey, me, deps.leaseMs);
      if (!leader) deps.log.warn('reconciler lease lost');
    }
    if (!leader) {
      leader = await takeLease(deps.redis, leaseKey, me, deps.leaseMs);
      if (leader) {
        dirty = true;
        deps.log.info('reconciler lease acquired');
      }
    }
    return leader;
  }

  async function once(): Promise<void> {
    deps.feeds.check();
    if (!(await lead())) return;
    const feeds = deps.feeds.current();
    if (feeds !== reconciled) dirty = true;
    // The disabled set changes when polls disable feeds: reconcile every loop, it is one diff.
    const plan = await reconcileSchedulers(deps, feeds);
    if (plan.upsert.length > 0 || plan.remove.length > 0 || dirty) {
      deps.log.info(
        { upserted: plan.upsert.length, removed: plan.remove.length, feeds: feeds.length },
        'feed schedulers reconciled',
      );
    }
    if (deps.websub) {
      const wanted = new Set(feeds.filter(f => f.enabled).map(f => f.id));
      for (const id of plan.remove) {
        const feedId = id.slice(SCHEDULER_PREFIX.length);
        if (!wanted.has(feedId)) await deps.websub.unsubscribe(feedId);
      }
      await deps.websub.renewDue(deps.now(), id => wanted.has(id));
    }
    reconciled = feeds;
    dirty = false;
  }

  const loop = serialRunner(
    once,
    err => deps.log.error({ err }, 'feed scheduler loop failed'),
    () => stopped,
  );
  const tick = (): Promise<void> => loop.poke();

  const timer = setInterval(() => void tick(), deps.loopMs);
  timer.unref();
  void tick();

  return {
    isLeader: () => leader,
    feeds: () => deps.feeds.current(),
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await loop.current();
      if (leader) await releaseLease(deps.redis, leaseKey, me);
      leader = false;
    },
  };
}
