/**
 * Extraction off the main event loop: a pool of worker threads, one per core by default, each with its own
 * heap limit. A page that blows the limit or hangs costs its own job and its thread (which is replaced), never
 * the process, the event loop or other jobs; BullMQ lock renewal and HTTP keep running on the main thread.
 * The thread mechanics are `shared/thread-pool.ts` (feed parsing uses them too).
 */
import { SERVICE_DEFAULTS } from '../config/schema.js';
import { createThreadPool } from '../shared/thread-pool.js';
import type { DomKind } from './content/dom/index.js';
import type { ArticleEnvelope } from '../dedupe/article.js';
import type { ContentKeys, KeySettings } from '../dedupe/fingerprint.js';
import type { PoolRequest, PoolResult } from './pool-worker.js';
import type { ExtractInput, ExtractOutcome } from './types.js';

export interface ExtractPoolOptions {
  /** Threads; default: one per core (os.availableParallelism()). */
  size?: number | undefined;
  /** Old-generation heap limit per thread, MB. */
  heapMb?: number | undefined;
  dom?: DomKind | undefined;
  /** Extraction steps left out (ExtractOptions.without). */
  without?: readonly string[] | undefined;
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
  /** The article's content keys, when asked for (`keys`) and the page is an article. */
  keys?: ContentKeys | undefined;
  /** The article's stored body (store/body.ts), when asked for (`envelope`) and the page is an article. */
  body?: Buffer | undefined;
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
  extract(
    input: ExtractInput,
    opts?: { trace?: boolean; keys?: KeySettings; envelope?: ArticleEnvelope },
  ): Promise<PoolExtractResult>;
  /** Waits for running tasks, then stops every thread. Queued tasks are rejected. */
  close(): Promise<void>;
}

export const DEFAULT_HEAP_MB = SERVICE_DEFAULTS.extract.heapMb;
export const DEFAULT_TASK_TIMEOUT_MS = SERVICE_DEFAULTS.extract.timeout;
// A backstop against slow growth in third-party code, not a leak fix: a replaced thread re-compiles and
// re-grows its heap, and its old pages stay with the process (bench memory: replacing every 500 tasks raised
// RSS; every 2 000 held it no lower than every 20 000).
export const DEFAULT_MAX_TASKS_PER_WORKER = 20_000;

/** Extraction tasks on the shared worker-thread pool (`shared/thread-pool.ts`). */
export function createExtractPool(opts: ExtractPoolOptions = {}): ExtractPool {
  const now = opts.now ?? Date.now;
  const pool = createThreadPool<PoolRequest, PoolResult>({
    name: 'extraction',
    entry: new URL('./pool-worker.js', import.meta.url),
    workerData: { dom: opts.dom ?? 'lite', maxHtmlChars: opts.maxHtmlChars, without: opts.without ?? [] },
    size: opts.size,
    heapMb: opts.heapMb ?? DEFAULT_HEAP_MB,
    taskTimeoutMs: opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS,
    maxTasksPerWorker: opts.maxTasksPerWorker ?? DEFAULT_MAX_TASKS_PER_WORKER,
    error: (errorClass, message) => new ExtractTaskError(errorClass, message),
  });
  return {
    size: pool.size,
    extract: async (input, o = {}) => {
      const { body, ...rest } = await pool.run({
        input,
        nowMs: now(),
        trace: !!o.trace,
        keys: o.keys,
        envelope: o.envelope,
      });
      // ioredis sends a Buffer as bytes but any other typed array as its String() — give it back its class.
      return body ? { ...rest, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) } : rest;
    },
    close: () => pool.close(),
  };
}
