import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import type { Config } from '../config/load.js';
import type { FeedConfig } from '../config/schema.js';
import { createExtractPool } from '../extract/pool.js';
import { createFeedParsePool } from '../feeds/parse/pool.js';
import { createFetcher, fetcherOptionsFromConfig } from '../fetch/fetcher.js';
import { MustWait, type Fetcher } from '../fetch/types.js';
import { dedupeSettings } from '../dedupe/story.js';
import { createStoryStore, type StoryStore } from '../store/story-store.js';
import { keysFor, QUEUE, type Keys } from '../store/keys.js';
import { createRedis, isClusterTarget, waitReady, type RedisTarget } from '../store/redis.js';
import type { Logger } from '../shared/logger.js';
import { createHistogramRecorder, type HistogramRecorder } from '../metrics/histograms.js';
import { instrumentFetcher } from '../metrics/instrument.js';
import { observeWorker, warnUnlessNoeviction } from '../metrics/worker-hooks.js';
import { pollJob, pollSettingsFrom } from './poll-feed.js';
import { createWebSubHooks } from '../feeds/websub/hooks.js';
import { processArticle } from './process-article.js';
import { startDeadJobSweeper } from './dead-jobs.js';
import { historyFromEnv, type History } from './history.js';
import type { ArticleJobData, ArticleOutcome, PollJobData, PollOutcome } from './queues.js';
import { articleJobId, articleJobOptions, pollJobOptions } from './queues.js';
import { checkArticleJobData, checkPollJobData, invalidJobSubject } from './job-data.js';
import { recordFailure } from '../store/records.js';
import { isOomError, startMemoryGauge, type MemoryGauge } from '../store/memory.js';
import { hashKey } from '../dedupe/url-key.js';

/** Everything a role needs, built once from the frozen config; `close()` releases it in reverse order. */
export interface Runtime {
  config: Config;
  keys: Keys;
  log: Logger;
  /** The Redis every connection of this process opens: one server or a cluster. */
  redisTarget: RedisTarget;
  /** Data connection for store reads and writes (waits out outages). */
  redis: RedisClient;
  /** Producer connection: fails fast when Redis is down. */
  producer: RedisClient;
  fetcher: Fetcher;
  /** Cross-process histograms for /metrics (fetch, extraction and job durations). */
  histograms: HistogramRecorder;
  store: StoryStore;
  pollQueue: Queue<PollJobData, PollOutcome>;
  articleQueue: Queue<ArticleJobData, ArticleOutcome>;
  feedById(id: string): FeedConfig | undefined;
  /** The feeds as last read from feeds.yaml (replaced by the config watcher, see src/feeds/scheduler.ts). */
  feeds(): readonly FeedConfig[];
  setFeeds(feeds: readonly FeedConfig[]): void;
  now: () => number;
  /** The fault suite's operation log (off unless NEWSFLOW_HISTORY_FILE is set). */
  history: History;
  /** This process's memory back-pressure gauge (src/store/memory.ts), started by the first worker that asks. */
  memory(): MemoryGauge;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, redisTarget: RedisTarget, log: Logger): Promise<Runtime> {
  const keys = keysFor(config.service.redis.keyPrefix, { cluster: isClusterTarget(redisTarget) });
  const redis = createRedis(redisTarget, 'worker');
  const producer = createRedis(redisTarget, 'producer');
  await Promise.all([waitReady(redis), waitReady(producer)]);
  await warnUnlessNoeviction(redis, log);
  const histograms = createHistogramRecorder(redis, keys);
  // The fetcher's politeness gate and robots.txt cache live in Redis, shared by every worker process.
  const fetcher = instrumentFetcher(
    createFetcher(fetcherOptionsFromConfig(config.service.fetch), { redis, keys }),
    histograms,
  );
  const queueOpts = {
    connection: producer,
    prefix: keys.bullPrefix,
    // Any job added without options is bounded too, and BullMQ's event stream stays ~10k entries: flat memory.
    defaultJobOptions: {
      removeOnComplete: pollJobOptions.removeOnComplete,
      removeOnFail: pollJobOptions.removeOnFail,
    },
    streams: { events: { maxLen: 10_000 } },
  };
  const pollQueue = new Queue<PollJobData, PollOutcome>(QUEUE.poll, queueOpts);
  const articleQueue = new Queue<ArticleJobData, ArticleOutcome>(QUEUE.extract, queueOpts);
  pollQueue.on('error', err => log.error({ err }, 'poll queue error'));
  articleQueue.on('error', err => log.error({ err }, 'article queue error'));
  const store = createStoryStore(redis, keys, { streamMaxLen: config.service.stream.maxLen });
  let feeds = new Map(config.feeds.map(feed => [feed.id, feed]));
  let gauge: MemoryGauge | undefined;
  const mem = config.service.memory;

  return {
    config,
    keys,
    log,
    redisTarget,
    redis,
    producer,
    fetcher,
    histograms,
    store,
    pollQueue,
    articleQueue,
    feedById: id => feeds.get(id),
    feeds: () => [...feeds.values()],
    setFeeds(next) {
      feeds = new Map(next.map(feed => [feed.id, feed]));
    },
    now: () => Date.now(),
    history: historyFromEnv(),
    memory: () =>
      (gauge ??= startMemoryGauge(
        redis,
        { high: mem.highWatermark, low: mem.lowWatermark, intervalMs: mem.checkInterval },
        log,
      )),
    async close() {
      gauge?.close();
      await pollQueue.close();
      await articleQueue.close();
      await fetcher.close();
      await histograms.flush();
      redis.disconnect();
      producer.disconnect();
    },
  };
}

