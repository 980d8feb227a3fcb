/**
 * End to end and memory: a synthetic site (tests/faults/lib/synthetic-site.ts) with N articles and one feed
 * listing them, one `newsflow start --role poller` and one `--role extractor` on a bench key prefix. The
 * poller's scheduler polls the new feed at once, enqueues N article jobs, and the extractor fetches, extracts,
 * dedupes and stores them, one stream event each.
 *
 * Latency: each article from its enqueue (the poll's history event, NEWSFLOW_HISTORY_FILE) to its stream entry
 * (the entry id's milliseconds, Redis' clock on this machine). CPU: /proc of the extractor process, split into
 * its extraction threads (ids reported by bench/lib/thread-probe.mjs), its main thread and the rest (V8's GC
 * and compiler threads, libuv); cross-checked against the same pages through extractArticle alone.
 * Memory: the extractor's RSS sampled every `sampleEvery` stored pages.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import { serviceSchema } from '../../src/config/schema.js';
import { keysFor, failuresKey } from '../../src/store/keys.js';
import { deleteByPattern } from '../../src/store/redis.js';
import { startSyntheticSite } from '../../tests/faults/lib/synthetic-site.js';
import { processCpu, rssMiB, threadCpu, waitIdle } from '../lib/proc.js';
import { benchService, startRole, writeConfig } from '../lib/roles.js';
import { quantile } from '../lib/stats.js';

export interface PipelineOptions {
  redis: Redis;
  redisUrl: string;
  label: string;
  count: number;
  /** Sample the extractor's RSS every this many stored pages (0: no samples). */
  sampleEvery: number;
  /** Give up when no page is stored for this long. */
  stallMs: number;
  /** Article jobs one extractor runs at once; null: the default (`extractor.concurrency`). */
  concurrency: number | null;
  /** Also run the same pages through extractArticle alone (the subtraction cross-check). */
  extractionOnly: boolean;
  say: (line: string) => void;
}

export interface RssSample {
  pages: number;
  rssMiB: number;
  /** Extraction threads started so far (pool size + replacements). */
  threads: number;
}

export interface PipelineResult {
  count: number;
  /** Article jobs at once per extractor, extraction threads (0 = one per core). */
  concurrency: number;
  threads: number;
  stored: number;
  failures: number;
  complete: boolean;
  wallS: number;
  articlesPerS: number;
  latencyMs: { p50: number; p95: number; max: number; n: number };
  /** Fetch + extract + dedupe + store of one job (history start → outcome), without the queue wait. */
  jobMs: { p50: number; p95: number };
  cpu: {
    extractorProcessS: number;
    extractionThreadsS: number | null;
    mainThreadS: number | null;
    otherThreadsS: number | null;
    /** (process − extraction threads) / process. */
    outsideShare: number | null;
    extractionThreads: number;
    threadsLost: number;
    pollerProcessS: number | null;
    extractionOnly: ExtractionOnly | null;
    /** (process − extractArticle-alone CPU of the same pages, cold) / process. */
    outsideShareBySubtraction: number | null;
  };
  /** The extractor's RSS once idle after start, before the first page. */
  idleRssMiB: number | null;
  rss: RssSample[];
}

interface ExtractionOnly {
  pages: number;
  cold: { wallS: number; processCpuS: number; threadCpuS: number | null; articles: number };
  warm: { wallS: number; processCpuS: number; threadCpuS: number | null; articles: number };
}

