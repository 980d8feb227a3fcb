/**
 * Worker-thread side of `thread-pool.ts`: answers each `{id, task}` message with the handler's result, or with
 * the error class and message the pool rejects the task with. Messages posted before the listener exists are
 * queued by the port, so a slow start loses nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TaskResponse } from './thread-pool.js';

/** What the pool passed as `workerData` for this thread. */
export function poolWorkerData<T>(fallback: T): T {
  const d = (workerData as { data?: T } | null)?.data;
  return d ?? fallback;
}

export function serveTasks<Task, Result>(
  handle: (task: Task) => Result,
  errorClass: (err: unknown) => string,
): void {
  parentPort?.on('message', (msg: { id: number; task: Task }) => {
    let res: TaskResponse<Result>;
    try {
      res = { id: msg.id, ok: true, result: handle(msg.task) };
    } catch (err) {
      const e = err as Error;
      res = {
        id: msg.id,
        ok: false,
        error: { errorClass: errorClass(err), message: e?.message || String(err) },
      };
    }
    parentPort?.postMessage(res);
  });
}
