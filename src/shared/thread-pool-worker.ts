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
  handle: (task: Task) => Result | Promise<Result>,
  errorClass: (err: unknown) => string,
): void {
  const failure = (id: number, err: unknown): TaskResponse<Result> => {
    const e = err as Error;
    return { id, ok: false, error: { errorClass: errorClass(err), message: e?.message || String(err) } };
  };
  parentPort?.on('message', (msg: { id: number; task: Task }) => {
    let out: Result | Promise<Result>;
    try {
      out = handle(msg.task);
    } catch (err) {
      parentPort?.postMessage(failure(msg.id, err));
      return;
    }
    // Synchronous handlers answer in the same turn; asynchronous ones when they settle.
    if (out instanceof Promise) {
      out.then(
        result => parentPort?.postMessage({ id: msg.id, ok: true, result } satisfies TaskResponse<Result>),
        (err: unknown) => parentPort?.postMessage(failure(msg.id, err)),
      );
      return;
    }
    parentPort?.postMessage({ id: msg.id, ok: true, result: out } satisfies TaskResponse<Result>);
  });
}
