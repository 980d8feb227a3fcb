/**
 * Worker-thread side of the extraction pool: runs `extractArticle` for messages from pool.ts. One thread per
 * core; the thread owns its DOMPurify window and lite-DOM state, so nothing is shared across threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DomKind } from './content/dom/index.js';
import { extractArticle, ExtractInputError } from './extract.js';
import type { ExtractInput, ExtractOutcome } from './types.js';

export interface PoolRequest {
  id: number;
  input: ExtractInput;
  /** Clock for this task (ms since epoch); the worker never reads its own. */
  nowMs: number;
  trace: boolean;
}

export type PoolResponse =
  | { id: number; ok: true; outcome: ExtractOutcome; trace?: [string, string][] }
  | { id: number; ok: false; error: { name: string; errorClass: string; message: string } };

interface WorkerConfig {
  dom: DomKind;
  maxHtmlChars?: number | undefined;
}

const config = (workerData ?? { dom: 'lite' }) as WorkerConfig;

function handle(req: PoolRequest): PoolResponse {
  const trace: [string, string][] = [];
  try {
    const outcome = extractArticle(req.input, {
      dom: config.dom,
      maxHtmlChars: config.maxHtmlChars,
      now: () => req.nowMs,
      ...(req.trace ? { trace: (rule: string, text: string) => void trace.push([rule, text]) } : {}),
    });
    return { id: req.id, ok: true, outcome, ...(req.trace ? { trace } : {}) };
  } catch (err) {
    const e = err as Error;
    return {
      id: req.id,
      ok: false,
      error: {
        name: e.name || 'Error',
        errorClass: err instanceof ExtractInputError ? err.errorClass : 'extract-error',
        message: e.message || String(err),
      },
    };
  }
}

// Messages posted before this listener exists are queued by the port, so a slow start loses nothing.
parentPort?.on('message', (req: PoolRequest) => parentPort?.postMessage(handle(req)));
