import type { Job, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { ResourceBudgetError } from '../shared/errors.js';
import { formatBytes, isOomError, readMemory, type MemoryGauge } from '../store/memory.js';
import { manualPollJob, type ArticleOutcome, type PollOutcome } from './queues.js';
import { createArticleWorker, createPollWorker, type Runtime } from './runtime.js';

/** What `newsflow run --once` prints (one JSON object): counts of this run's jobs only. */
export interface RunSummary {
  /** Feeds polled, whatever the result; of those, the ones that failed and the ones answering 304. */
  feedsPolled: number;
  feedsFailed: number;
  feedsNotModified: number;
  /** Items the polled feeds listed, and of those the ones whose article was stored before this run. */
  itemsSeen: number;
  itemsKnown: number;
  /** Articles this run stored that founded a story, and those that joined one (stored as members, no body). */
  articlesStored: number;
  duplicates: number;
  /** Pages not stored because they are not articles, by reason; recorded failures by `scope:class`. */
  skipped: Record<string, number>;
  failures: Record<string, number>;
  /** The ids of the articles that founded a story, in completion order. */
  storedIds: string[];
}

/** `newsflow: Redis memory budget reached (used X of Y): …` — exit status 3 (src/cli/exit.ts). */
export function memoryBudgetError(used: number, max: number): ResourceBudgetError {
  return new ResourceBudgetError(
    `Redis memory budget reached (used ${formatBytes(used)} of ${formatBytes(max)}): ` +
      'raise maxmemory or shorten retention.stories',
  );
}

/**
 * Memory back-pressure for a run that must end: once the high watermark paused the workers, the run waits
 * `graceMs` for memory to fall below the low watermark (another process pruning); if it does not, the run
 * cannot go on and ends with a ResourceBudgetError. Jobs not done stay queued: nothing is recorded as failed.
 */
function budgetGuard(gauge: MemoryGauge, graceMs: number): () => void {
  let highSince: number | null = null;
  return () => {
    if (gauge.state() !== 'high') {
      highSince = null;
      return;
    }
    highSince ??= Date.now();
    const f = gauge.figures();
    if (f && Date.now() - highSince >= graceMs) throw memoryBudgetError(f.used, f.max);
  };
}

/**
 * Polls every enabled feed once and processes until every job this run created has finished.
 * Waits on its own jobs only, so a service running against the same Redis does not keep it waiting.
 * Throws ResourceBudgetError when Redis memory reaches the high watermark and stays there (see budgetGuard).
 */
export async function runOnce(rt: Runtime, opts: { pollIntervalMs?: number } = {}): Promise<RunSummary> {
  try {
    return await runOnceInner(rt, opts);
  } catch (err) {
    if (!isOomError(err)) throw err;
    // A write of the run itself (adding its jobs) refused: the same budget, said the same way.
    const f = await readMemory(rt.redis);
    throw memoryBudgetError(f.used, f.max);
  } finally {
    // The run's durations are in /metrics when it returns, not a second later.
    await rt.histograms.flush();
  }
}

async function runOnceInner(rt: Runtime, opts: { pollIntervalMs?: number }): Promise<RunSummary> {
  const svc = rt.config.service;
  const guard = budgetGuard(rt.memory(), Math.max(3_000, 3 * svc.memory.checkInterval));
  const pollWorker = createPollWorker(rt, svc.poller.concurrency);
  const articleWorker = createArticleWorker(rt, svc.extractor.concurrency);
  const summary: RunSummary = {
    feedsPolled: 0,
    feedsFailed: 0,
    feedsNotModified: 0,
    itemsSeen: 0,
    itemsKnown: 0,
    articlesStored: 0,
    duplicates: 0,
    skipped: {},
    failures: {},
    storedIds: [],
  };
  try {
    const runId = randomUUID().slice(0, 8);
    const feeds = rt.config.feeds.filter(f => f.enabled);
    const pollJobs = await rt.pollQueue.addBulk(feeds.map(f => manualPollJob(f.id, runId)));
    const interval = opts.pollIntervalMs ?? 100;
    const articleIds = new Set<string>();
    for (const { value, failedReason } of await waitAll(rt.pollQueue, ids(pollJobs), interval, guard)) {
      const r = value as PollOutcome | undefined;
      if (!r) {
        summary.feedsFailed++;
        bump(summary.failures, `feed:${failedReason ?? 'unknown'}`);
        continue;
      }
      switch (r.outcome) {
        case 'ok':
          summary.feedsPolled++;
          summary.itemsSeen += r.items;
          summary.itemsKnown += r.known;
          r.enqueued.forEach(id => articleIds.add(id));
          break;
        case 'not-modified':
          summary.feedsPolled++;
          summary.feedsNotModified++;
          break;
        case 'failed':
          summary.feedsFailed++;
          bump(summary.failures, `feed:${r.class}`);
          break;
        case 'skipped':
          break;
      }
    }
    // Articles can enqueue more articles (the original a copy credits): wait for those too, wave by wave.
    const waited = new Set<string>();
    let wave = [...articleIds];
    while (wave.length > 0) {
      wave.forEach(id => waited.add(id));
      const next: string[] = [];
      for (const { value, failedReason } of await waitAll(rt.articleQueue, wave, interval, guard)) {
        const r = value as ArticleOutcome | undefined;
        if (!r) {
          bump(summary.failures, `article:${failedReason?.split(':')[0] ?? 'unknown'}`);
          continue;
        }
        if ((r.outcome === 'stored' || r.outcome === 'duplicate') && r.enqueued) {
          next.push(...r.enqueued.filter(id => !waited.has(id)));
        }
        switch (r.outcome) {
          case 'stored':
            summary.articlesStored++;
            summary.storedIds.push(r.articleId);
            break;
          case 'duplicate':
            summary.duplicates++;
            break;
          case 'skipped':
            bump(summary.skipped, r.reason);
            break;
          case 'blocked':
          case 'failed':
            bump(summary.failures, `article:${r.outcome === 'failed' ? r.class : 'blocked'}`);
            break;
        }
      }
      wave = [...new Set(next)];
    }
    return summary;
  } finally {
    await Promise.all([pollWorker.close(), articleWorker.close()]);
  }
}

function ids(jobs: Job[]): string[] {
  return jobs.map(j => j.id).filter((id): id is string => typeof id === 'string');
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

interface Finished {
  id: string;
  value: unknown;
  failedReason?: string | undefined;
}

/**
 * Waits until every job is completed or failed (retries and politeness delays included); `guard` throws to
 * stop waiting (the memory budget).
 */
async function waitAll(
  queue: Queue,
  jobIds: string[],
  intervalMs: number,
  guard: () => void,
): Promise<Finished[]> {
  const pending = new Set(jobIds);
  const done: Finished[] = [];
  while (pending.size > 0) {
    guard();
    const batch = [...pending].slice(0, 500);
    const states = await Promise.all(batch.map(id => queue.getJobState(id)));
    const finished = batch.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
    const jobs = await Promise.all(finished.map(id => queue.getJob(id)));
    finished.forEach((id, i) => {
      const job = jobs[i];
      pending.delete(id);
      done.push({
        id,
        value: job && states[batch.indexOf(id)] === 'completed' ? (job.returnvalue as unknown) : undefined,
        failedReason: job?.failedReason ?? 'removed before it was read',
      });
    });
    // A job removed (unknown) cannot finish anymore: count it as lost rather than waiting forever.
    batch.forEach((id, i) => {
      if (states[i] === 'unknown') {
        pending.delete(id);
        done.push({ id, value: undefined, failedReason: 'job disappeared' });
      }
    });
    if (pending.size > 0) await new Promise(r => setTimeout(r, intervalMs));
  }
  return done;
}