interface HistoryLine {
  ev: string;
  jobId: string;
  t: number;
  articleId?: string;
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const site = await startSyntheticSite({ count: o.count });
  const prefix = `newsflow-bench-${process.pid}-${o.label}`;
  const keys = keysFor(prefix);
  const work = mkdtempSync(join(tmpdir(), 'nf-bench-run-'));
  const historyFile = join(work, 'history.jsonl');
  const probeFile = join(work, 'threads.jsonl');
  const port = Number(new URL(site.origin).port);
  const service = benchService({
    redisUrl: o.redisUrl,
    prefix,
    ports: [port],
    ...(o.concurrency ? { extra: { extractor: { concurrency: o.concurrency } } } : {}),
  });
  const settings = serviceSchema.parse(service);
  // One feed per 1 000 articles: a poll keeps at most poller.maxItemsPerPoll (1 000) items of a feed.
  const configDir = writeConfig(
    service,
    site.feedUrls.map((url, k) => ({ id: `bench-${k}`, url })),
  );
  const probe = pathToFileURL(resolve('bench/lib/thread-probe.mjs')).href;
  const extractor = startRole('extractor', configDir, {
    NEWSFLOW_HISTORY_FILE: historyFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${probe}`.trim(),
    BENCH_THREAD_PROBE: probeFile,
  });
  let poller: ReturnType<typeof startRole> | null = null;
  try {
    await extractor.started;
    // Start-up (module loading, the pool threads compiling) is not the work we measure.
    await waitIdle(extractor.pid);
    const probed = (): number[] =>
      existsSync(probeFile)
        ? readFileSync(probeFile, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map(l => (JSON.parse(l) as { tid: number }).tid)
        : [];
    const idleRssMiB = rssMiB(extractor.pid);
    const cpu0 = processCpu(extractor.pid) ?? 0;
    const main0 = threadCpu(extractor.pid, extractor.pid);
    const thr0 = new Map(probed().map(tid => [tid, threadCpu(extractor.pid, tid) ?? 0]));

    poller = startRole('poller', configDir, { NEWSFLOW_HISTORY_FILE: historyFile });
    const t0 = Date.now();
    const rss: RssSample[] = [];
    let nextSample = o.sampleEvery;
    let stored = 0;
    let lastChange = Date.now();
    let lastReport = Date.now();
    let complete = false;
    for (;;) {
      const n = await o.redis.xlen(keys.stream);
      if (n !== stored) lastChange = Date.now();
      stored = n;
      if (o.sampleEvery > 0 && n >= nextSample) {
        rss.push({ pages: n, rssMiB: rssMiB(extractor.pid) ?? NaN, threads: probed().length });
        while (nextSample <= n) nextSample += o.sampleEvery;
      }
      if (n >= o.count) {
        complete = true;
        break;
      }
      if (Date.now() - lastChange > o.stallMs) break;
      if (extractor.child.exitCode !== null || poller.child.exitCode !== null) break;
      if (Date.now() - lastReport > 15_000) {
        o.say(`  … ${n} / ${o.count} stored`);
        lastReport = Date.now();
      }
      await new Promise(r => setTimeout(r, 100));
    }
    const wallS = (Date.now() - t0) / 1000;
    const cpu1 = processCpu(extractor.pid) ?? 0;
    const main1 = threadCpu(extractor.pid, extractor.pid);
    const tids = probed();
    let extraction = 0;
    let lost = 0;
    for (const tid of tids) {
      const end = threadCpu(extractor.pid, tid);
      if (end === null) lost++;
      else extraction += end - (thr0.get(tid) ?? 0);
    }
    const pollerCpu = processCpu(poller.pid);
    if (!complete) {
      o.say(`  incomplete: ${stored} of ${o.count} stored\n${extractor.tail()}\n${poller.tail()}`);
    }
    await Promise.all([poller.stop(), extractor.stop()]);

    const failures = await o.redis.xlen(failuresKey(keys));
    const lat = await latencies(o.redis, keys.stream, historyFile);
    const extractionOnly = o.extractionOnly ? await extractAlone(site.origin, o.count) : null;
    const total = cpu1 - cpu0;
    const threadsOk = tids.length > 0 && lost === 0;
    return {
      count: o.count,
      concurrency: settings.extractor.concurrency,
      threads: settings.extract.threads,
      stored,
      failures,
      complete,
      wallS,
      articlesPerS: lat.spanS > 0 ? lat.n / lat.spanS : 0,
      latencyMs: { p50: lat.p50, p95: lat.p95, max: lat.max, n: lat.n },
      jobMs: lat.job,
      cpu: {
        extractorProcessS: total,
        extractionThreadsS: threadsOk ? extraction : null,
        mainThreadS: main0 !== null && main1 !== null ? main1 - main0 : null,
        otherThreadsS:
          threadsOk && main0 !== null && main1 !== null ? total - extraction - (main1 - main0) : null,
        outsideShare: threadsOk && total > 0 ? (total - extraction) / total : null,
        extractionThreads: tids.length,
        threadsLost: lost,
        pollerProcessS: pollerCpu,
        extractionOnly,
        outsideShareBySubtraction:
          extractionOnly && total > 0 ? (total - extractionOnly.cold.processCpuS) / total : null,
      },
      idleRssMiB,
      rss,
    };
  } finally {
    await poller?.stop(5_000);
    await extractor.stop(5_000);
    await site.close();
    await deleteByPattern(o.redis, `${prefix}:*`);
    rmSync(work, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** Enqueue (history) → stream entry per article, the span from the first enqueue to the last entry. */
async function latencies(
  redis: Redis,
  stream: string,
  historyFile: string,
): Promise<{
  n: number;
  p50: number;
  p95: number;
  max: number;
  spanS: number;
  job: { p50: number; p95: number };
}> {
  const enqueuedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const jobOf = new Map<string, string>();
  const jobMs: number[] = [];
  const text = existsSync(historyFile) ? readFileSync(historyFile, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const h = JSON.parse(line) as HistoryLine;
    if (h.ev === 'enqueue' && !enqueuedAt.has(h.jobId)) enqueuedAt.set(h.jobId, h.t);
    else if (h.ev === 'start') startedAt.set(h.jobId, h.t);
    else if (h.ev === 'outcome') {
      if (h.articleId) jobOf.set(h.articleId, h.jobId);
      const s = startedAt.get(h.jobId);
      if (s !== undefined) jobMs.push(h.t - s);
    }
  }
  const lat: number[] = [];
  let last = 0;
  let cursor = '-';
  for (;;) {
    const batch = (await redis.xrange(stream, cursor, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [id, fields] of batch) {
      const ms = Number(id.split('-')[0]);
      const i = fields.indexOf('articleId');
      const jobId = i >= 0 ? jobOf.get(fields[i + 1] ?? '') : undefined;
      const enq = jobId ? enqueuedAt.get(jobId) : undefined;
      if (enq !== undefined) lat.push(ms - enq);
      last = Math.max(last, ms);
    }
    if (batch.length < 1000) break;
    cursor = `(${batch[batch.length - 1]![0]}`;
  }
  const first = Math.min(...enqueuedAt.values());
  lat.sort((a, b) => a - b);
  jobMs.sort((a, b) => a - b);
  return {
    n: lat.length,
    p50: quantile(lat, 0.5),
    p95: quantile(lat, 0.95),
    max: lat[lat.length - 1] ?? 0,
    spanS: Number.isFinite(first) && last > first ? (last - first) / 1000 : 0,
    job: { p50: quantile(jobMs, 0.5), p95: quantile(jobMs, 0.95) },
  };
}

function extractAlone(origin: string, count: number): Promise<ExtractionOnly | null> {
  return new Promise(done => {
    const child = spawn(process.execPath, ['bench/lib/extract-cpu.mjs', origin, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', d => (out += String(d)));
    child.on('error', () => done(null));
    child.on('close', code => {
      try {
        done(code === 0 ? (JSON.parse(out.trim().split('\n').pop() ?? '') as ExtractionOnly) : null);
      } catch {
        done(null);
      }
    });
  });
}
