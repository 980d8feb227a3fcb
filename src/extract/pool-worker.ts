/**
 * Worker-thread side of the extraction pool: runs `extractArticle` for messages from pool.ts. One thread per
 * core; the thread owns its lite-DOM state, so nothing is shared across threads.
 */
import { normalizeArticle, type ArticleEnvelope } from '../dedupe/article.js';
import { contentKeys, type ContentKeys, type KeySettings } from '../dedupe/fingerprint.js';
import { encodeBody } from '../store/body.js';
import { poolWorkerData, serveTasks } from '../shared/thread-pool-worker.js';
import type { DomKind } from './content/dom/index.js';
import { extractArticle, ExtractInputError } from './extract.js';
import type { ExtractInput, ExtractOutcome } from './types.js';

export interface PoolRequest {
  input: ExtractInput;
  /** Clock for this task (ms since epoch); the worker never reads its own. */
  nowMs: number;
  trace: boolean;
  /** Also compute the article's content keys (normalization, paragraph hashes, MinHash) here, off the event loop. */
  keys?: KeySettings | undefined;
  /** Also encode the stored body (store/body.ts: block text, JSON, deflate) of the article with this envelope. */
  envelope?: ArticleEnvelope | undefined;
}

export interface PoolResult {
  outcome: ExtractOutcome;
  trace?: [string, string][] | undefined;
  keys?: ContentKeys | undefined;
  /** The stored body's bytes (arrives as a Uint8Array: structured clone drops the Buffer class). */
  body?: Uint8Array | undefined;
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
  const article = outcome.kind === 'article' ? outcome.article : undefined;
  const keys = req.keys && article ? contentKeys(article.contentText, req.keys) : undefined;
  const body = req.envelope && article ? encodeBody(normalizeArticle(article, req.envelope)) : undefined;
  return { outcome, ...(req.trace ? { trace } : {}), ...(keys ? { keys } : {}), ...(body ? { body } : {}) };
}

serveTasks(handle, err => (err instanceof ExtractInputError ? err.errorClass : 'extract-error'));
