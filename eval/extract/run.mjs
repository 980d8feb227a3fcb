#!/usr/bin/env node
// Quality of `newsflow extract` on the dev corpora (../shared/corpora): runs the built CLI once per corpus
// with a --manifest, turns its JSON lines into each benchmark's prediction format, scores every metric with
// ../shared/tools/eval_extract.py and prints one table. Skips cleanly when ../shared is not there.
//
//   npm run eval:extract [-- --corpora DIR] [--only aeb,rp,traf,dates] [--dom lite|jsdom|linkedom]
//                        [--threads N] [--out DIR] [--part fit|validation|both] [--reuse]
//                        [--without STEP,…] [--summary FILE]
// --without leaves extraction steps out (`newsflow extract --without`); eval/extract/ablate.mjs runs it once
// per step. --summary writes the table's figures as JSON.
// Every corpus is split into a fit and a validation part (eval/split.mjs); each metric is scored on both and
// on the whole set, and the table shows the gap. `--part fit` extracts and scores the fit pages only: the
// way to iterate on rules without reading validation pages.
// Predictions, manifests and per-document scores are written under .eval/extract/ (git-ignored).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { PARTS, partOf, pick } from '../split.mjs';

const args = parseArgs(process.argv.slice(2));
const NAN = '__NaN__'; // stands for the htmldate set's bare NaN while its ground truth is parsed
const tools = resolve(args.corpora, '..', 'tools', 'eval_extract.py');
if (!existsSync(args.corpora) || !existsSync(tools)) {
  console.log(`eval:extract skipped: ${args.corpora} (or ${tools}) not found`);
  process.exit(0);
}
const cli = resolve('dist/src/cli/main.js');
if (!existsSync(cli)) {
  console.error('eval:extract: dist/src/cli/main.js missing; run `npm run build` first');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

/** Each corpus: how to list its pages, and which metrics to compute from the CLI's lines. */
const CORPORA = {
  aeb: () => {
    const dir = join(args.corpora, 'aeb-dev');
    const gt = readJson(join(dir, 'ground-truth.json'));
    return {
      items: Object.entries(gt).map(([id, v]) => ({
        id,
        path: join(dir, 'html', `${id}.html.gz`),
        url: v.url,
      })),
      metrics: [
        {
          name: 'aeb-dev',
          method: 'aeb',
          truth: join(dir, 'ground-truth.json'),
          predict: line => ({ articleBody: line.contentText ?? '' }),
          targets: { f1: 0.975, precision: 0.96 },
        },
      ],
    };
  },
  rp: () => {
    const dir = join(args.corpora, 'readability-pages');
    const gt = readJson(join(dir, 'ground-truth.json'));
    return {
      // Readability's own test harness uses this address for every page.
      items: Object.keys(gt).map(id => ({
        id,
        path: join(dir, id, 'source.html'),
        url: 'http://fakehost/test/page.html',
      })),
      metrics: [
        {
          name: 'readability-pages',
          method: 'aeb',
          truth: join(dir, 'ground-truth.json'),
          predict: line => ({ articleBody: line.contentText ?? '' }),
          targets: { f1: 0.99 },
        },
      ],
    };
  },
  traf: () => {
    const dir = join(args.corpora, 'trafilatura-dev');
    const gt = readJson(join(dir, 'evaldata.json'));
    return {
      items: Object.entries(gt).map(([id, v]) => ({
        id,
        path: join(dir, 'pages', v.file),
        url: /^https?:\/\//.test(id) ? id : `https://unknown.invalid/${v.file}`,
      })),
      metrics: [
        {
          name: 'trafilatura-dev',
          method: 'snippets',
          truth: join(dir, 'evaldata.json'),
          predict: line => line.contentText ?? '',
          targets: { f1: 0.93 },
        },
        {
          name: 'trafilatura-dev author',
          method: 'author',
          truth: join(dir, 'evaldata.json'),
          predict: line => (line.authors ?? []).join('; '),
          targets: { exact_pct: 75 },
        },
        {
          name: 'trafilatura-dev date',
          method: 'date',
          extra: ['--skip-empty-refs'],
          truth: join(dir, 'evaldata.json'),
          predict: line => line.publishedAt ?? null,
          targets: {},
        },
      ],
    };
  },
  dates: () => {
    const dir = join(args.corpora, 'dates-dev');
    const gt = readJson(join(dir, 'eval.json'));
    return {
      items: Object.entries(gt).map(([url, v]) => ({ id: url, path: join(dir, 'pages', v.file), url })),
      metrics: [
        {
          name: 'dates-dev',
          method: 'date',
          truth: join(dir, 'eval.json'),
          predict: line => line.publishedAt ?? null,
          targets: { f1: 0.93 },
        },
      ],
    };
  },
};

const rows = [];
for (const key of args.only) {
  const make = CORPORA[key];
  if (!make) {
    console.error(`eval:extract: unknown corpus "${key}" (know: ${Object.keys(CORPORA).join(', ')})`);
    process.exit(2);
  }
  let corpus;
  try {
    corpus = make();
  } catch (err) {
    console.log(`${key}: skipped (${err.message})`);
    continue;
  }
  corpus.items = corpus.items.filter(i => args.parts.includes(partOf(i.id)));
  const manifest = join(args.out, `${key}.manifest.jsonl`);
  writeFileSync(
    manifest,
    corpus.items.map(i => JSON.stringify({ path: i.path, url: i.url })).join('\n') + '\n',
  );
  const started = performance.now();
  const linesFile = join(args.out, `${key}.lines.jsonl`);
  const manifestText = readFileSync(manifest, 'utf8');
  // --reuse: score the lines of the last run again (same pages), e.g. after changing only this script.
  const lines =
    args.reuse &&
    existsSync(linesFile) &&
    existsSync(`${manifest}.last`) &&
    readFileSync(`${manifest}.last`, 'utf8') === manifestText
      ? readFileSync(linesFile, 'utf8')
          .trim()
          .split('\n')
          .map(l => JSON.parse(l))
      : await runCli(manifest);
  writeFileSync(linesFile, lines.map(l => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(`${manifest}.last`, manifestText);
  const seconds = (performance.now() - started) / 1000;
  if (lines.length !== corpus.items.length) {
    console.error(`${key}: the CLI printed ${lines.length} lines for ${corpus.items.length} inputs`);
    process.exit(1);
  }
  const errors = {};
  lines.forEach(l => {
    if (l.error) errors[l.error.class] = (errors[l.error.class] ?? 0) + 1;
  });
  for (const m of corpus.metrics) {
    const predictions = {};
    corpus.items.forEach((item, i) => (predictions[item.id] = m.predict(lines[i])));
    const slug = m.name.replace(/\W+/g, '-');
    const truth = readTruth(m.truth);
    const scored = {};
    for (const part of [...args.parts, ...(args.parts.length > 1 ? ['all'] : [])]) {
      const base = join(args.out, `${slug}.${part}`);
      const partTruth = part === 'all' ? truth : pick(truth, part);
      writeTruth(`${base}.truth.json`, partTruth);
      writeFileSync(`${base}.predictions.json`, JSON.stringify(pick2(predictions, partTruth)));
      scored[part] = await score(
        m,
        `${base}.truth.json`,
        `${base}.predictions.json`,
        `${base}.scores.json`,
        `${base}.per-doc.tsv`,
      );
    }
    rows.push({ name: m.name, pages: corpus.items.length, seconds, errors, scored, targets: m.targets });
  }
}
printTable(rows);
if (args.summary) writeFileSync(args.summary, JSON.stringify(rows, null, 1));

function parseArgs(argv) {
  const a = {
    corpora: resolve('../shared/corpora'),
    only: ['aeb', 'rp', 'traf', 'dates'],
    dom: null,
    threads: null,
    out: resolve('.eval/extract'),
    parts: [...PARTS],
    reuse: false,
    without: null,
    summary: null,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--reuse') {
      a.reuse = true;
      i--;
      continue;
    }
    if (k === '--corpora') a.corpora = resolve(v);
    else if (k === '--only') a.only = v.split(',');
    else if (k === '--dom') a.dom = v;
    else if (k === '--threads') a.threads = v;
    else if (k === '--without') a.without = v;
    else if (k === '--summary') a.summary = resolve(v);
    else if (k === '--out') a.out = resolve(v);
    else if (k === '--part' && (PARTS.includes(v) || v === 'both')) a.parts = v === 'both' ? [...PARTS] : [v];
    else {
      console.error(`eval:extract: unknown option ${k}`);
      process.exit(2);
    }
  }
  return a;
}

/** JSON as Python writes it: the htmldate set has bare NaN for dates nobody could match. */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8').replace(/:\s*NaN\b/g, ': null'));
}

// Ground truth subsets keep the bare NaN dates of the htmldate set: the scorer counts them apart from nulls.
function readTruth(file) {
  return JSON.parse(readFileSync(file, 'utf8').replace(/:\s*NaN\b/g, `: "${NAN}"`));
}
function writeTruth(file, truth) {
  writeFileSync(file, JSON.stringify(truth).replaceAll(JSON.stringify(NAN), 'NaN'));
}

function runCli(manifest) {
  const cliArgs = [cli, 'extract', '--manifest', manifest];
  if (args.dom) cliArgs.push('--dom', args.dom);
  if (args.threads) cliArgs.push('--threads', args.threads);
  if (args.without) cliArgs.push('--without', args.without);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, cliArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = [];
    createInterface({ input: child.stdout }).on('line', l => lines.push(JSON.parse(l)));
    child.on('error', fail);
    // Exit 1 means some pages failed: their lines carry the error, and they score as misses.
    child.on('close', code =>
      code === 0 || code === 1 ? done(lines) : fail(new Error(`newsflow extract exited ${code}`)),
    );
  });
}

