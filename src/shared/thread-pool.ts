/**
 * Untrusted work off the main event loop: a pool of worker threads, one per core by default, each with its own
 * heap limit and a deadline per task. A task that blows the heap limit or overruns its deadline costs its own
 * task and its thread (which is replaced), never the process, the event loop or other tasks; BullMQ lock
 * renewal, health checks and HTTP keep running on the main thread. Extraction (`extract/pool.ts`) and feed
 * parsing (`feeds/parse/pool.ts`) are the two users: each names its worker module and wraps the results.
 *
 * Protocol: the pool posts `{id, task}`; the worker (`serveTasks` in `thread-pool-worker.ts`) answers
 * `{id, ok: true, result}` or `{id, ok: false, error: {errorClass, message}}`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface ThreadPoolOptions {
  /** For messages: `extraction`, `feed parse`. */
  name: string;
  /**
   * The worker module, as the compiled `.js` URL next to the caller (`new URL('./pool-worker.js',
   * import.meta.url)`). From TypeScript sources (vitest, scripts) the `.ts` beside it is loaded through vite.
   */
  entry: URL;
  workerData?: unknown;
  /** Threads; default: one per core (os.availableParallelism()). */
  size?: number | undefined;
  /** Old-generation heap limit per thread, MB. */
  heapMb: number;
  /** A task running longer than this kills its thread and fails with class `timeout`. */
  taskTimeoutMs: number;
  /** Threads are replaced after this many tasks, so fragmentation and caches cannot grow without bound. */
  maxTasksPerWorker: number;
  /** The error a failed task rejects with (callers keep their own error class). */
  error: (errorClass: string, message: string) => Error;
}

export interface ThreadPool<Task, Result> {
  readonly size: number;
  run(task: Task): Promise<Result>;
  /** Waits for running tasks, then stops every thread. Queued tasks are rejected. */
  close(): Promise<void>;
}

export type TaskResponse<Result> =
  | { id: number; ok: true; result: Result }
  | { id: number; ok: false; error: { errorClass: string; message: string } };

interface Queued<Task, Result> {
  id: number;
  task: Task;
  resolve: (r: Result) => void;
  reject: (e: Error) => void;
}

interface Slot<Task, Result> {
  worker: Worker;
  task: Queued<Task, Result> | null;
  timer: NodeJS.Timeout | null;
  done: number;
  /** Set once the thread is being replaced: its exit must not be reported as a crash. */
  retired: boolean;
}

/** The worker entry: compiled JS when built, the TypeScript source through vite otherwise. */
function workerEntry(entry: URL): { url: URL; devEntry?: string } {
  if (existsSync(fileURLToPath(entry))) return { url: entry };
  const ts = fileURLToPath(entry).replace(/\.js$/, '.ts');
  return { url: new URL('./thread-pool-dev.mjs', import.meta.url), devEntry: ts };
}

export function createThreadPool<Task, Result>(opts: ThreadPoolOptions): ThreadPool<Task, Result> {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const { heapMb, taskTimeoutMs: timeoutMs, maxTasksPerWorker: maxTasks, name } = opts;
  const entry = workerEntry(opts.entry);
  const queue: Queued<Task, Result>[] = [];
  const slots: Slot<Task, Result>[] = [];
  let nextId = 1;
  let closing = false;

  const spawn = (): Slot<Task, Result> => {
    const worker = new Worker(entry.url, {
      workerData: entry.devEntry
        ? { devEntry: entry.devEntry, data: opts.workerData }
        : { data: opts.workerData },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    const slot: Slot<Task, Result> = { worker, task: null, timer: null, done: 0, retired: false };
    worker.on('message', (res: TaskResponse<Result>) => finish(slot, res));
    worker.on('error', err => fail(slot, crashError(err)));
    worker.on('exit', code => {
      if (!slot.retired) fail(slot, opts.error('worker-crashed', `${name} thread exited (${code})`));
    });
    // An idle pool must not keep a finished CLI alive.
    worker.unref();
    return slot;
  };

  const crashError = (err: Error): Error => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return opts.error('out-of-memory', `${name} ran out of its heap limit`);
    }
    return opts.error('worker-crashed', err.message);
  };

  // A thread that dies before finishing anything (a broken install, a heap limit too small to even load)
  // is respawned with growing delays, never in a tight loop.
  let failedStarts = 0;
  const replace = (slot: Slot<Task, Result>): void => {
    slot.retired = true;
    void slot.worker.terminate();
    const i = slots.indexOf(slot);
    if (i < 0) return;
    if (closing) {
      slots.splice(i, 1);
      return;
    }
    failedStarts = slot.done === 0 ? failedStarts + 1 : 0;
    if (failedStarts <= 1) {
      slots[i] = spawn();
      return;
    }
    const delay = Math.min(10_000, 100 * 2 ** Math.min(failedStarts, 7));
    const pending = setTimeout(() => {
      const j = slots.indexOf(slot);
      if (j >= 0 && !closing) {
        slots[j] = spawn();
        pump();
      }
    }, delay);
    pending.unref();
  };

  const settle = (slot: Slot<Task, Result>): Queued<Task, Result> | null => {
    const task = slot.task;
    slot.task = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    return task;
  };

  const finish = (slot: Slot<Task, Result>, res: TaskResponse<Result>): void => {
    const task = settle(slot);
    if (!task || task.id !== res.id) return;
    slot.done++;
    if (res.ok) task.resolve(res.result);
    else task.reject(opts.error(res.error.errorClass, res.error.message));
    if (slot.done >= maxTasks) replace(slot);
    pump();
  };

  const fail = (slot: Slot<Task, Result>, err: Error): void => {
    const task = settle(slot);
    if (slot.retired) return;
    task?.reject(err);
    replace(slot);
    pump();
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (!queue.length) return;
      if (slot.task || slot.retired) continue;
      const task = queue.shift() as Queued<Task, Result>;
      slot.task = task;
      slot.worker.ref();
      slot.timer = setTimeout(
        () => fail(slot, opts.error('timeout', `${name} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      slot.worker.postMessage({ id: task.id, task: task.task });
    }
    for (const slot of slots) if (!slot.task) slot.worker.unref();
  };

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    size,
    run(task) {
      if (closing) return Promise.reject(opts.error('closed', `${name} pool is closed`));
      return new Promise<Result>((resolve, reject) => {
        queue.push({ id: nextId++, task, resolve, reject });
        pump();
      });
    },
    async close() {
      closing = true;
      for (const t of queue.splice(0)) t.reject(opts.error('closed', `${name} pool closed`));
      const busy = slots.filter(s => s.task);
      await Promise.all(
        busy.map(
          s =>
            new Promise<void>(done => {
              const check = setInterval(() => {
                if (!s.task) {
                  clearInterval(check);
                  done();
                }
              }, 10);
            }),
        ),
      );
      await Promise.all(
        slots.splice(0).map(s => {
          s.retired = true;
          return s.worker.terminate();
        }),
      );
    },
  };
}
