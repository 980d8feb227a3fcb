import type { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/app.js';
import { trimIntervalMs, trimStreamByAge } from '../consumer/retention.js';
import { createArticleWorker, createPollWorker, type Runtime } from './runtime.js';
import { reconcileSchedulers } from './schedule.js';

export type Role = 'poller' | 'extractor' | 'api';
export const ALL_ROLES: readonly Role[] = ['poller', 'extractor', 'api'];

export interface Service {
  roles: readonly Role[];
  /** Address the API listens on, when the api role runs. */
  apiAddress?: string;
  isReady(): boolean;
  /** Readiness goes 503 at once, workers drain within `graceMs`, then jobs still running are cancelled. */
  shutdown(graceMs: number): Promise<void>;
}

const LEADER_TTL_MS = 30_000;

export async function startService(rt: Runtime, roles: readonly Role[]): Promise<Service> {
  const svc = rt.config.service;
  const workers: Worker[] = [];
  let shuttingDown = false;
  let leaderTimer: NodeJS.Timeout | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;

  if (roles.includes('poller')) {
    // One reconciler at a time across replicas: upserting schedulers from every replica at boot races.
    const leaderKey = `${rt.keys.prefix}:reconciler`;
    const me = randomUUID();
    const tryLead = async (): Promise<void> => {
      const got = await rt.redis.set(leaderKey, me, 'PX', LEADER_TTL_MS, 'NX');
      const mine = got === 'OK' || (await rt.redis.get(leaderKey)) === me;
      if (!mine) return;
      await rt.redis.pexpire(leaderKey, LEADER_TTL_MS);
      const plan = await reconcileSchedulers(rt.pollQueue, rt.config.feeds, svc.poller.defaultInterval);
      if (plan.upsert.length || plan.remove.length) {
        rt.log.info(
          { upserted: plan.upsert.length, removed: plan.remove.length },
          'feed schedulers reconciled',
        );
      }
    };
    await tryLead();
    leaderTimer = setInterval(() => {
      tryLead().catch((err: unknown) => rt.log.error({ err }, 'reconcile failed'));
    }, LEADER_TTL_MS / 3);
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
  }
  if (roles.includes('extractor')) workers.push(createArticleWorker(rt, svc.extractor.concurrency));

  let api: FastifyInstance | undefined;
  const isReady = (): boolean => !shuttingDown && workers.every(w => w.isRunning());
  let apiAddress: string | undefined;
  if (roles.includes('api')) {
    api = buildApi({
      redis: rt.producer,
      keys: rt.keys,
      feeds: rt.config.feeds,
      queues: [rt.pollQueue, rt.articleQueue],
      adminToken: svc.api.adminToken,
      isReady,
      store: rt.store,
    });
    apiAddress = await api.listen({ host: svc.api.host, port: svc.api.port });
    rt.log.info({ address: apiAddress }, 'api listening');
  }

  return {
    roles,
    ...(apiAddress ? { apiAddress } : {}),
    isReady,
    async shutdown(graceMs) {
      shuttingDown = true;
      if (leaderTimer) clearInterval(leaderTimer);
      if (retentionTimer) clearInterval(retentionTimer);
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
      await api?.close();
    },
  };
}
