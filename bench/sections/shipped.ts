/**
 * The shipped extraction path: bench/extract/shipped.mjs (`newsflow extract --manifest`, whole process, on one
 * pinned core, against readability-lxml, naive jsdom + Readability and warm in-process `extractArticle` over the
 * same pages in the same run), read back from its JSON. Reported next to the extraction section so the CLI and
 * the core cannot drift apart unseen.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCollect as run } from '../lib/proc.js';

export interface ShippedOptions {
  corpus: string;
  /** The corpus is repeated to at least this many pages. */
  repeatTo: number;
  rounds: number;
  /** Also run the CLI unpinned with this many threads (the scaling figure); 0: skip. */
  threads: number;
}

interface Contender {
  pages: number;
  wall: number;
  cpu: number | null;
  pps: number;
  ppcpu: number | null;
  warmup?: { first100PerS: number; after300PerS: number; ratio: number };
}

export type ShippedResult =
  | { skipped: string }
  | {
      pages: number;
      distinct: number;
      pinned: boolean;
      contenders: Record<string, Contender>;
      ratios: {
        cliOverLxml: number | null;
        cliOverNaive: number | null;
        cliOverWarm: number | null;
        poolOverInProcess: number | null;
        warmup: number | null;
        threadsOverOne: number | null;
      };
    };

export async function runShipped(o: ShippedOptions): Promise<ShippedResult> {
  if (!existsSync(o.corpus)) return { skipped: `corpus ${o.corpus} not found` };
  const dir = mkdtempSync(join(tmpdir(), 'nf-bench-shipped-'));
  const json = join(dir, 'results.json');
  const argv = [
    resolve('bench/extract/shipped.mjs'),
    '--corpus',
    o.corpus,
    '--repeat-to',
    String(o.repeatTo),
    '--rounds',
    String(o.rounds),
    '--json',
    json,
  ];
  if (o.threads > 1) argv.push('--threads', String(o.threads));
  try {
    const { code, output } = await run(process.execPath, argv);
    if (code !== 0) {
      throw new Error(`bench/extract/shipped.mjs failed (exit ${code}):\n${output.slice(-2000)}`);
    }
    if (!existsSync(json)) return { skipped: output.trim().split('\n')[0] ?? 'shipped.mjs wrote no results' };
    const r = JSON.parse(readFileSync(json, 'utf8')) as {
      pages: number;
      distinct: number;
      pinned: boolean;
      best: Record<string, Contender>;
    };
    const b = r.best;
    const ratio = (a: Contender | undefined, c: Contender | undefined): number | null =>
      a && c && c.pps > 0 ? a.pps / c.pps : null;
    return {
      pages: r.pages,
      distinct: r.distinct,
      pinned: r.pinned,
      contenders: b,
      ratios: {
        cliOverLxml: ratio(b.cli, b.lxml),
        cliOverNaive: ratio(b.cli, b.naive),
        cliOverWarm: ratio(b.cli, b.warm),
        poolOverInProcess: ratio(b.cli, b['cli-t1']),
        warmup: b.cli?.warmup?.ratio ?? null,
        threadsOverOne: ratio(b[`cli-${o.threads}threads`], b.cli),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
