/**
 * Extraction off the main event loop: a pool of worker threads, one per core by default, each with its own
 * heap limit. A page that blows the limit or hangs costs its own job and its thread (which is replaced), never
 * the process, the event loop or other jobs; BullMQ lock renewal and HTTP keep running on the main thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DomKind } from './content/dom/index.js';
import type { PoolRequest, PoolResponse } from './pool-worker.js';
import type { ExtractInput, ExtractOutcome } from './types.js';

export interface ExtractPoolOptions {
  /** Threads; default: one per core (os.availableParallelism()). */
  size?: number | undefined;
  /** Old-generation heap limit per thread, MB. */
  heapMb?: number | undefined;
  dom?: DomKind | undefined;
  /** Pages longer than this many characters are refused (class `too-large`). */
  maxHtmlChars?: number | undefined;
  /** A task running longer than this kills its thread and fails with class `timeout`. */
  taskTimeoutMs?: number | undefined;
  /** Threads are replaced after this many tasks, so fragmentation and caches cannot grow without bound. */
  maxTasksPerWorker?: number | undefined;
  now?: (() => number) | undefined;
}

export interface PoolExtractResult {
  outcome: ExtractOutcome;
  /** Boilerplate removals (rule, text), when asked for. */
  trace?: [string, string][] | undefined;
}

/** An extraction that ended without an outcome; `errorClass` is what gets recorded. */
export class ExtractTaskError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExtractTaskError';
  }
}

export interface ExtractPool {
  readonly size: number;
  extract(input: ExtractInput, opts?: { trace?: boolean }): Promise<PoolExtractResult>;
  /** Waits for running tasks, then stops every thread. Queued tasks are rejected. */
  close(): Promise<void>;
}

export const DEFAULT_HEAP_MB = 512;
export const DEFAULT_TASK_TIMEOUT_MS = 60_000;
// A backstop against slow growth in third-party code, not a leak fix: a replaced thread re-compiles and
// re-grows its heap, and its old pages stay with the process (bench memory: replacing every 500 tasks raised
// RSS; every 2 000 held it no lower than every 20 000).
export const DEFAULT_MAX_TASKS_PER_WORKER = 20_000;

interface Task {
  req: PoolRequest;
  resolve: (r: PoolExtractResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
  done: number;
  /** Set once the thread is being replaced: its exit must not be reported as a crash. */
  retired: boolean;
}

/** The worker entry: compiled JS when built, the TypeScript source through vite otherwise. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const built = new URL('./pool-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { url: built, execArgv: [] };
  return { url: new URL('./pool-worker-dev.mjs', import.meta.url), execArgv: [] };
}

export function createExtractPool(opts: ExtractPoolOptions = {}): ExtractPool {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const heapMb = opts.heapMb ?? DEFAULT_HEAP_MB;
  const timeoutMs = opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const maxTasks = opts.maxTasksPerWorker ?? DEFAULT_MAX_TASKS_PER_WORKER;
  const now = opts.now ?? Date.now;
  const entry = workerEntry();
  const queue: Task[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closing = false;

  const spawn = (): Slot => {
    const worker = new Worker(entry.url, {
      workerData: { dom: opts.dom ?? 'lite', maxHtmlChars: opts.maxHtmlChars },
      execArgv: entry.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    const slot: Slot = { worker, task: null, timer: null, done: 0, retired: false };
    worker.on('message', (res: PoolResponse) => finish(slot, res));
    worker.on('error', err => fail(slot, crashError(err)));
    worker.on('exit', code => {
      if (!slot.retired) {
        fail(slot, new ExtractTaskError('worker-crashed', `extraction thread exited (${code})`));
      }
    });
    // An idle pool must not keep a finished CLI alive.
    worker.unref();
    return slot;
  };

  // A thread that dies before finishing anything (a broken install, a heap limit too small to even load)
  // is respawned with growing delays, never in a tight loop.
  let failedStarts = 0;
  const replace = (slot: Slot): void => {
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

  const settle = (slot: Slot): Task | null => {
    const task = slot.task;
    slot.task = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    return task;
  };

  const finish = (slot: Slot, res: PoolResponse): void => {
    const task = settle(slot);
    if (!task || task.req.id !== res.id) return;
    slot.done++;
    if (res.ok) task.resolve({ outcome: res.outcome, trace: res.trace });
    else task.reject(new ExtractTaskError(res.error.errorClass, res.error.message));
    if (slot.done >= maxTasks) replace(slot);
    pump();
  };

  const fail = (slot: Slot, err: ExtractTaskError): void => {
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
      const task = queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.timer = setTimeout(
        () => fail(slot, new ExtractTaskError('timeout', `extraction took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      slot.worker.postMessage(task.req);
    }
    for (const slot of slots) if (!slot.task) slot.worker.unref();
  };

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    size,
    extract(input, o = {}) {
      if (closing) return Promise.reject(new ExtractTaskError('closed', 'extraction pool is closed'));
      return new Promise<PoolExtractResult>((resolve, reject) => {
        queue.push({ req: { id: nextId++, input, nowMs: now(), trace: !!o.trace }, resolve, reject });
        pump();
      });
    },
    async close() {
      closing = true;
      for (const t of queue.splice(0)) t.reject(new ExtractTaskError('closed', 'extraction pool closed'));
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

function crashError(err: Error): ExtractTaskError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new ExtractTaskError('out-of-memory', 'extraction ran out of its heap limit');
  }
  return new ExtractTaskError('worker-crashed', err.message);
}