/** The predictions for the pages of `truth` that were extracted (the others stay missing). */
function pick2(predictions, truth) {
  return Object.fromEntries(
    Object.keys(truth)
      .filter(k => k in predictions)
      .map(k => [k, predictions[k]]),
  );
}

/** Runs the shared scorer; returns its metrics (the --json-out object). */
function score(m, truthFile, predFile, jsonOut, perDoc) {
  const py = [
    'python3',
    tools,
    truthFile,
    predFile,
    '--method',
    m.method,
    '--n-bootstrap',
    '200',
    '--seed',
    '0',
  ];
  py.push('--name', m.name, '--json-out', jsonOut, '--per-doc', perDoc, ...(m.extra ?? []));
  return new Promise((done, fail) => {
    const child = spawn(py[0], py.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('close', code => {
      if (code !== 0) return fail(new Error(`scorer failed for ${m.name}`));
      done({ text: out.trim(), json: readJson(jsonOut) });
    });
  });
}

/** The figure each metric is judged by, and how to print it. */
function headline(method, j) {
  const f3 = x => (typeof x === 'number' ? x.toFixed(3) : '?');
  const prf = `F1 ${f3(j.f1)} (P ${f3(j.precision)} / R ${f3(j.recall)})`;
  if (method === 'aeb') return [j.f1, prf];
  if (method === 'snippets') return [j.f1, `${prf} tp/fp/fn/tn ${j.tp}/${j.fp}/${j.fn}/${j.tn}`];
  if (method === 'date') return [j.f1, `${prf} tp/fp/fn ${j.tp}/${j.fp}/${j.fn}`];
  const pct = x => `${x.toFixed(1)} %`;
  return [j.exact_pct, `exact ${j.exact}/${j.n_docs} = ${pct(j.exact_pct)} (lenient ${pct(j.lenient_pct)})`];
}

function printTable(results) {
  console.log('\n## newsflow extract — quality on the dev sets (fit / validation parts: eval/split.mjs)\n');
  for (const r of results) {
    const errs = Object.entries(r.errors)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `### ${r.name} (${r.pages} pages, ${r.seconds.toFixed(1)} s${errs ? `; no article: ${errs}` : ''})`,
    );
    const method = Object.values(r.scored)[0].json.method;
    const values = {};
    for (const [part, s] of Object.entries(r.scored)) {
      const [value, text] = headline(method, s.json);
      values[part] = value;
      console.log(`${part.padEnd(10)} ${String(s.json.n_docs).padStart(4)} docs  ${text}`);
    }
    if ('fit' in values && 'validation' in values) {
      const gap = values.fit - values.validation;
      console.log(
        `gap (fit − validation): ${method === 'author' ? gap.toFixed(1) + ' points' : gap.toFixed(3)}`,
      );
    }
    const judged = r.scored.validation ?? r.scored.fit ?? r.scored.all;
    const checks = Object.entries(r.targets).map(([metric, target]) => {
      const value = findMetric(judged.json, metric);
      const shown = value === null ? '?' : Number(value.toFixed(4));
      return `${metric} ${shown} ${value !== null && value >= target ? '≥' : '<'} ${target}`;
    });
    if (checks.length) {
      console.log(`targets (${r.scored.validation ? 'validation' : 'fit'}): ${checks.join('; ')}`);
    }
    console.log('');
  }
}

/** Finds a metric in the scorer's JSON whatever its nesting ({F1: …} or {metrics: {f1: …}}). */
function findMetric(obj, name) {
  const want = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  let found = null;
  const walk = o => {
    if (!o || typeof o !== 'object' || found !== null) return;
    for (const [k, v] of Object.entries(o)) {
      const kk = k.toLowerCase().replace(/[^a-z0-9]/g, '');
      if (kk === want && typeof v === 'number') {
        found = v;
        return;
      }
      walk(v);
    }
  };
  walk(obj);
  return found;
}
