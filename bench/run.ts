/**
 * `npm run bench [-- --quick] [--only extraction,e2e,polling,memory,dedupe] [--corpus DIR] [--pollers N]
 *  [--concurrency N] [--out FILE]`
 *
 * One run of every performance figure of docs/PERFORMANCE.md on this machine, printed as one table and written to
 * bench/results.json with the machine (node, cores, CPU model, load average at start and end of the run and of
 * each section). Figures are per-core rates (pages per CPU-second) or ratios to a baseline measured in the same
 * run, because the machine is shared and absolute wall-clock rates move with its load.
 *
 * Sections: extraction (bench/extract/run.mjs on a corpus; skipped when absent), shipped (`newsflow extract`
 * as users run it, whole process on one core, against the same contenders: bench/extract/shipped.mjs), end to end (a synthetic site's
 * N articles through real poller and extractor processes), polling (10 000 feeds answering 304), memory (an
 * extractor's RSS over 10 000 pages), dedupe + store (bench/dedupe-store.ts). `--quick`: small sizes, for
 * development. Redis: REDIS_URL, else 127.0.0.1:6379; every key is under a bench prefix, deleted afterwards.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { DEFAULT_MAX_TASKS_PER_WORKER } from '../src/extract/pool.js';
import { createRedis, deleteByPattern, waitReady } from '../src/store/redis.js';
import { describeMachine, load, type Machine } from './lib/machine.js';
import { hasProc } from './lib/proc.js';
import { quantile } from './lib/stats.js';
import { runDedupe, type DedupeResult } from './sections/dedupe.js';
import { runExtraction, type ExtractionResult } from './sections/extraction.js';
import { runPipeline, type PipelineResult, type RssSample } from './sections/pipeline.js';
import { runPolling, type PollingResult } from './sections/polling.js';
import { runShipped, type ShippedResult } from './sections/shipped.js';

const SECTIONS = ['extraction', 'shipped', 'e2e', 'polling', 'memory', 'dedupe'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  only: Set<Section>;
  corpus: string;
  pollers: number;
  concurrency: number | null;
  out: string;
}

interface Sizes {
  extract: { rounds: number; passes: number; limit: number };
  shipped: { repeatTo: number; rounds: number };
  e2e: number;
  feeds: number;
  memory: { pages: number; sampleEvery: number };
  dedupe: number;
}

const FULL: Sizes = {
  extract: { rounds: 2, passes: 1, limit: 0 },
  shipped: { repeatTo: 900, rounds: 2 },
  e2e: 1_000,
  feeds: 10_000,
  memory: { pages: 10_000, sampleEvery: 250 },
  dedupe: 10_000,
};

const QUICK: Sizes = {
  extract: { rounds: 1, passes: 1, limit: 12 },
  shipped: { repeatTo: 400, rounds: 1 },
  e2e: 100,
  feeds: 300,
  memory: { pages: 500, sampleEvery: 50 },
  dedupe: 500,
};

export interface MemoryResult {
  pages: number;
  warmupPages: number;
  /** RSS once the process was idle after start, before the first page. */
  idleMiB: number | null;
  warmupMiB: number;
  minMiB: number;
  maxMiB: number;
  lastMiB: number;
  /** (last − warm-up) / warm-up. */
  driftPct: number;
  /** Largest distance of any sample after warm-up from the warm-up value, in % of it. */
  bandPct: number;
  withinTenPct: boolean;
  /**
   * RSS growth while no thread is replaced: median over consecutive samples with the same threads, MiB per
   * 1 000 pages (0 when memory is flat; a steady slope that drops at each replacement is held by the threads).
   */
  growthMiBPer1000: number | null;
  poolThreads: number;
  threadsReplaced: number;
  maxTasksPerWorker: number;
  samples: RssSample[];
  run: Omit<PipelineResult, 'rss'>;
}

interface SectionRecord<T> {
  load: { start: [number, number, number]; end: [number, number, number] };
  seconds: number;
  result?: T;
  error?: string;
}