export function createPollWorker(rt: Runtime, concurrency: number): Worker<PollJobData, PollOutcome> {
  const connection = createRedis(rt.redisTarget, 'worker');
  const websub = createWebSubHooks(rt.redis, rt.keys, rt.config.service, rt.log);
  // Feed documents are untrusted: parsed in threads under a deadline, never on this event loop.
  const p = rt.config.service.poller;
  const parser = createFeedParsePool({
    size: p.parseThreads,
    heapMb: p.parseHeapMb,
    timeoutMs: p.parseTimeout,
  });
  const worker = new Worker<PollJobData, PollOutcome>(
    QUEUE.poll,
    async (job: Job<PollJobData, PollOutcome>, token) => {
      const checked = checkPollJobData(job.data, rt.keys);
      if (!checked.ok) return invalidJob(rt, 'feed', job, checked.reason);
      const data = checked.data;
      const feed = data.feed ?? rt.feedById(data.feedId);
      if (!feed) return { outcome: 'skipped', feedId: data.feedId, reason: 'feed not in config' };
      return deferOnMustWait(job, token, rt, () =>
        pollJob(
          {
            redis: rt.redis,
            keys: rt.keys,
            fetcher: rt.fetcher,
            store: rt.store,
            articleQueue: rt.articleQueue,
            articleAttempts: rt.config.service.extractor.attempts,
            history: rt.history,
            log: rt.log.child({ feedId: feed.id, jobId: job.id }),
            now: rt.now,
            settings: pollSettingsFrom(rt.config.service),
            websub,
            parse: (text, opts) => parser.parse(text, opts),
            parseSitemap: (text, baseUrl) => parser.parseSitemap(text, baseUrl),
          },
          data,
          feed,
        ),
      );
    },
    {
      connection,
      prefix: rt.keys.bullPrefix,
      concurrency,
      lockDuration: rt.config.service.poller.lockDuration,
      stalledInterval: rt.config.service.poller.stalledInterval,
    },
  );
  worker.on('error', err => rt.log.error({ err }, 'poll worker error'));
  observeWorker(worker, rt, 'feed.poll');
  pauseUnderPressure(worker, rt);
  // A connection passed in is shared as far as BullMQ knows: release it once the worker has closed.
  worker.on('closed', () => {
    connection.disconnect();
    parser.close().catch((err: unknown) => rt.log.error({ err }, 'feed parse pool close failed'));
  });
  return worker;
}

export function createArticleWorker(
  rt: Runtime,
  concurrency: number,
): Worker<ArticleJobData, ArticleOutcome> {
  const connection = createRedis(rt.redisTarget, 'worker');
  // Extraction is CPU work: it runs in worker threads (one per core by default), never on this event loop.
  const ex = rt.config.service.extract;
  const pool = createExtractPool({
    size: ex.threads || undefined,
    heapMb: ex.heapMb,
    dom: ex.dom,
    taskTimeoutMs: ex.timeout,
    maxHtmlChars: ex.maxHtmlChars,
    now: rt.now,
  });
  const ext = rt.config.service.extractor;
  const worker = new Worker<ArticleJobData, ArticleOutcome>(
    QUEUE.extract,
    async (job: Job<ArticleJobData, ArticleOutcome>, token, signal) => {
      const jobId = job.id ?? '';
      const checked = checkArticleJobData(job.data);
      if (!checked.ok) return invalidJob(rt, 'article', job, checked.reason);
      const data = checked.data;
      const { urlHash } = data;
      rt.history.record({ ev: 'start', jobId, urlHash, attempt: job.attemptsMade + 1 });
      try {
        const out = await deferOnMustWait(job, token, rt, () =>
          processArticle(
            {
              redis: rt.redis,
              keys: rt.keys,
              fetcher: rt.fetcher,
              store: rt.store,
              log: rt.log.child({ jobId: job.id, feedId: data.feed.id, url: data.url }),
              now: rt.now,
              dedupe: dedupeSettings(rt.config.service.dedupe),
              enqueueArticle: data => enqueueArticle(rt, data),
              histograms: rt.histograms,
              extract: (input, keys, envelope) => pool.extract(input, { keys, envelope }),
            },
            data,
            { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1), signal },
          ),
        );
        rt.history.record({
          ev: 'outcome',
          jobId,
          urlHash,
          outcome: out.outcome,
          articleId: 'articleId' in out ? out.articleId : undefined,
          kind: 'kind' in out ? out.kind : undefined,
          class: 'class' in out ? out.class : undefined,
        });
        return out;
      } catch (err) {
        if (!(err instanceof DelayedError)) {
          rt.history.record({
            ev: 'error',
            jobId,
            urlHash,
            attempt: job.attemptsMade + 1,
            message: (err as Error).message,
          });
        }
        throw err;
      }
    },
    {
      connection,
      prefix: rt.keys.bullPrefix,
      concurrency,
      lockDuration: ext.lockDuration,
      stalledInterval: ext.stalledInterval,
      maxStalledCount: ext.maxStalledCount,
    },
  );
  const sweeper = startDeadJobSweeper(
    {
      redis: rt.redis,
      keys: rt.keys,
      queue: rt.articleQueue,
      log: rt.log,
      history: rt.history,
      now: rt.now,
    },
    Math.max(1_000, ext.stalledInterval),
  );
  // A job failed for good (here, or by another worker's stalled check): record why without waiting.
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(err.message)) return;
    sweeper.sweep().catch((e: unknown) => rt.log.error({ err: e }, 'dead job sweep failed'));
  });
  void sweeper.sweep().catch((e: unknown) => rt.log.error({ err: e }, 'dead job sweep failed'));
  worker.on('error', err => rt.log.error({ err }, 'article worker error'));
  observeWorker(worker, rt);
  pauseUnderPressure(worker, rt);
  worker.on('closed', () => {
    sweeper.stop();
    connection.disconnect();
    pool.close().catch((err: unknown) => rt.log.error({ err }, 'extraction pool close failed'));
  });
  return worker;
}

