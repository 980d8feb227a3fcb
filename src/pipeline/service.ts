import type { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { startFeedScheduler, type FeedScheduler } from '../feeds/scheduler.js';
import { startLiveFeeds, type LiveFeeds } from '../feeds/live-feeds.js';
import { buildWebSubServer } from '../feeds/websub/server.js';
import { createWebSubManager } from '../feeds/websub/manager.js';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/app.js';
import { trimIntervalMs, trimStreamByAge } from '../consumer/retention.js';
import { startPruner, type Pruner } from './pruner.js';
import { createArticleWorker, createPollWorker, type Runtime } from './runtime.js';
import { manualPollJob, pollJobOptions } from './queues.js';

export type Role = 'poller' | 'extractor' | 'api';
export const ALL_ROLES: readonly Role[] = ['poller', 'extractor', 'api'];

export interface Service {
  roles: readonly Role[];
  /** Address the API listens on, when the api role runs. */
  apiAddress?: string;
  /** Address the WebSub listener listens on, when the api role runs with `websub.callbackUrl` set. */
  websubAddress?: string;
  isReady(): boolean;
  /** Readiness goes 503 at once, workers drain within `graceMs`, then jobs still running are cancelled. */
  shutdown(graceMs: number): Promise<void>;
}

const LEADER_TTL_MS = 30_000;
/** WebSub deliveries past a feed's bounds are replaced by one poll of the feed, this long after the first. */
const PUSH_OVERFLOW_POLL_MS = 60_000;

export async function startService(rt: Runtime, roles: readonly Role[]): Promise<Service> {
  const svc = rt.config.service;
  const workers: Worker[] = [];
  let shuttingDown = false;
  let scheduler: FeedScheduler | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;
  let pruner: Pruner | undefined;

  // The process's one live feed list (src/feeds/live-feeds.ts): what the scheduler reconciles, the poll workers
  // look feeds up in, and /feeds and /metrics show. An api-only process follows feeds.yaml by the same rules.
  let live: LiveFeeds | undefined;
  const liveFeeds = (): LiveFeeds =>
    (live ??= startLiveFeeds({
      configDir: rt.config.dir,
      initial: rt.feeds(),
      log: rt.log,
      watch: svc.poller.watchConfig,
      maxRemoveShare: svc.poller.maxRemoveShare,
      onChange: feeds => {
        rt.setFeeds(feeds);
        void scheduler?.tick();
      },
    }));

  if (roles.includes('poller')) {
    // One reconciler at a time across replicas (a Redis lease): upserting schedulers from every replica races.
    // Every replica watches feeds.yaml, so whichever holds the lease applies an edit within seconds.
    scheduler = startFeedScheduler({
      redis: rt.redis,
      keys: rt.keys,
      queue: rt.pollQueue,
      now: rt.now,
      tickMs: svc.poller.tick,
      jobOptions: {
        removeOnComplete: pollJobOptions.removeOnComplete,
        removeOnFail: pollJobOptions.removeOnFail,
      },
      log: rt.log,
      feeds: liveFeeds(),
      loopMs: Math.min(5_000, Math.max(1_000, Math.floor(svc.poller.tick / 2))),
      leaseMs: LEADER_TTL_MS,
      websub: createWebSubManager(rt.redis, rt.keys, svc, rt.log),
    });
    workers.push(createPollWorker(rt, svc.poller.concurrency));
    const minAge = svc.stream.minAge;
    if (minAge !== null) {
      // Idempotent and cheap, so every poller replica may run it; no lease needed.
      retentionTimer = setInterval(() => {
        trimStreamByAge(rt.redis, rt.keys.stream, minAge, rt.now).catch((err: unknown) =>
          rt.log.error({ err }, 'stream trim failed'),
        );
      }, trimIntervalMs(minAge));
      retentionTimer.unref();
    }
    const keepFor = svc.retention.stories;
    if (keepFor !== null) {
      // One replica at a time (a lease inside); every poller runs the timer so pruning survives any of them.
      pruner = startPruner({
        redis: rt.redis,
        keys: rt.keys,
        retentionMs: keepFor,
        urlTtlMs: svc.retention.urls,
        streamMaxLen: svc.stream.maxLen,
        now: rt.now,
        intervalMs: svc.retention.interval,
        batch: svc.retention.batch,
        archiveDir: svc.retention.archive,
        log: rt.log,
      });
    }
  }
  if (roles.includes('extractor')) workers.push(createArticleWorker(rt, svc.extractor.concurrency));

  let api: FastifyInstance | undefined;
  let websub: FastifyInstance | undefined;
  let websubAddress: string | undefined;
  const isReady = (): boolean => !shuttingDown && workers.every(w => w.isRunning());
  let apiAddress: string | undefined;
  if (roles.includes('api')) {
    const feeds = liveFeeds();
    api = buildApi({
      redis: rt.producer,
      keys: rt.keys,
      feeds: () => feeds.current(),
      queues: [rt.pollQueue, rt.articleQueue],
      adminToken: svc.api.adminToken,
      console: svc.api.console,
      pollNow: async feedId => {
        const job = manualPollJob(feedId, `console-${randomUUID().slice(0, 8)}`);
        await rt.pollQueue.add(job.name, job.data, job.opts);
      },
      isReady,
      store: rt.store,
      log: rt.log,
      memory: { high: svc.memory.highWatermark, low: svc.memory.lowWatermark },
    });
    if (svc.websub.callbackUrl) {
      // WebSub verifications and deliveries, on a listener of their own (src/feeds/websub/server.ts).
      websub = buildWebSubServer({
        redis: rt.producer,
        keys: rt.keys,
        now: rt.now,
        log: rt.log,
        defaultLeaseSeconds: svc.websub.leaseSeconds,
        maxBodyBytes: svc.websub.push.maxBytes,
        limits: {
          perMinute: svc.websub.push.perMinute,
          pendingBytes: svc.websub.push.pendingBytes,
          ttlMs: svc.websub.push.ttl,
        },
        enqueuePush: async (feedId, pushKey) => {
          await rt.pollQueue.add(
            'poll',
            { feedId, trigger: 'push', pushKey },
            {
              ...pollJobOptions,
              jobId: `push-${feedId}-${randomUUID()}`,
              attempts: 5,
              backoff: { type: 'exponential', delay: 2_000 },
            },
          );
        },
        enqueuePoll: async feedId => {
          // At most one poll a minute per feed however many deliveries overflow (BullMQ throttles the
          // duplicates); it runs a minute later, so it reads every delivery the minute dropped.
          await rt.pollQueue.add(
            'poll',
            { feedId, trigger: 'manual' },
            {
              ...pollJobOptions,
              delay: PUSH_OVERFLOW_POLL_MS,
              deduplication: { id: `websub-poll-${feedId}`, ttl: PUSH_OVERFLOW_POLL_MS },
            },
          );
        },
      });
      websubAddress = await websub.listen({ host: svc.websub.listen.host, port: svc.websub.listen.port });
      rt.log.info({ address: websubAddress }, 'websub listening');
    }
    apiAddress = await api.listen({ host: svc.api.host, port: svc.api.port });
    rt.log.info({ address: apiAddress }, 'api listening');
  }

  return {
    roles,
    ...(apiAddress ? { apiAddress } : {}),
    ...(websubAddress ? { websubAddress } : {}),
    isReady,
    async shutdown(graceMs) {
      shuttingDown = true;
      await scheduler?.stop();
      live?.close();
      if (retentionTimer) clearInterval(retentionTimer);
      await pruner?.stop();
      const drained = Promise.all(workers.map(w => w.close()));
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>(r => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) {
        rt.log.warn({ graceMs }, 'grace period over: cancelling running jobs');
        for (const w of workers) w.cancelAllJobs('shutdown');
        await Promise.all(workers.map(w => w.close(true)));
      }
      await websub?.close();
      await api?.close();
    },
  };
}