type Row = [section: string, figure: string, value: string, target: string];

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false,
    only: new Set(SECTIONS),
    corpus: resolve('../shared/corpora/aeb-dev'),
    pollers: 0,
    concurrency: null,
    out: resolve('bench/results.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`bench: ${k} needs a value`);
      return next;
    };
    if (k === '--quick') o.quick = true;
    else if (k === '--only') {
      const names = v().split(',');
      for (const n of names) {
        if (!(SECTIONS as readonly string[]).includes(n)) throw new Error(`bench: unknown section ${n}`);
      }
      o.only = new Set(names as Section[]);
    } else if (k === '--corpus') o.corpus = resolve(v());
    else if (k === '--pollers') o.pollers = Number(v());
    else if (k === '--concurrency') o.concurrency = Number(v());
    else if (k === '--out') o.out = resolve(v());
    else throw new Error(`bench: unknown option ${k}`);
  }
  return o;
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  const sizes = opts.quick ? QUICK : FULL;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(redisUrl, 'worker');
  try {
    await waitReady(redis);
  } catch {
    redis.disconnect();
    process.stderr.write(`npm run bench needs a Redis: none answers at ${redisUrl} (set REDIS_URL)\n`);
    return 2;
  }
  const onSignal = (): void => {
    // Keys of this run only (every section's prefix starts with the bench pid).
    void deleteByPattern(redis, `newsflow-bench-${process.pid}-*`).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const machine = await describeMachine(redis);
  const startLoad = load();
  const t0 = Date.now();
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  say(
    `newsflow bench${opts.quick ? ' --quick' : ''}: node ${machine.node}, ${machine.cores} cores (${machine.cpuModel}), ` +
      `Redis ${machine.redis} at ${redisUrl}; load average ${startLoad.join(' ')}`,
  );
  if (!hasProc()) say('no /proc: CPU and RSS figures of other processes are unavailable on this system');
  const pollers = opts.pollers || machine.cores;
  const sections: Partial<Record<Section, SectionRecord<unknown>>> = {};
  let failed = false;

  async function section<T>(name: Section, what: string, run: () => Promise<T>): Promise<T | undefined> {
    if (!opts.only.has(name)) return undefined;
    const start = load();
    const s0 = Date.now();
    say(`\n[${name}] ${what} (load ${start.join(' ')})`);
    const rec: SectionRecord<T> = { load: { start, end: start }, seconds: 0 };
    try {
      rec.result = await run();
    } catch (err) {
      failed = true;
      rec.error = (err as Error).stack ?? String(err);
      say(`[${name}] failed: ${rec.error}`);
    }
    rec.seconds = (Date.now() - s0) / 1000;
    rec.load.end = load();
    say(`[${name}] done in ${rec.seconds.toFixed(0)} s (load ${rec.load.end.join(' ')})`);
    sections[name] = rec;
    return rec.result;
  }

  try {
    await section(
      'extraction',
      `bench/extract/run.mjs on ${opts.corpus}, ${sizes.extract.rounds} round(s)`,
      () => runExtraction({ corpus: opts.corpus, ...sizes.extract, say }),
    );
    await section(
      'shipped',
      `newsflow extract over ${opts.corpus} repeated to ${sizes.shipped.repeatTo} pages, one core`,
      () => runShipped({ corpus: opts.corpus, ...sizes.shipped, threads: machine.cores }),
    );
    await section('e2e', `${sizes.e2e} articles through a poller and an extractor process`, () =>
      runPipeline({
        redis,
        redisUrl,
        label: 'e2e',
        count: sizes.e2e,
        sampleEvery: 0,
        stallMs: 120_000,
        concurrency: opts.concurrency,
        extractionOnly: true,
        say,
      }),
    );
    await section('polling', `${sizes.feeds} feeds answering 304, ${pollers} poller process(es)`, () =>
      runPolling({ redis, redisUrl, feeds: sizes.feeds, pollers, timeoutMs: 600_000, say }),
    );
    await section('memory', `extractor RSS over ${sizes.memory.pages} pages`, () =>
      memory(redis, redisUrl, sizes.memory.pages, sizes.memory.sampleEvery, opts.concurrency, machine, say),
    );
    await section('dedupe', `bench/dedupe-store.ts, ${sizes.dedupe} articles`, () =>
      runDedupe(sizes.dedupe, redisUrl),
    );
  } finally {
    redis.disconnect();
  }

  const endLoad = load();
  const rows = table(sections, machine);
  const header = [
    `newsflow bench${opts.quick ? ' --quick' : ''} — ${new Date(t0).toISOString()}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    `machine: node ${machine.node}, ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}; Redis ${machine.redis}`,
    `load average (1/5/15 min): start ${startLoad.join(' ')}, end ${endLoad.join(' ')}`,
  ];
  const busiest = Math.max(
    startLoad[0],
    endLoad[0],
    ...Object.values(sections).flatMap(s => [s.load.start[0], s.load.end[0]]),
  );
  if (busiest > machine.cores) {
    header.push(
      `busy machine: 1-minute load up to ${busiest} on ${machine.cores} cores — the wall-clock figures (all cores, ` +
        'articles/s, polls/s, latency) include waiting for a core; per-CPU-second figures and ratios hold up better',
    );
  }
  say(`\n${header.join('\n')}\n\n${markdown(rows)}`);
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  writeFileSync(
    opts.out,
    `${JSON.stringify(
      {
        command,
        at: new Date(t0).toISOString(),
        seconds: (Date.now() - t0) / 1000,
        quick: opts.quick,
        machine: { ...machine, load: { start: startLoad, end: endLoad } },
        sizes,
        sections,
        table: rows.map(([section, figure, value, target]) => ({ section, figure, value, target })),
      },
      null,
      2,
    )}\n`,
  );
  say(`\nresults: ${opts.out}`);
  return failed ? 1 : 0;
}

async function memory(
  redis: Redis,
  redisUrl: string,
  pages: number,
  sampleEvery: number,
  concurrency: number | null,
  machine: Machine,
  say: (line: string) => void,
): Promise<MemoryResult> {
  const r = await runPipeline({
    redis,
    redisUrl,
    label: 'mem',
    count: pages,
    sampleEvery,
    stallMs: 120_000,
    concurrency,
    extractionOnly: false,
    say,
  });
  const { rss, ...run } = r;
  const warmupPages = Math.max(sampleEvery, Math.round(pages / 10));
  const after = rss.filter(s => s.pages >= warmupPages && Number.isFinite(s.rssMiB));
  if (after.length === 0) throw new Error(`no RSS samples after ${warmupPages} pages (${r.stored} stored)`);
  const ref = after[0]!.rssMiB;
  const values = after.map(s => s.rssMiB);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const last = values[values.length - 1]!;
  const bandPct = (Math.max(max - ref, ref - min) / ref) * 100;
  const poolThreads = r.threads || machine.cores;
  const slopes: number[] = [];
  for (let i = 1; i < rss.length; i++) {
    const a = rss[i - 1]!;
    const b = rss[i]!;
    if (a.threads === b.threads && b.pages > a.pages) {
      slopes.push(((b.rssMiB - a.rssMiB) / (b.pages - a.pages)) * 1000);
    }
  }
  slopes.sort((x, y) => x - y);
  return {
    pages: r.stored,
    warmupPages: after[0]!.pages,
    idleMiB: r.idleRssMiB,
    warmupMiB: ref,
    minMiB: min,
    maxMiB: max,
    lastMiB: last,
    driftPct: ((last - ref) / ref) * 100,
    bandPct,
    withinTenPct: bandPct <= 10,
    growthMiBPer1000: slopes.length ? quantile(slopes, 0.5) : null,
    poolThreads,
    threadsReplaced: Math.max(0, (rss[rss.length - 1]?.threads ?? 0) - poolThreads),
    maxTasksPerWorker: DEFAULT_MAX_TASKS_PER_WORKER,
    samples: rss,
    run,
  };
}

// ---------------------------------------------------------------------------------------------------------

const f = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)} %`;
const int = (x: number): string => x.toLocaleString('en-US').replace(/,/g, ' ');

function table(sections: Partial<Record<Section, SectionRecord<unknown>>>, machine: Machine): Row[] {
  const rows: Row[] = [];
  const loadNote = (s: SectionRecord<unknown>): string =>
    `load ${s.load.start[0]} → ${s.load.end[0]}, ${s.seconds.toFixed(0)} s`;
  const head = (name: string, s: SectionRecord<unknown>): void => {
    rows.push([name, `(${loadNote(s)})`, '', '']);
    if (s.error) rows.push([name, 'failed', s.error.split('\n')[0] ?? '', '']);
  };

  const ex = sections.extraction as SectionRecord<ExtractionResult> | undefined;
  if (ex) {
    head('extraction', ex);
    const r = ex.result;
    if (r && 'skipped' in r) rows.push(['extraction', 'skipped', r.skipped, '']);
    else if (r) {
      const c = `${r.pages} pages of ${r.corpus.split('/').pop()}`;
      const contender = (
        label: string,
        x: { perCpuS: number; allCoresPerS: number | null; f1: number | null },
        all: string,
      ): void => {
        rows.push([
          'extraction',
          `${label}: pages/s per core · on all cores`,
          `${f(x.perCpuS)} · ${f(x.allCoresPerS)}${x.f1 !== null ? ` (F1 ${x.f1.toFixed(3)})` : ''}`,
          all,
        ]);
      };
      contender('naive jsdom + Readability', r.naive, `${c}; all cores: ${r.threads} processes`);
      if (r.lxml) contender('readability-lxml', r.lxml, `${r.threads} processes`);
      else rows.push(['extraction', 'readability-lxml', 'skipped (python3 readability not importable)', '']);
      contender('ours (extractArticle)', r.ours, `all cores: pool of ${r.threads} threads`);
      rows.push([
        'extraction',
        `ours through the pool, 1 thread${r.ours.poolOneCorePinned ? ' pinned to 1 CPU' : ''}`,
        `${f(r.ours.poolOneCorePerS)} pages/s`,
        '',
      ]);
      rows.push([
        'extraction',
        'ours / naive, per CPU-second',
        `× ${f(r.ratios.oursOverNaivePerCpu, 2)}`,
        '≥ 8',
      ]);
      rows.push([
        'extraction',
        'ours / readability-lxml, per CPU-second',
        `× ${f(r.ratios.oursOverLxmlPerCpu, 2)}`,
        '≥ 1',
      ]);
      rows.push([
        'extraction',
        `pool: ${r.threads} threads / 1 thread`,
        `× ${f(r.ratios.poolAllOverOne, 2)}`,
        `≥ ${(machine.cores * 0.9).toFixed(1)}`,
      ]);
    }
  }

  const sh = sections.shipped as SectionRecord<ShippedResult> | undefined;
  if (sh) {
    head('shipped', sh);
    const r = sh.result;
    if (r && 'skipped' in r) rows.push(['shipped', 'skipped', r.skipped, '']);
    else if (r) {
      const one = r.pinned ? 'one core (taskset -c 0)' : 'unpinned (no taskset)';
      const c = r.contenders;
      const rate = (x: { pps: number; ppcpu: number | null } | undefined): string =>
        x ? `${f(x.pps)} · ${f(x.ppcpu)}` : 'n/a';
      rows.push([
        'shipped',
        'newsflow extract --manifest (default threads): pages/s · per CPU-second',
        rate(c.cli),
        `${r.pages} pages (${r.distinct} distinct), whole process, ${one}`,
      ]);
      rows.push(['shipped', 'newsflow extract --threads 1 (in-process)', rate(c['cli-t1']), '']);
      rows.push(['shipped', 'warm extractArticle in one process', rate(c.warm), '']);
      rows.push(['shipped', 'readability-lxml, whole process', rate(c.lxml), '']);
      rows.push(['shipped', 'naive jsdom + Readability, whole process', rate(c.naive), '']);
      const x = (v: number | null): string => `× ${f(v, 2)}`;
      rows.push(['shipped', 'cli / readability-lxml (wall, same run)', x(r.ratios.cliOverLxml), '≥ 1.2']);
      rows.push(['shipped', 'cli / naive jsdom + Readability', x(r.ratios.cliOverNaive), '≥ 12']);
      rows.push(['shipped', 'cli / warm extractArticle', x(r.ratios.cliOverWarm), '≥ 0.9']);
      rows.push(['shipped', 'cli pool of 1 / cli in-process', x(r.ratios.poolOverInProcess), '≥ 0.9']);
      rows.push([
        'shipped',
        'warm-up: first 100 pages (from process start) / pages after 300',
        x(r.ratios.warmup),
        '≥ 0.7',
      ]);
      if (r.ratios.threadsOverOne !== null) {
        rows.push([
          'shipped',
          `cli ${machine.cores} threads (unpinned) / cli one core`,
          x(r.ratios.threadsOverOne),
          '≥ 1.8',
        ]);
      }
    }
  }

  const e2e = sections.e2e as SectionRecord<PipelineResult> | undefined;
  if (e2e) {
    head('end to end', e2e);
    const r = e2e.result;
    if (r) {
      const n = r.stored || 1;
      rows.push([
        'end to end',
        `articles/s (${int(r.count)} articles, first enqueue → last stream event)`,
        `${f(r.articlesPerS)}${r.complete ? '' : ` (incomplete: ${r.stored} stored)`}`,
        `extractor concurrency ${r.concurrency}, ${r.threads || machine.cores} threads`,
      ]);
      rows.push([
        'end to end',
        'latency enqueue → stream event, p50 / p95',
        `${f(r.latencyMs.p50 / 1000, 2)} s / ${f(r.latencyMs.p95 / 1000, 2)} s`,
        'all enqueued by one poll',
      ]);
      rows.push([
        'end to end',
        'one job (fetch → stored), p50 / p95',
        `${int(r.jobMs.p50)} ms / ${int(r.jobMs.p95)} ms`,
        '',
      ]);
      const c = r.cpu;
      const ms = (s: number | null): string => (s === null ? 'n/a' : `${f((s * 1000) / n, 2)} ms`);
      rows.push([
        'end to end',
        'extractor CPU per article: total = extraction threads + main thread + other threads',
        `${ms(c.extractorProcessS)} = ${ms(c.extractionThreadsS)} + ${ms(c.mainThreadS)} + ${ms(c.otherThreadsS)}`,
        '',
      ]);
      const share = (part: number | null): number | null =>
        part === null || c.extractorProcessS <= 0 ? null : part / c.extractorProcessS;
      rows.push([
        'end to end',
        'extractor CPU outside extraction threads: main thread only · main + other threads',
        `${pct(share(c.mainThreadS))} · ${pct(c.outsideShare)}`,
        '≤ 10 % (lower · upper bound)',
      ]);
      const alone = c.extractionOnly;
      if (alone) {
        const aloneMs = (alone.cold.processCpuS * 1000) / alone.pages;
        rows.push([
          'end to end',
          'same, by subtraction: extractArticle alone on the same pages (cold · warm ms/page)',
          `${pct(c.outsideShareBySubtraction)} (${f(aloneMs, 2)} · ${f((alone.warm.processCpuS * 1000) / alone.pages, 2)} ms)`,
          '≤ 10 %',
        ]);
        rows.push([
          'end to end',
          'articles per extractor CPU-second · extractor CPU per article / extractArticle alone (cold)',
          `${f(n / c.extractorProcessS)} · × ${f((c.extractorProcessS * 1000) / n / aloneMs, 2)}`,
          '',
        ]);
      }
    }
  }

  const poll = sections.polling as SectionRecord<PollingResult> | undefined;
  if (poll) {
    head('polling', poll);
    const r = poll.result;
    if (r) {
      const p = r.conditionalPass;
      rows.push([
        'polling',
        `${int(r.feeds)} feeds answering 304: time · polls/s`,
        `${f(p.seconds)} s · ${f(p.pollsPerS, 0)}${p.complete ? '' : ' (incomplete)'}`,
        `≤ 60 s for 10 000 (${r.pollers} pollers × concurrency ${r.concurrencyPerPoller})`,
      ]);
      rows.push([
        'polling',
        'outcomes of the pass',
        `${int(p.notModified)} not-modified${Object.entries(p.otherOutcomes)
          .map(([k, v]) => `, ${int(v)} ${k}`)
          .join('')}; server: ${int(p.served304)} × 304, ${int(p.served200)} × 200`,
        '',
      ]);
      rows.push([
        'polling',
        'polls per poller CPU-second · Redis CPU per poll',
        `${f(p.pollsPerPollerCpuS, 0)} · ${f(p.redisCpuMsPerPoll, 2)} ms`,
        'Redis shared: upper bound',
      ]);
      rows.push([
        'polling',
        'first pass (200, parse, validators stored; includes creating the schedulers)',
        `${f(r.firstPass.seconds)} s · ${f(r.firstPass.pollsPerS, 0)} polls/s`,
        `${int(r.firstPass.withValidators)} feeds with an ETag`,
      ]);
      rows.push([
        'polling',
        `reconciler's read of ${int(r.feeds)} job schedulers (every 5 s)`,
        `${f(r.reconcileReadMs, 0)} ms`,
        '',
      ]);
    }
  }

  const mem = sections.memory as SectionRecord<MemoryResult> | undefined;
  if (mem) {
    head('memory', mem);
    const r = mem.result;
    if (r) {
      rows.push([
        'memory',
        `extractor RSS: idle · after ${int(r.warmupPages)} pages · min · max · last (${int(r.pages)} pages)`,
        `${f(r.idleMiB, 0)} · ${f(r.warmupMiB, 0)} · ${f(r.minMiB, 0)} · ${f(r.maxMiB, 0)} · ${f(r.lastMiB, 0)} MiB`,
        '',
      ]);
      rows.push([
        'memory',
        'drift last vs warm-up · widest sample vs warm-up',
        `${r.driftPct >= 0 ? '+' : ''}${f(r.driftPct)} % · ${f(r.bandPct)} %`,
        '± 10 %',
      ]);
      rows.push([
        'memory',
        'RSS growth between thread replacements (median)',
        `${f(r.growthMiBPer1000)} MiB per 1 000 pages`,
        'flat memory: ≈ 0',
      ]);
      rows.push([
        'memory',
        `extraction threads replaced (every ${int(r.maxTasksPerWorker)} tasks)`,
        `${r.threadsReplaced} (pool of ${r.poolThreads})`,
        `${f(r.run.articlesPerS)} articles/s in this run`,
      ]);
    }
  }

  const dd = sections.dedupe as SectionRecord<DedupeResult> | undefined;
  if (dd) {
    head('dedupe + store', dd);
    const r = dd.result;
    if (r) {
      const m = r.msPerArticle;
      rows.push([
        'dedupe + store',
        'ms per article, mean (p50 / p95) · vs baseline store',
        `${f(m.dedupeStore.mean, 2)} (${f(m.dedupeStore.p50, 2)} / ${f(m.dedupeStore.p95, 2)}) · × ${f(m.ratio, 2)}`,
        `plan ${f(m.plan, 2)} ms + script ${f(m.decideScript, 2)} ms; baseline ${f(m.baselineStore, 2)} ms`,
      ]);
      const mm = r.memoryMiBPer10k;
      rows.push([
        'dedupe + store',
        'Redis MiB per 10 000 articles · vs baseline',
        `${f(mm.dedupe)} · × ${f(mm.ratio, 2)}`,
        `${int(r.n)} articles, ${f(mm.keysPerArticle)} keys each`,
      ]);
    }
  }
  return rows;
}

function markdown(rows: Row[]): string {
  const lines = ['| section | figure | value | target / note |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.map(c => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return lines.join('\n');
}
