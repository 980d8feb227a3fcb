import type { Queue } from 'bullmq';
import type { FeedConfig } from '../config/schema.js';
import { pollJobOptions, type PollJobData, type PollOutcome } from './queues.js';

export interface SchedulerPlan {
  upsert: { id: string; feedId: string; every: number }[];
  remove: string[];
}

export const schedulerIdFor = (feedId: string): string => `feed-${feedId}`;

/** Pure diff between the feeds in config and the schedulers that exist. */
export function planSchedulers(
  feeds: readonly FeedConfig[],
  existing: { id: string; every?: number | null }[],
  defaultIntervalMs: number,
): SchedulerPlan {
  const wanted = new Map(
    feeds
      .filter(f => f.enabled)
      .map(f => [schedulerIdFor(f.id), { feedId: f.id, every: f.interval ?? defaultIntervalMs }]),
  );
  const have = new Map(existing.map(s => [s.id, s.every ?? null]));
  const upsert = [...wanted]
    .filter(([id, w]) => have.get(id) !== w.every)
    .map(([id, w]) => ({ id, feedId: w.feedId, every: w.every }));
  const remove = [...have.keys()].filter(id => !wanted.has(id));
  return { upsert, remove };
}

/** Applies the plan: one scheduler per enabled feed, nothing else. */
export async function reconcileSchedulers(
  queue: Queue<PollJobData, PollOutcome>,
  feeds: readonly FeedConfig[],
  defaultIntervalMs: number,
): Promise<SchedulerPlan> {
  const existing = await queue.getJobSchedulers(0, -1);
  const plan = planSchedulers(
    feeds,
    existing.map(s => ({ id: s.key, every: s.every ?? null })),
    defaultIntervalMs,
  );
  for (const s of plan.upsert) {
    await queue.upsertJobScheduler(
      s.id,
      { every: s.every },
      {
        name: 'poll',
        data: { feedId: s.feedId },
        opts: {
          removeOnComplete: pollJobOptions.removeOnComplete,
          removeOnFail: pollJobOptions.removeOnFail,
        },
      },
    );
  }
  for (const id of plan.remove) await queue.removeJobScheduler(id);
  return plan;
}
