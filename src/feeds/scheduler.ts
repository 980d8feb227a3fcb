import type { Queue } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { FeedConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Keys } from '../store/keys.js';
import { releaseLease, renewLease, takeLease } from '../store/lease.js';
import { FEEDS_FILE } from '../config/load.js';
import { feedsFilePath, parseFeedsText } from './feeds-file.js';
import { disabledFeedsKey, feedKeys, reconcilerLeaseKey } from './keys.js';
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
  redis: Redis;
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
  /** Folder of feeds.yaml; watched unless `watch` is false. */
  configDir: string;
  watch: boolean;
  initialFeeds: readonly FeedConfig[];
  /** Called with every new valid feed list (the runtime swaps its in-memory list). */
  onFeeds(feeds: readonly FeedConfig[]): void;
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
 * The poller role's scheduling loop: lease, reconcile, WebSub renewals, and feeds.yaml watching. A change to the
 * file is applied within a second or so (fs.watch, with the loop re-reading the file as a fallback); an invalid
 * file is logged and the last good list stays in force, so a half-saved edit never removes every scheduler.
 */
export function startFeedScheduler(deps: FeedSchedulerDeps): FeedScheduler {
  const me = randomUUID();
  const leaseKey = reconcilerLeaseKey(deps.keys);
  const file = feedsFilePath(deps.configDir);
  let feeds = deps.initialFeeds;
  let leader = false;
  let lastText: string | null = null;
  let lastBadText: string | null = null;
  let dirty = true;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let watcher: FSWatcher | undefined;

  async function readFileIfChanged(): Promise<void> {
    if (!deps.watch) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return;
    }
    if (text === lastText || text === lastBadText) return;
    try {
      const next = parseFeedsText(text);
      const changed = lastText !== null;
      lastText = text;
      lastBadText = null;
      if (!changed && sameFeeds(next, feeds)) return;
      feeds = next;
      deps.onFeeds(next);
      dirty = true;
      deps.log.info({ feeds: next.length }, `${FEEDS_FILE} reloaded`);
    } catch (err) {
      lastBadText = text;
      deps.log.error(
        { err: (err as Error).message },
        `${FEEDS_FILE} is invalid; keeping the last good feed list`,
      );
    }
  }

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
    await readFileIfChanged();
    if (!(await lead())) return;
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
    dirty = false;
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await once();
        } catch (err) {
          deps.log.error({ err }, 'feed scheduler loop failed');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const timer = setInterval(() => void tick(), deps.loopMs);
  timer.unref();
  if (deps.watch) {
    try {
      // Watch the folder, not the file: editors save by writing a new file and renaming it over the old one.
      watcher = watch(deps.configDir, { persistent: false }, (_event, name) => {
        if (!name || String(name) === FEEDS_FILE) void tick();
      });
      watcher.on('error', () => undefined);
    } catch (err) {
      deps.log.warn(
        { err: (err as Error).message },
        `cannot watch ${deps.configDir}; re-reading ${FEEDS_FILE} every loop`,
      );
    }
  }
  void tick();

  return {
    isLeader: () => leader,
    feeds: () => feeds,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      watcher?.close();
      await running;
      if (leader) await releaseLease(deps.redis, leaseKey, me);
      leader = false;
    },
  };
}

function sameFeeds(a: readonly FeedConfig[], b: readonly FeedConfig[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
