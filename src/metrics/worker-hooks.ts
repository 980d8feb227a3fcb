import type { Job, Worker } from 'bullmq';
import { primaries, type RedisClient } from '../store/redis.js';
import type { Keys } from '../store/keys.js';
import { countOutcome } from '../store/records.js';
import type { Logger } from '../shared/logger.js';
import type { HistogramRecorder } from './histograms.js';

export interface WorkerHookDeps {
  redis: RedisClient;
  keys: Keys;
  histograms: HistogramRecorder;
  log: Logger;
}

/**
 * Operational hooks the runtime attaches to its workers: job durations for /metrics, one log line per failed
 * attempt with the job's context (queue, job id, feed id, url, attempt), and — for the queues named in
 * `countAs` — a per-outcome counter in the stats hash (`feed.poll.ok`, `feed.poll.not-modified`, …).
 */
export function observeWorker(worker: Worker, deps: WorkerHookDeps, countAs?: string): void {
  const queue = worker.name;
  const count = (result: string): void => {
    if (countAs) countOutcome(deps.redis, deps.keys, `${countAs}.${result}`).catch(() => undefined);
  };
  worker.on('completed', (job: Job, value: unknown) => {
    const outcome = (value as { outcome?: unknown } | undefined)?.outcome;
    const result = typeof outcome === 'string' ? outcome : 'done';
    deps.histograms.observe('job', { queue, result }, durationSeconds(job));
    count(result);
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (!job) return;
    deps.histograms.observe('job', { queue, result: 'error' }, durationSeconds(job));
    count('error');
    deps.log.warn({ ...jobContext(queue, job), err: err.message }, 'job attempt failed');
  });
}

/** The fields every log line about one job carries. */
export function jobContext(queue: string, job: Job): Record<string, unknown> {
  const data = (job.data ?? {}) as { feedId?: unknown; feed?: { id?: unknown }; url?: unknown };
  return {
    queue,
    jobId: job.id,
    attempt: job.attemptsMade + 1,
    ...(typeof data.feedId === 'string' ? { feedId: data.feedId } : {}),
    ...(typeof data.feed?.id === 'string' ? { feedId: data.feed.id } : {}),
    ...(typeof data.url === 'string' ? { url: data.url } : {}),
  };
}

function durationSeconds(job: Job): number {
  return job.processedOn && job.finishedOn ? Math.max(0, job.finishedOn - job.processedOn) / 1000 : 0;
}

/**
 * BullMQ's production guide: with any eviction policy Redis may drop queue keys under memory pressure and jobs
 * vanish. Managed Redis services often forbid CONFIG, so read the policy from INFO.
 */
export async function warnUnlessNoeviction(redis: RedisClient, log: Logger): Promise<string | null> {
  try {
    // Every primary of a cluster: one evicting node loses the queue or story keys of its slots.
    const policies = await Promise.all(
      primaries(redis).map(
        async node => /^maxmemory_policy:(\S+)/m.exec(await node.info('memory'))?.[1] ?? null,
      ),
    );
    const policy = policies.find(p => p && p !== 'noeviction') ?? policies[0] ?? null;
    if (policy && policy !== 'noeviction') {
      log.warn(
        { maxmemoryPolicy: policy },
        `Redis maxmemory-policy is "${policy}": set it to "noeviction" (CONFIG SET maxmemory-policy noeviction), ` +
          'or Redis may evict queue and story keys under memory pressure',
      );
    }
    return policy;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not read Redis maxmemory-policy');
    return null;
  }
}
