import type { JobsOptions } from 'bullmq';
import type { FeedConfig } from '../config/schema.js';
import type { FeedItemHints } from '../extract/types.js';

export interface PollJobData {
  feedId: string;
  /** `schedule` (a scheduler tick: polled only when due), `push` (WebSub), else a manual poll (`run --once`). */
  trigger?: 'schedule' | 'push' | 'manual';
  /** The feed as the reconciler saw it in feeds.yaml, so every replica polls the same definition. */
  feed?: FeedConfig;
  /** A WebSub delivery waiting in Redis under this key. */
  pushKey?: string;
}

export interface ArticleJobData {
  url: string;
  urlKey: string;
  urlHash: string;
  feed: { id: string; url: string };
  item: FeedItemHints;
  enqueuedAt: string;
}

export type PollOutcome =
  | {
      outcome: 'ok';
      feedId: string;
      status: number;
      items: number;
      /** Items whose article is already stored. */
      known: number;
      enqueued: string[];
    }
  | { outcome: 'not-modified'; feedId: string }
  | { outcome: 'failed'; feedId: string; class: string; reason: string }
  | { outcome: 'skipped'; feedId: string; reason: string };

/** `enqueued`: job ids of pages this job added (the original a copy credits), so `run --once` waits for them too. */
export type ArticleOutcome =
  | { outcome: 'stored'; articleId: string; url: string; enqueued?: string[] }
  | { outcome: 'duplicate'; articleId: string; url: string; kind: string; enqueued?: string[] }
  | { outcome: 'skipped'; url: string; reason: string }
  | { outcome: 'blocked'; url: string; reason: string }
  | { outcome: 'failed'; url: string; class: string; reason: string };

/** BullMQ job ids may not contain ':' nor be all digits. */
export function articleJobId(urlHash: string): string {
  return `a-${urlHash}`;
}

export function articleJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    // Bounded so Redis memory stays flat; failures are also recorded in the failures stream.
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export const pollJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/**
 * A manual poll of one feed (`run --once`, the console's "poll now"): polled at once whatever its schedule.
 * `tag` makes the job id unique to its caller's run or request.
 */
export function manualPollJob(
  feedId: string,
  tag: string,
): { name: 'poll'; data: PollJobData; opts: JobsOptions } {
  return { name: 'poll', data: { feedId }, opts: { ...pollJobOptions, jobId: `once-${tag}-${feedId}` } };
}