/**
 * A job whose data failed the check (src/pipeline/job-data.ts): one failure record with the reason, under the
 * job's own once-marker, and a `failed` outcome — no retry (the data will not get better), no other key read.
 */
async function invalidJob(
  rt: Runtime,
  scope: 'feed' | 'article',
  job: Job,
  reason: string,
): Promise<{ outcome: 'failed'; feedId: string; url: string; class: string; reason: string }> {
  const subject = invalidJobSubject(job.data);
  await recordFailure(
    rt.redis,
    rt.keys,
    {
      scope,
      id: scope === 'feed' ? subject.feedId : subject.urlHash,
      url: subject.url,
      class: 'invalid-job',
      reason,
      at: new Date(rt.now()).toISOString(),
      ...(scope === 'article' && subject.feedId ? { feed: subject.feedId } : {}),
    },
    { once: `invalid-job:${hashKey(`${job.queueName}\n${job.id ?? ''}`)}` },
  );
  rt.log.warn({ queue: job.queueName, jobId: job.id, reason }, 'job data refused');
  return { outcome: 'failed', feedId: subject.feedId, url: subject.url, class: 'invalid-job', reason };
}

/**
 * Memory back-pressure (src/store/memory.ts): at the high watermark the worker stops taking jobs — without
 * waiting for the ones running, which finish on their own — and takes them again below the low watermark.
 */
function pauseUnderPressure(worker: Worker, rt: Runtime): void {
  const gauge = rt.memory();
  const apply = (): void => {
    if (gauge.state() === 'high') void worker.pause(true);
    else if (worker.isPaused()) void worker.resume();
  };
  gauge.onChange(apply);
  apply();
}

/**
 * The BullMQ side of politeness and of memory back-pressure: a handler that hit the per-host gate (`MustWait`)
 * is moved back to the delayed set until the gate opens, and one whose write Redis refused for memory (an OOM
 * reply) is moved there for a few seconds, while the workers pause. `DelayedError` tells BullMQ the job was
 * moved on purpose: it is neither failed nor retried, so the wait costs no attempt and records no failure.
 */
export async function deferOnMustWait<T>(
  job: Job,
  token: string | undefined,
  rt: Pick<Runtime, 'memory' | 'config' | 'log'> | null,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!token) throw err;
    if (err instanceof MustWait) {
      await job.moveToDelayed(err.untilMs, token);
      throw new DelayedError();
    }
    if (!rt || !isOomError(err)) throw err;
    void rt.memory().check();
    const delay = Math.max(1_000, 5 * rt.config.service.memory.checkInterval);
    try {
      await job.moveToDelayed(Date.now() + delay, token);
    } catch (moveErr) {
      // Redis refuses the move too: the job stays active until its lock lapses and the stalled check puts it
      // back to wait — still no attempt spent and no failure recorded.
      if (!isOomError(moveErr)) throw moveErr;
    }
    throw new DelayedError();
  }
}

/** Adds one article job; its id is the URL key hash, so a URL already queued or kept is not added twice. */
export async function enqueueArticle(rt: Runtime, data: ArticleJobData): Promise<void> {
  const jobId = articleJobId(data.urlHash);
  await rt.articleQueue.add('article', data, {
    ...articleJobOptions(rt.config.service.extractor.attempts),
    jobId,
  });
  rt.history.record({ ev: 'enqueue', jobId, urlHash: data.urlHash, url: data.url, by: 'original' });
}
