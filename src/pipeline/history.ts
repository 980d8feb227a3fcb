import { appendFileSync } from 'node:fs';

/**
 * An operation history for the fault suite (tests/faults): every enqueue, job start, outcome and final
 * failure as one JSON line, appended by each process to the same file. Off unless `NEWSFLOW_HISTORY_FILE` is
 * set. Lines are written with one synchronous O_APPEND write each, so lines from processes sharing the file
 * never interleave, and a line written before a SIGKILL is on disk.
 */
export type HistoryEvent =
  | { ev: 'enqueue'; jobId: string; urlHash: string; url: string; by: 'poll' | 'original' | 'backfill' }
  | { ev: 'start'; jobId: string; urlHash: string; attempt: number }
  /** A handler's return value: stored, duplicate (`kind`: same-url publishes nothing), skipped, blocked, failed. */
  | {
      ev: 'outcome';
      jobId: string;
      urlHash: string;
      outcome: string;
      articleId?: string | undefined;
      kind?: string | undefined;
      class?: string | undefined;
    }
  /** An attempt threw (BullMQ retries it, or fails the job on the last attempt). */
  | { ev: 'error'; jobId: string; urlHash: string; attempt: number; message: string }
  /** A job BullMQ failed for good (attempts spent, or stalled too often), recorded as a failure. */
  | { ev: 'dead'; jobId: string; urlHash: string; reason: string; recorded: boolean };

export interface History {
  readonly enabled: boolean;
  record(event: HistoryEvent): void;
}

export const NO_HISTORY: History = { enabled: false, record: () => undefined };

export function historyFromEnv(env: NodeJS.ProcessEnv = process.env): History {
  const file = env.NEWSFLOW_HISTORY_FILE;
  return file ? fileHistory(file) : NO_HISTORY;
}

export function fileHistory(file: string): History {
  return {
    enabled: true,
    record(event) {
      appendFileSync(file, `${JSON.stringify({ ...event, t: Date.now(), pid: process.pid })}\n`);
    },
  };
}
