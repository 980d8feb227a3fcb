/**
 * Extraction: bench/extract/run.mjs (naive jsdom + Readability, ours, readability-lxml; the pool on one pinned
 * core and on every core; every contender on all cores with --parallel) on a corpus, read back from its JSON.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCollect as run } from '../lib/proc.js';

export interface ExtractionOptions {
  corpus: string;
  rounds: number;
  passes: number;
  limit: number;
  say: (line: string) => void;
}

interface Measured {
  wall: number;
  cpu: number;
}

interface RunJson {
  pages: number;
  corpus: string;
  best: { naive: Measured | null; ours: Measured | null; lxml: (Measured & { status: string }) | null };
  lxmlStatus: string;
  poolRuns: Record<string, { wall: number; pps: number; pinned?: boolean }>;
  parallel: Record<string, { processes: number; pps: number }>;
  f1: Record<string, number | null>;
  threads: number;
}

export interface ContenderFigures {
  /** One process, one thread: pages per CPU-second (what one core does, whatever else the machine runs). */
  perCpuS: number;
  /** One process: pages per wall second. */
  perS: number;
  /** All cores (one process per core; ours: the worker-thread pool). */
  allCoresPerS: number | null;
  f1: number | null;
}

export type ExtractionResult =
  | { skipped: string }
  | {
      pages: number;
      corpus: string;
      threads: number;
      naive: ContenderFigures;
      ours: ContenderFigures & {
        poolOneCorePerS: number;
        poolOneCorePinned: boolean;
        allCoresProcessesPerS: number | null;
      };
      lxml: ContenderFigures | null;
      ratios: {
        oursOverNaivePerCpu: number;
        oursOverLxmlPerCpu: number | null;
        poolAllOverOne: number;
      };
      log: string;
    };

export async function runExtraction(o: ExtractionOptions): Promise<ExtractionResult> {
  if (!existsSync(o.corpus)) return { skipped: `corpus ${o.corpus} not found` };
  const dir = mkdtempSync(join(tmpdir(), 'nf-bench-extract-'));
  const json = join(dir, 'results.json');
  const argv = [
    resolve('bench/extract/run.mjs'),
    '--corpus',
    o.corpus,
    '--rounds',
    String(o.rounds),
    '--passes',
    String(o.passes),
    '--parallel',
    '--json',
    json,
  ];
  if (o.limit) argv.push('--limit', String(o.limit));
  try {
    const { code, output } = await run(process.execPath, argv);
    mkdirSync(resolve('bench/out/extract'), { recursive: true });
    const log = resolve('bench/out/extract/bench-run.txt');
    writeFileSync(log, output);
    if (code !== 0) throw new Error(`bench/extract/run.mjs failed (exit ${code}):\n${output.slice(-2000)}`);
    if (!existsSync(json)) return { skipped: output.trim().split('\n')[0] ?? 'run.mjs wrote no results' };
    const r = JSON.parse(readFileSync(json, 'utf8')) as RunJson;
    const n = r.pages;
    const fig = (m: Measured | null, name: string, all: number | null): ContenderFigures | null =>
      m ? { perCpuS: n / m.cpu, perS: n / m.wall, allCoresPerS: all, f1: r.f1[name] ?? null } : null;
    const naive = fig(r.best.naive, 'naive', r.parallel.naive?.pps ?? null)!;
    const oursBase = fig(r.best.ours, 'ours', r.poolRuns[String(r.threads)]?.pps ?? null)!;
    const lxml = r.lxmlStatus === 'ok' ? fig(r.best.lxml, 'lxml', r.parallel.lxml?.pps ?? null) : null;
    const one = r.poolRuns['1']!;
    return {
      pages: n,
      corpus: r.corpus,
      threads: r.threads,
      naive,
      ours: {
        ...oursBase,
        poolOneCorePerS: one.pps,
        poolOneCorePinned: Boolean(one.pinned),
        allCoresProcessesPerS: r.parallel.ours?.pps ?? null,
      },
      lxml,
      ratios: {
        oursOverNaivePerCpu: oursBase.perCpuS / naive.perCpuS,
        oursOverLxmlPerCpu: lxml ? oursBase.perCpuS / lxml.perCpuS : null,
        poolAllOverOne: (oursBase.allCoresPerS ?? 0) / one.pps,
      },
      log,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
