#!/usr/bin/env node
// Extraction as users run it: whole processes (start-up, module loading, reading files, warm-up included), on
// one core, the same pages for every contender, interleaved rounds, best round counts:
//   cli      `newsflow extract --manifest M` (default threads: under taskset -c 0 that is a pool of one thread)
//   cli-t1   `newsflow extract --threads 1 --manifest M` (in-process, no pool: what the pool costs)
//   lxml     readability-lxml (Debian python3-readability) over the same list, whole Python process
//   naive    jsdom + @mozilla/readability, whole process, over the first --naive-pages pages (slow)
//   warm     extractArticle in one process, best timed pass after an untimed one (bench/extract/run.mjs
//            --measure ours): the "warm in-process extraction" the others are compared with
// The corpus is repeated to at least --repeat-to pages (the same pages, read from disk each time).
// Warm-up: the CLI's lines are timestamped as they arrive; the first 100 pages' rate (from process start) is
// compared with the rate of the pages after the first 300.
//
//   node bench/extract/shipped.mjs --corpus ../shared/corpora/aeb-dev [--repeat-to 900] [--rounds 2]
//        [--naive-pages 60] [--threads N] [--no-pin] [--json FILE]
// --threads N: also run `newsflow extract` unpinned with N threads (all cores), for the scaling figure.
import { spawn } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
if (!args.corpus || !existsSync(args.corpus)) {
  console.log(`bench:shipped skipped: corpus ${args.corpus ?? '(none given: --corpus DIR)'} not found`);
  process.exit(0);
}
const cli = resolve('dist/src/cli/main.js');
if (!existsSync(cli)) {
  console.error('bench:shipped: dist/ missing; run `npm run build` first');
  process.exit(2);
}

const out = resolve('bench/out/shipped');
mkdirSync(out, { recursive: true });
const distinct = listPages(args.corpus);
const pages = [];
while (pages.length < args.repeatTo) pages.push(...distinct);
const manifest = join(out, 'manifest.jsonl');
writeFileSync(manifest, pages.map(p => JSON.stringify({ path: p.path, url: p.url })).join('\n') + '\n');
const lxmlList = join(out, 'lxml-pages.json');
writeFileSync(lxmlList, JSON.stringify(pages.map((p, i) => ({ id: `${i}`, path: p.path }))));
const pin = !args.noPin && (await run('taskset', ['-c', '0', 'true'])).code === 0;
const pinned = (cmd, argv) => (pin ? ['taskset', ['-c', '0', cmd, ...argv]] : [cmd, argv]);
const hasLxml = (await run('/usr/bin/python3', ['-c', 'import readability'])).code === 0;

const load0 = loadavg();
const contenders = {
  cli: () => timed(...pinned(process.execPath, [cli, 'extract', '--manifest', manifest]), pages.length, true),
  'cli-t1': () =>
    timed(
      ...pinned(process.execPath, [cli, 'extract', '--threads', '1', '--manifest', manifest]),
      pages.length,
    ),
  lxml: () =>
    hasLxml
      ? timed(
          ...pinned('/usr/bin/python3', [join(here, 'lxml_bench.py'), lxmlList, '1', join(out, 'lxml.json')]),
          pages.length,
        )
      : null,
  naive: () =>
    timed(
      ...pinned(process.execPath, [join(here, 'naive-once.mjs'), args.corpus, String(args.naivePages)]),
      Math.min(args.naivePages, distinct.length),
    ),
  warm: () => warm(),
};
if (args.threads) {
  contenders[`cli-${args.threads}threads`] = () =>
    timed(
      process.execPath,
      [cli, 'extract', '--threads', String(args.threads), '--manifest', manifest],
      pages.length,
    );
}

const best = {};
for (let round = 0; round < args.rounds; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    const r = await fn();
    if (!r) continue;
    if (!best[name] || r.wall < best[name].wall) best[name] = r;
    console.error(
      `  round ${round + 1}: ${name} ${r.pps.toFixed(1)} pages/s (load ${loadavg()[0].toFixed(2)})`,
    );
  }
}
const load1 = loadavg();
report();

// ---------------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const a = { corpus: null, repeatTo: 900, rounds: 2, naivePages: 60, threads: 0, noPin: false, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--no-pin') {
      a.noPin = true;
      i--;
    } else if (k === '--corpus') a.corpus = resolve(v);
    else if (k === '--repeat-to') a.repeatTo = Math.max(1, Number(v));
    else if (k === '--rounds') a.rounds = Math.max(1, Number(v));
    else if (k === '--naive-pages') a.naivePages = Math.max(1, Number(v));
    else if (k === '--threads') a.threads = Number(v);
    else if (k === '--json') a.json = resolve(v);
    else {
      console.error(`bench:shipped: unknown option ${k}`);
      process.exit(2);
    }
  }
  return a;
}

/** Pages: *.html / *.html.gz under DIR (or DIR/html); URLs from an AEB ground-truth.json when present. */
function listPages(dir) {
  const htmlDir =
    existsSync(join(dir, 'html')) && statSync(join(dir, 'html')).isDirectory() ? join(dir, 'html') : dir;
  const urls = {};
  const gt = join(dir, 'ground-truth.json');
  if (existsSync(gt)) {
    for (const [id, v] of Object.entries(JSON.parse(readFileSync(gt, 'utf8')))) urls[id] = v.url;
  }
  return readdirSync(htmlDir)
    .filter(f => /\.html?(\.gz)?$/i.test(f))
    .sort()
    .map(f => {
      const id = f.replace(/\.html?(\.gz)?$/i, '');
      return { path: join(htmlDir, f), url: urls[id] ?? `https://bench.invalid/${f}` };
    });
}

