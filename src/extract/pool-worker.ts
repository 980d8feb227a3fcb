/**
 * Worker-thread side of the extraction pool: runs `extractArticle` for messages from pool.ts. One thread per
 * core; the thread owns its lite-DOM state, so nothing is shared across threads.
 */
import { poolWorkerData, serveTasks } from '../shared/thread-pool-worker.js';
import type { DomKind } from './content/dom/index.js';
import { extractArticle, ExtractInputError } from './extract.js';
import type { ExtractInput, ExtractOutcome } from './types.js';

export interface PoolRequest {
  input: ExtractInput;
  /** Clock for this task (ms since epoch); the worker never reads its own. */
  nowMs: number;
  trace: boolean;
}

export interface PoolResult {
  outcome: ExtractOutcome;
  trace?: [string, string][] | undefined;
}

interface WorkerConfig {
  dom: DomKind;
  maxHtmlChars?: number | undefined;
  without?: string[] | undefined;
}

const config = poolWorkerData<WorkerConfig>({ dom: 'lite' });
const without = config.without?.length ? new Set(config.without) : undefined;

function handle(req: PoolRequest): PoolResult {
  const trace: [string, string][] = [];
  const outcome = extractArticle(req.input, {
    dom: config.dom,
    maxHtmlChars: config.maxHtmlChars,
    without,
    now: () => req.nowMs,
    ...(req.trace ? { trace: (rule: string, text: string) => void trace.push([rule, text]) } : {}),
  });
  return { outcome, ...(req.trace ? { trace } : {}) };
}

serveTasks(handle, err => (err instanceof ExtractInputError ? err.errorClass : 'extract-error'));
