import type { RedisClient } from '../store/redis.js';
import type { Keys } from '../store/keys.js';

/**
 * Histograms shared by every process. Pollers and extractors run in other processes (containers) than the API
 * that Prometheus scrapes, so an in-process prom-client histogram would only ever show the API's own work.
 * Each observation increments one bucket, the count and the sum in one Redis hash (batched, below); `/metrics`
 * reads the hash at scrape time and renders it in Prometheus' histogram layout.
 */
export interface HistogramDef {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Upper bounds in seconds, ascending; `+Inf` is implied. */
  buckets: readonly number[];
}

export const HISTOGRAMS = {
  fetch: {
    name: 'newsflow_fetch_duration_seconds',
    help: 'Duration of HTTP fetches of feeds and pages by kind and result (ok, not-modified or the failure class)',
    labelNames: ['kind', 'result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
  },
  extraction: {
    name: 'newsflow_extraction_duration_seconds',
    help: 'Duration of content extraction (Readability, metadata, sanitizing) of one page, by outcome',
    labelNames: ['result'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  job: {
    name: 'newsflow_job_duration_seconds',
    help: 'Duration of pipeline jobs by queue and outcome',
    labelNames: ['queue', 'result'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  },
} as const satisfies Record<string, HistogramDef>;

export type HistogramName = keyof typeof HISTOGRAMS;

/** Index of the first bucket whose upper bound holds the value; `buckets.length` means +Inf. */
export function bucketIndex(buckets: readonly number[], seconds: number): number {
  const i = buckets.findIndex(b => seconds <= b);
  return i === -1 ? buckets.length : i;
}

/** Hash field for one series part. Label values are JSON-encoded so any value round-trips. */
export function histogramField(
  metric: HistogramName,
  labelValues: readonly string[],
  part: 'sum' | 'count' | number,
): string {
  return JSON.stringify([metric, labelValues, part]);
}

export interface HistogramRecorder {
  /** Never throws and never waits on the caller's path: metrics must not fail a job. */
  observe(metric: HistogramName, labels: Record<string, string>, seconds: number): void;
  /** Writes what was observed and not written yet, in one MULTI; never throws. */
  flush(): Promise<void>;
}

/** How long observations wait in the process before one MULTI writes them all. */
export const HISTOGRAM_FLUSH_MS = 1_000;

/**
 * Observations are summed in the process and written once a second: one MULTI per observation (three fields)
 * was ~9 % of the extractor's event-loop CPU in the e2e profile — three observations per article, each a
 * socket write. A process that dies loses at most its last second of durations (counters of outcomes are
 * written by the pipeline itself, not here). `Runtime.close()` flushes.
 */
export function createHistogramRecorder(
  redis: RedisClient,
  keys: Keys,
  opts: { flushMs?: number } = {},
): HistogramRecorder {
  const flushMs = opts.flushMs ?? HISTOGRAM_FLUSH_MS;
  let counts = new Map<string, number>();
  let sums = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  const add = (into: Map<string, number>, field: string, n: number): void => {
    into.set(field, (into.get(field) ?? 0) + n);
  };
  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (counts.size === 0 && sums.size === 0) return;
    const [c, s] = [counts, sums];
    counts = new Map();
    sums = new Map();
    const m = redis.multi();
    for (const [field, n] of c) m.hincrby(keys.metricsHistograms, field, n);
    for (const [field, x] of s) m.hincrbyfloat(keys.metricsHistograms, field, x);
    await m.exec().catch(() => undefined);
  };
  return {
    observe(metric, labels, seconds) {
      const def: HistogramDef = HISTOGRAMS[metric];
      const values = def.labelNames.map(n => labels[n] ?? '');
      const value = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
      add(counts, histogramField(metric, values, bucketIndex(def.buckets, value)), 1);
      add(counts, histogramField(metric, values, 'count'), 1);
      add(sums, histogramField(metric, values, 'sum'), value);
      if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        // A pending write must not keep a finished CLI alive; close() flushes.
        timer.unref();
      }
    },
    flush,
  };
}

/** One series as prom-client's MetricValue: cumulative `le` buckets, `_sum` and `_count`. */
export interface HistogramSample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Turns the hash's raw fields into Prometheus histogram samples for one metric. */
export function histogramSamples(metric: HistogramName, raw: Record<string, string>): HistogramSample[] {
  const def: HistogramDef = HISTOGRAMS[metric];
  const series = new Map<string, { labels: string[]; buckets: number[]; sum: number; count: number }>();
  for (const [field, v] of Object.entries(raw)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(field);
    } catch {
      continue;
    }
    if (!Array.isArray(parsed) || parsed[0] !== metric || !Array.isArray(parsed[1])) continue;
    const labels = (parsed[1] as unknown[]).map(String);
    const id = JSON.stringify(labels);
    let s = series.get(id);
    if (!s) {
      s = { labels, buckets: new Array<number>(def.buckets.length + 1).fill(0), sum: 0, count: 0 };
      series.set(id, s);
    }
    const part = parsed[2] as unknown;
    if (part === 'sum') s.sum = Number(v);
    else if (part === 'count') s.count = Number(v);
    else if (typeof part === 'number' && part >= 0 && part <= def.buckets.length) s.buckets[part] = Number(v);
  }
  const out: HistogramSample[] = [];
  for (const s of [...series.values()].sort((a, b) => a.labels.join().localeCompare(b.labels.join()))) {
    const labels = Object.fromEntries(def.labelNames.map((n, i) => [n, s.labels[i] ?? '']));
    let cumulative = 0;
    def.buckets.forEach((le, i) => {
      cumulative += s.buckets[i]!;
      out.push({ metricName: `${def.name}_bucket`, labels: { ...labels, le }, value: cumulative });
    });
    out.push({ metricName: `${def.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: s.count });
    out.push({ metricName: `${def.name}_sum`, labels, value: s.sum });
    out.push({ metricName: `${def.name}_count`, labels, value: s.count });
  }
  return out;
}
