import type { Queue } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import type { FeedConfig } from '../config/schema.js';
import type { Keys } from '../store/keys.js';
import { HISTOGRAMS, histogramSamples, type HistogramName } from './histograms.js';
import type { Watermarks } from '../store/memory.js';
import { readDeadLetters, readFeeds, readMemoryView, readQueues, readStats, readStream } from './status.js';

/**
 * The `/metrics` registry. Everything newsflow-specific is read from Redis when Prometheus scrapes — counters
 * from the stats hash, histograms from the histogram hash, depths and lags from BullMQ and the stream — so one
 * API process reports the work of every poller and extractor. Process metrics (CPU, memory, event loop) are the
 * API process' own.
 */
export interface MetricsDeps {
  redis: RedisClient;
  keys: Keys;
  queues: readonly Queue[];
  /** The process's live feed list, read at scrape time. */
  feeds: () => readonly FeedConfig[];
  /** Off in tests that build many registries in one process. */
  processMetrics?: boolean;
  /** Back-pressure watermarks (config `memory`); the defaults when absent. */
  memory?: Watermarks | undefined;
}

interface Sample {
  labels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

type Snapshot = Awaited<ReturnType<typeof takeSnapshot>>;

async function takeSnapshot(deps: MetricsDeps) {
  const [memory, stats, histograms, queues, stream, deadLetters, feeds] = await Promise.all([
    readMemoryView(deps.redis, deps.memory),
    readStats(deps.redis, deps.keys),
    deps.redis.hgetall(deps.keys.metricsHistograms),
    readQueues(deps.queues),
    readStream(deps.redis, deps.keys.stream),
    readDeadLetters(deps.redis, deps.keys.deadLetters),
    readFeeds(deps.redis, deps.keys, deps.feeds()),
  ]);
  return { memory, stats, histograms, queues, stream, deadLetters, feeds };
}

/** Counter samples from stats fields matching `pattern`; its capture groups become the labels. */
export function statsSamples(stats: Record<string, number>, pattern: RegExp, labelNames: string[]): Sample[] {
  const out: Sample[] = [];
  for (const [field, value] of Object.entries(stats).sort(([a], [b]) => a.localeCompare(b))) {
    const m = pattern.exec(field);
    if (!m) continue;
    out.push({ labels: Object.fromEntries(labelNames.map((n, i) => [n, m[i + 1] ?? ''])), value });
  }
  return out;
}

export function createMetricsRegistry(deps: MetricsDeps): Registry {
  const registry = new Registry();
  if (deps.processMetrics !== false) collectDefaultMetrics({ register: registry });

  // One Redis snapshot per scrape, shared by every metric below.
  let current: { at: number; snap: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    if (!current || Date.now() - current.at > 500) current = { at: Date.now(), snap: takeSnapshot(deps) };
    return current.snap;
  };

  const add = (
    name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
    values: (s: Snapshot) => Sample[],
  ): void => {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values(await snapshot()) }),
    };
    registry.registerMetric(metric as unknown as Metric);
  };
  /** A metric with one unlabelled value. */
  const one = (name: string, help: string, type: 'counter' | 'gauge', value: (s: Snapshot) => number): void =>
    add(name, help, type, s => [{ value: value(s) }]);

  add(
    'newsflow_polls_total',
    'Feed polls by result (ok, not-modified = HTTP 304, failed, skipped)',
    'counter',
    s => statsSamples(s.stats, /^feed\.poll\.(.+)$/, ['result']),
  );
  one(
    'newsflow_articles_stored_total',
    'Articles stored (each published one stream event)',
    'counter',
    s => s.stats['article.stored'] ?? 0,
  );
  add('newsflow_duplicates_total', 'Articles recognised as duplicates, by kind', 'counter', s =>
    statsSamples(s.stats, /^(?:article|dedupe)\.duplicate\.(.+)$/, ['kind']).filter(
      // Stats written before originals got their own counter hold them here; they are counted below.
      sample => sample.labels?.kind !== 'original',
    ),
  );
  one(
    'newsflow_originals_joined_total',
    "Originals that arrived after a copy and joined the copy's story (usually becoming its representative)",
    'counter',
    s => (s.stats['article.original-joined'] ?? 0) + (s.stats['article.duplicate.original'] ?? 0),
  );
  add(
    'newsflow_retention_total',
    'Retention: stories removed (result="expired") and archive writes that failed (result="archive_failed")',
    'counter',
    s => statsSamples(s.stats, /^retention\.(expired|archive_failed)$/, ['result']),
  );
  one(
    'newsflow_feed_overflows_total',
    'Feed polls whose items were all new (the feed moved on by more than it lists: items probably missed)',
    'counter',
    s => s.stats['feed.overflow'] ?? 0,
  );
  one(
    'newsflow_feed_overflow_filled_total',
    "Article URLs enqueued from a site's news sitemap to fill a feed's overflow",
    'counter',
    s => s.stats['feed.overflow.filled'] ?? 0,
  );
  add('newsflow_articles_skipped_total', 'Pages skipped as not articles, by reason', 'counter', s =>
    statsSamples(s.stats, /^article\.skipped\.(.+)$/, ['reason']),
  );
  add('newsflow_failures_total', 'Recorded failures by scope (feed, article) and class', 'counter', s =>
    statsSamples(s.stats, /^(\w+)\.failed\.(.+)$/, ['scope', 'class']),
  );
  add('newsflow_queue_jobs', 'BullMQ jobs by queue and state', 'gauge', s =>
    Object.entries(s.queues).flatMap(([queue, counts]) =>
      Object.entries(counts).map(([state, value]) => ({ labels: { queue, state }, value })),
    ),
  );
  add('newsflow_stream_length', 'Entries in the article event stream', 'gauge', s => [
    { labels: { stream: s.stream.key }, value: s.stream.length },
  ]);
  add(
    'newsflow_stream_group_lag',
    'Stream entries a consumer group has not read yet (absent when Redis cannot tell)',
    'gauge',
    s =>
      s.stream.groups
        .filter(g => g.lag !== null)
        .map(g => ({ labels: { group: g.name }, value: g.lag ?? 0 })),
  );
  add(
    'newsflow_stream_group_pending',
    'Entries delivered to a consumer group and not acknowledged',
    'gauge',
    s => s.stream.groups.map(g => ({ labels: { group: g.name }, value: g.pending })),
  );
  add(
    'newsflow_stream_group_oldest_age_seconds',
    'Age of the oldest entry each consumer group still has to handle (pending or unread); alert when it nears retention.stories',
    'gauge',
    s =>
      s.stream.groups
        .filter(g => g.oldestAgeMs !== null)
        .map(g => ({ labels: { group: g.name }, value: (g.oldestAgeMs ?? 0) / 1000 })),
  );
  add('newsflow_stream_group_consumers', 'Consumers known to each consumer group', 'gauge', s =>
    s.stream.groups.map(g => ({ labels: { group: g.name }, value: g.consumers })),
  );
  add(
    'newsflow_dead_letters',
    'Entries in the dead-letter stream by reason (newest 10 000 counted)',
    'gauge',
    s => Object.entries(s.deadLetters.byReason).map(([reason, value]) => ({ labels: { reason }, value })),
  );
  one(
    'newsflow_dead_letter_stream_length',
    'Entries in the dead-letter stream',
    'gauge',
    s => s.deadLetters.total,
  );
  add(
    'newsflow_feeds',
    'Configured feeds by health (ok, backing-off, disabled, never-polled)',
    'gauge',
    s => {
      const by: Record<string, number> = { ok: 0, 'backing-off': 0, disabled: 0, 'never-polled': 0 };
      for (const f of s.feeds) by[f.health] = (by[f.health] ?? 0) + 1;
      return Object.entries(by).map(([health, value]) => ({ labels: { health }, value }));
    },
  );
  one('newsflow_redis_memory_used_bytes', 'Redis used_memory (INFO memory)', 'gauge', s => s.memory.used);
  one(
    'newsflow_redis_memory_max_bytes',
    'Redis maxmemory (0 = no limit, no back-pressure)',
    'gauge',
    s => s.memory.max,
  );
  one(
    'newsflow_redis_memory_ratio',
    'used_memory / maxmemory (0 when there is no limit)',
    'gauge',
    s => s.memory.ratio,
  );
  add(
    'newsflow_memory_backpressure',
    'Memory back-pressure state: 1 for the current one (high = intake paused; between = paused roles stay paused until below the low watermark)',
    'gauge',
    s =>
      (['ok', 'between', 'high', 'unlimited'] as const).map(state => ({
        labels: { state },
        value: s.memory.state === state ? 1 : 0,
      })),
  );
  for (const h of Object.keys(HISTOGRAMS) as HistogramName[]) {
    add(HISTOGRAMS[h].name, HISTOGRAMS[h].help, 'histogram', s => histogramSamples(h, s.histograms));
  }
  return registry;
}
