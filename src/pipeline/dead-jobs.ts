import { Job, type Queue } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import { bullQueueKey, deadJobCursorKey, type Keys } from '../store/keys.js';
import { recordFailure } from '../store/records.js';
import { runScript } from '../store/scripts.js';
import type { Logger } from '../shared/logger.js';
import type { History } from './history.js';
import type { ArticleJobData, ArticleOutcome } from './queues.js';

/**
 * Jobs BullMQ failed for good — every attempt threw, or the job stalled more often than `maxStalledCount`
 * (its workers kept dying) — never reached the handler's own `fail()`, so nothing recorded why. The sweeper
 * turns each into one failure record (class `stalled` or `error`, BullMQ's reason), so every enqueued URL
 * ends stored or recorded. BullMQ scores its failed set by finish time: a cursor in Redis makes each sweep
 * one range read, and the once-marker of `recordFailure` makes overlapping sweeps from several replicas
 * (and a crash mid-sweep) record each job once.
 */
export interface DeadJobSweeper {
  /** Records what failed since the last sweep; returns how many records it wrote. */
  sweep(): Promise<number>;
  stop(): void;
}

export interface DeadJobDeps {
  redis: RedisClient;
  keys: Keys;
  queue: Queue<ArticleJobData, ArticleOutcome>;
  log: Logger;
  history: History;
  now: () => number;
}

/** How far behind the cursor each sweep looks again: jobs finished within the same millisecond, clock skew. */
const OVERLAP_MS = 60_000;
const BATCH = 500;

export function startDeadJobSweeper(deps: DeadJobDeps, intervalMs: number): DeadJobSweeper {
  const failedSet = bullQueueKey(deps.keys, deps.queue.name, 'failed');
  const cursorKey = deadJobCursorKey(deps.keys);
  let running: Promise<number> | null = null;

  async function sweepOnce(): Promise<number> {
    const cursor = Number((await deps.redis.get(cursorKey)) ?? 0);
    let from = Math.max(0, cursor - OVERLAP_MS);
    let written = 0;
    for (;;) {
      const page = await deps.redis.zrangebyscore(failedSet, from, '+inf', 'WITHSCORES', 'LIMIT', 0, BATCH);
      if (page.length === 0) break;
      let last = from;
      for (let i = 0; i < page.length; i += 2) {
        const id = page[i] as string;
        last = Number(page[i + 1]);
        const job = await Job.fromId<ArticleJobData, ArticleOutcome>(deps.queue, id);
        if (job && (await recordDeadJob(deps, job))) written++;
      }
      // Advance the shared cursor monotonically (another replica may be further on).
      await runScript(deps.redis, 'cursor-advance-1', [cursorKey], [String(last)]);
      if (page.length < BATCH * 2 || last === from) break;
      from = last;
    }
    return written;
  }

  const sweep = (): Promise<number> => {
    running ??= sweepOnce().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => deps.log.error({ err }, 'dead job sweep failed'));
  }, intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}

async function recordDeadJob(deps: DeadJobDeps, job: Job<ArticleJobData, ArticleOutcome>): Promise<boolean> {
  const data = job.data;
  if (!data?.urlHash) return false;
  const reason = job.failedReason || 'failed without a reason';
  const recorded = await recordFailure(
    deps.redis,
    deps.keys,
    {
      scope: 'article',
      id: data.urlHash,
      url: data.url,
      class: /stalled/i.test(reason) ? 'stalled' : 'error',
      reason,
      at: new Date(job.finishedOn ?? deps.now()).toISOString(),
      feed: data.feed?.id,
    },
    { once: `article:${data.urlHash}` },
  );
  if (recorded) {
    deps.history.record({ ev: 'dead', jobId: job.id ?? '', urlHash: data.urlHash, reason, recorded });
    deps.log.warn({ url: data.url, jobId: job.id, reason }, 'article job failed for good: recorded');
  }
  return recorded;
}