/**
 * Runs a whole process; wall from spawn to exit, CPU of the process and its children (bash's `time`).
 * With `lines`, the arrival time of every stdout line is kept (the CLI prints one per page, in order).
 */
function timed(cmd, argv, n, lines = false) {
  return new Promise(done => {
    const t0 = performance.now();
    const child = spawn(
      'bash',
      ['-c', 'TIMEFORMAT="@@cpu %3U %3S"; time "$@" 2>/dev/null', '_', cmd, ...argv],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const at = [];
    let count = 0;
    let err = '';
    child.stdout.on('data', d => {
      const t = performance.now() - t0;
      for (const ch of d) {
        if (ch !== 10) continue;
        count++;
        if (lines) at.push(t);
      }
    });
    child.stderr.on('data', d => (err += d));
    child.on('close', code => {
      const wall = (performance.now() - t0) / 1000;
      const m = /@@cpu ([\d.]+) ([\d.]+)/.exec(err);
      const cpu = m ? Number(m[1]) + Number(m[2]) : null;
      const r = { code, wall, cpu, pages: n, pps: n / wall, ppcpu: cpu ? n / cpu : null, lines: count };
      if (lines && at.length >= 400) {
        const first100 = 100 / (at[99] / 1000);
        const steady = (at.length - 300) / ((at[at.length - 1] - at[299]) / 1000);
        r.warmup = { first100PerS: first100, after300PerS: steady, ratio: first100 / steady };
        r.per100 = at.filter((_, i) => (i + 1) % 100 === 0).map(t => Math.round(t));
      }
      done(r);
    });
  });
}

/** Warm in-process extraction on the distinct pages: best timed pass, one process, pinned. */
async function warm() {
  const [cmd, argv] = pinned(process.execPath, [
    join(here, 'run.mjs'),
    '--corpus',
    args.corpus,
    '--measure',
    'ours',
  ]);
  const r = await run(cmd, argv);
  if (r.code !== 0) return null;
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  return {
    wall: m.wall,
    cpu: m.cpu,
    pages: distinct.length,
    pps: distinct.length / m.wall,
    ppcpu: distinct.length / m.cpu,
  };
}

function run(cmd, argv) {
  return new Promise(done => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', d => (stdout += d));
    child.on('error', () => done({ code: -1, stdout }));
    child.on('close', code => done({ code, stdout }));
  });
}

function report() {
  const f = x => (x == null ? 'n/a' : x.toFixed(1));
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : 'n/a');
  console.log(
    `\nshipped path — ${pages.length} pages (${distinct.length} distinct of ${args.corpus}, repeated); ` +
      `${pin ? 'one core (taskset -c 0)' : 'unpinned'}; whole processes; best of ${args.rounds} interleaved rounds; ` +
      `load ${load0.map(x => x.toFixed(2)).join(' ')} → ${load1.map(x => x.toFixed(2)).join(' ')}`,
  );
  console.log('\n| contender | pages | pages/s (wall) | pages per CPU-second |\n|---|---|---|---|');
  for (const [name, r] of Object.entries(best)) {
    console.log(`| ${name} | ${r.pages} | ${f(r.pps)} | ${f(r.ppcpu)} |`);
  }
  const cliR = best.cli;
  console.log('\n| ratio (wall, same run) | value | target |\n|---|---|---|');
  console.log(`| cli / readability-lxml | ${ratio(cliR?.pps, best.lxml?.pps)} | ≥ 1.2 |`);
  console.log(`| cli / naive jsdom + Readability | ${ratio(cliR?.pps, best.naive?.pps)} | ≥ 12 |`);
  console.log(`| cli / warm in-process extractArticle | ${ratio(cliR?.pps, best.warm?.pps)} | ≥ 0.9 |`);
  console.log(
    `| cli (pool of 1) / cli --threads 1 (in-process) | ${ratio(cliR?.pps, best['cli-t1']?.pps)} | |`,
  );
  if (cliR?.warmup) {
    console.log(
      `| cli first 100 pages (from process start) / pages after 300 | ${cliR.warmup.ratio.toFixed(2)} ` +
        `(${f(cliR.warmup.first100PerS)} / ${f(cliR.warmup.after300PerS)} pages/s) | ≥ 0.7 |`,
    );
  }
  if (args.threads) {
    console.log(
      `| cli ${args.threads} threads (unpinned) / cli one core | ${ratio(best[`cli-${args.threads}threads`]?.pps, cliR?.pps)} | ≥ 1.8 |`,
    );
  }
  const results = JSON.stringify(
    {
      pages: pages.length,
      distinct: distinct.length,
      corpus: args.corpus,
      pinned: pin,
      rounds: args.rounds,
      load: [load0, load1],
      best,
      at: new Date().toISOString(),
    },
    null,
    2,
  );
  writeFileSync(join(out, 'results.json'), results);
  if (args.json) writeFileSync(args.json, results);
}
