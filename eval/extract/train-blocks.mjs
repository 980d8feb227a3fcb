#!/usr/bin/env node
// Trains the block classifier (src/extract/content/classifier.ts) on the FIT parts of the dev corpora only
// (eval/split.mjs): aeb-dev (labels: whether a block's text is in the reference articleBody) and
// trafilatura-dev (labels: blocks holding a "with" snippet are content, a "without" snippet boilerplate;
// other blocks are unlabelled). Validation pages are never read here.
//
// The blocks are those the boilerplate rules leave (the classifier runs after them), with their features.
//
//   npm run build && node eval/extract/train-blocks.mjs [--corpora DIR] [--lambda 1] [--threshold 0.2]
//        [--folds 5] [--write] [--reuse] [--drop feature,prefix_*] [--trees rounds,depth,eta]
//        [--vote FILE] [--errors N]
// Prints grouped cross-validation on the fit pages (folds by page): the AEB measure (shingle P/R/F1, per page
// as the benchmark) and the snippet measure computed on the kept blocks, for the model at several thresholds
// and for the rules alone. --write stores the logistic model trained on all fit pages, with --threshold, in
// src/extract/content/block-model.json. --trees: boosted trees instead (measured, not shipped); --vote FILE
// ({page id: text} of another extractor): its verdict as one more feature (paragraph-level voting).
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { partOf } from '../split.mjs';

const args = parseArgs(process.argv.slice(2));
if (!existsSync(args.corpora)) {
  console.log(`train-blocks skipped: ${args.corpora} not found`);
  process.exit(0);
}
const dist = resolve('dist/src');
const { extractArticle } = await import(join(dist, 'extract/extract.js'));
const { decodeHtmlFile } = await import(join(dist, 'cli/commands/extract.js'));
const FEATURE_NAMES = [...(await import(join(dist, 'extract/content/block-features.js'))).FEATURE_NAMES];

const readJson = f => JSON.parse(readFileSync(f, 'utf8').replace(/:\s*NaN\b/g, ': null'));

/** Every fit page: its blocks (text, features, rule) and what the references say. */
function loadPages() {
  const pages = [];
  const aebDir = join(args.corpora, 'aeb-dev');
  for (const [id, v] of Object.entries(readJson(join(aebDir, 'ground-truth.json')))) {
    if (partOf(id) !== 'fit') continue;
    pages.push({
      set: 'aeb',
      id,
      path: join(aebDir, 'html', `${id}.html.gz`),
      url: v.url,
      truth: v.articleBody,
    });
  }
  const trafDir = join(args.corpora, 'trafilatura-dev');
  for (const [id, v] of Object.entries(readJson(join(trafDir, 'evaldata.json')))) {
    if (partOf(id) !== 'fit') continue;
    const url = /^https?:\/\//.test(id) ? id : `https://unknown.invalid/${v.file}`;
    pages.push({
      set: 'traf',
      id,
      path: join(trafDir, 'pages', v.file),
      url,
      with: v.with,
      without: v.without,
    });
  }
  for (const p of pages) {
    p.blocks = [];
    try {
      const html = decodeHtmlFile(readFileSync(p.path));
      extractArticle({ html, url: p.url }, { onBlocks: b => (p.blocks = b) });
    } catch (err) {
      console.error(`${p.id}: ${err.message}`);
    }
    label(p);
  }
  return pages.filter(p => p.blocks.length);
}

// Tokens as the AEB scorer's Python \w+ (letters, digits, marks, underscore).
const WORD = /[\p{L}\p{N}\p{M}_]+/gu;
const tokenize = s => s.match(WORD) ?? [];
const shingles = (toks, n = 4) => {
  if (!toks.length) return [];
  if (toks.length < n) return [toks.join(' ')];
  const out = [];
  for (let i = 0; i + n <= toks.length; i++) out.push(toks.slice(i, i + n).join(' '));
  return out;
};
const ws = s => s.replace(/\s+/g, ' ').trim();

/** Labels (1 content, 0 not, null unknown) and weights of a page's blocks. */
function label(p) {
  if (p.set === 'aeb') {
    const truthSh = new Set(shingles(tokenize(p.truth)));
    const truthText = ` ${tokenize(p.truth).join(' ')} `;
    p.truthShingles = shingles(tokenize(p.truth));
    for (const b of p.blocks) {
      const toks = tokenize(b.text);
      const sh = shingles(toks);
      b.shingles = sh;
      if (!toks.length) {
        b.label = null;
        continue;
      }
      const inTruth =
        toks.length < 4
          ? truthText.includes(` ${toks.join(' ')} `)
            ? 1
            : 0
          : sh.filter(s => truthSh.has(s)).length / sh.length;
      b.label = inTruth >= 0.5 ? 1 : 0;
    }
  } else {
    const withS = (p.with ?? []).map(ws).filter(Boolean);
    const withoutS = (p.without ?? []).map(ws).filter(Boolean);
    for (const b of p.blocks) {
      const t = ws(b.text);
      const hits = list => list.some(s => t.includes(s) || (t.length >= 15 && s.includes(t)));
      const pos = hits(withS);
      const neg = hits(withoutS);
      b.label = pos && !neg ? 1 : neg && !pos ? 0 : null;
    }
  }
  // Every page weighs the same; within a page, a block weighs by the square root of its length.
  const labelled = p.blocks.filter(b => b.label !== null);
  const sum = labelled.reduce((a, b) => a + Math.sqrt(b.text.length), 0) || 1;
  for (const b of labelled) b.weight = Math.sqrt(b.text.length) / sum;
}

// ---------------------------------------------------------------- model

function columns() {
  const drop = args.drop.map(d => (d.endsWith('*') ? n => n.startsWith(d.slice(0, -1)) : n => n === d));
  return FEATURE_NAMES.map((name, i) => ({ name, i })).filter(
    ({ name }) => name === 'bias' || !drop.some(f => f(name)),
  );
}

/** L2-regularized logistic regression by Newton's method (IRLS), on standardized features. */
function train(samples, cols) {
  const d = cols.length;
  const mean = new Array(d).fill(0);
  const scale = new Array(d).fill(1);
  let wsum = 0;
  for (const s of samples) wsum += s.w;
  cols.forEach((c, k) => {
    if (c.name === 'bias') return;
    let m = 0;
    for (const s of samples) m += s.w * s.x[c.i];
    m /= wsum;
    let v = 0;
    for (const s of samples) v += s.w * (s.x[c.i] - m) ** 2;
    mean[k] = m;
    scale[k] = Math.sqrt(v / wsum) || 1;
  });
  const X = samples.map(s => cols.map((c, k) => (c.name === 'bias' ? 1 : (s.x[c.i] - mean[k]) / scale[k])));
  let w = new Array(d).fill(0);
  for (let iter = 0; iter < 30; iter++) {
    const g = new Array(d).fill(0);
    const H = Array.from({ length: d }, () => new Array(d).fill(0));
    samples.forEach((s, n) => {
      const x = X[n];
      let z = 0;
      for (let k = 0; k < d; k++) z += w[k] * x[k];
      const p = 1 / (1 + Math.exp(-z));
      const r = s.w * (p - s.y);
      const h = s.w * p * (1 - p);
      for (let a = 0; a < d; a++) {
        g[a] += r * x[a];
        const ha = h * x[a];
        for (let b = a; b < d; b++) H[a][b] += ha * x[b];
      }
    });
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) H[a][b] = H[b][a];
      if (cols[a].name !== 'bias') {
        g[a] += (args.lambda / samples.length) * w[a] * wsum;
        H[a][a] += (args.lambda / samples.length) * wsum;
      }
      H[a][a] += 1e-9;
    }
    const step = solve(H, g);
    let delta = 0;
    w = w.map((v, k) => {
      delta = Math.max(delta, Math.abs(step[k]));
      return v - step[k];
    });
    if (delta < 1e-6) break;
  }
  return { cols, mean, scale, w };
}

function solve(A, b) {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    const d = M[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / d;
      if (!f) continue;
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n] / (row[i] || 1e-12));
}

/**
 * Gradient-boosted trees (second-order, as XGBoost): `rounds` trees of depth `depth`, shrinkage `eta`,
 * split candidates at feature quantiles. Returns a model predict() understands.
 */
function trainTrees(samples, cols, { rounds = 150, depth = 3, eta = 0.1, minHess = 0.002, lambda = 1 } = {}) {
  const n = samples.length;
  const margin = new Float64Array(n);
  const wsum = samples.reduce((a, s) => a + s.w, 0);
  const w = samples.map(s => s.w / wsum);
  // Candidate thresholds per column: up to 16 quantiles of its values.
  const cands = cols.map(c => {
    if (c.name === 'bias') return [];
    const vals = [...new Set(samples.map(s => s.x[c.i]))].sort((a, b) => a - b);
    if (vals.length <= 16) return vals.slice(0, -1).map((v, k) => (v + vals[k + 1]) / 2);
    const out = [];
    for (let q = 1; q < 16; q++) out.push(vals[Math.floor((q * vals.length) / 16)]);
    return [...new Set(out)];
  });
  const trees = [];
  for (let r = 0; r < rounds; r++) {
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const p = 1 / (1 + Math.exp(-margin[k]));
      g[k] = w[k] * (p - samples[k].y);
      h[k] = w[k] * p * (1 - p);
    }
    const build = (idx, d) => {
      let G = 0;
      let Hs = 0;
      for (const k of idx) {
        G += g[k];
        Hs += h[k];
      }
      const leaf = { value: (-eta * G) / (Hs + lambda * 1e-3) };
      if (d >= depth || idx.length < 4) return leaf;
      let best = null;
      const base = (G * G) / (Hs + lambda * 1e-3);
      cols.forEach((c, ci) => {
        for (const t of cands[ci]) {
          let GL = 0;
          let HL = 0;
          for (const k of idx) {
            if (samples[k].x[c.i] <= t) {
              GL += g[k];
              HL += h[k];
            }
          }
          const GR = G - GL;
          const HR = Hs - HL;
          if (HL < minHess * 1e-3 || HR < minHess * 1e-3) continue;
          const gain = (GL * GL) / (HL + lambda * 1e-3) + (GR * GR) / (HR + lambda * 1e-3) - base;
          if (!best || gain > best.gain) best = { gain, f: c.i, t };
        }
      });
      if (!best || best.gain <= 0) return leaf;
      const left = idx.filter(k => samples[k].x[best.f] <= best.t);
      const right = idx.filter(k => samples[k].x[best.f] > best.t);
      return {
        f: best.f,
        t: best.t,
        value: leaf.value,
        left: build(left, d + 1),
        right: build(right, d + 1),
      };
    };
    const tree = build([...Array(n).keys()], 0);
    trees.push(tree);
    for (let k = 0; k < n; k++) margin[k] += treeValue(tree, samples[k].x);
  }
  return { kind: 'trees', trees, cols };
}

function treeValue(node, x) {
  while (node.left) node = x[node.f] <= node.t ? node.left : node.right;
  return node.value;
}

function predict(model, x) {
  if (model.kind === 'trees') {
    let z = 0;
    for (const t of model.trees) z += treeValue(t, x);
    return 1 / (1 + Math.exp(-z));
  }
  let z = 0;
  model.cols.forEach(
    (c, k) => (z += model.w[k] * (c.name === 'bias' ? 1 : (x[c.i] - model.mean[k]) / model.scale[k])),
  );
  return 1 / (1 + Math.exp(-z));
}

// ---------------------------------------------------------------- page-level measures

/** AEB measure over pages, from the kept blocks' text (as the benchmark: per-page shares, macro P and R). */
function aebScore(pages, keep) {
  let P = 0;
  let nP = 0;
  let R = 0;
  let nR = 0;
  for (const p of pages) {
    const truth = new Map();
    for (const s of p.truthShingles) truth.set(s, (truth.get(s) ?? 0) + 1);
    const pred = new Map();
    for (const s of shingles(
      tokenize(
        p.blocks
          .filter(keep)
          .map(b => b.text)
          .join('\n'),
      ),
    )) {
      pred.set(s, (pred.get(s) ?? 0) + 1);
    }
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [s, c] of pred) {
      const t = truth.get(s) ?? 0;
      tp += Math.min(c, t);
      fp += Math.max(0, c - t);
    }
    for (const [s, c] of truth) fn += Math.max(0, c - (pred.get(s) ?? 0));
    const all = tp + fp + fn || 1;
    const [a, b, c] = [tp / all, fp / all, fn / all];
    if (a + b > 0) {
      P += a / (a + b);
      nP++;
    }
    if (a + c > 0) {
      R += a / (a + c);
      nR++;
    }
  }
  const prec = P / (nP || 1);
  const rec = R / (nR || 1);
  return { f1: (2 * prec * rec) / (prec + rec || 1), precision: prec, recall: rec };
}

/** Snippet measure (trafilatura's) on the kept blocks' text. */
function snippetScore(pages, keep) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of pages) {
    const text = ws(
      p.blocks
        .filter(keep)
        .map(b => b.text)
        .join(' '),
    );
    for (const s of p.with ?? []) {
      if (text.includes(ws(s))) tp++;
      else fn++;
    }
    for (const s of p.without ?? []) if (text.includes(ws(s))) fp++;
  }
  return {
    f1: (2 * tp) / (2 * tp + fp + fn || 1),
    precision: tp / (tp + fp || 1),
    recall: tp / (tp + fn || 1),
  };
}

function report(name, pages, keep) {
  const a = aebScore(
    pages.filter(p => p.set === 'aeb'),
    keep,
  );
  const s = snippetScore(
    pages.filter(p => p.set === 'traf'),
    keep,
  );
  const f = x => x.toFixed(3);
  console.log(
    `${name.padEnd(28)} aeb F1 ${f(a.f1)} (P ${f(a.precision)} R ${f(a.recall)})   snippets F1 ${f(s.f1)} (P ${f(s.precision)} R ${f(s.recall)})`,
  );
  return { aeb: a, snippets: s };
}

// ---------------------------------------------------------------- main

// --reuse: the blocks of the last run (.eval/extract/blocks-fit.json), e.g. to try other options quickly.
const cache = resolve('.eval/extract/blocks-fit.json');
const pages = args.reuse && existsSync(cache) ? JSON.parse(readFileSync(cache, 'utf8')) : loadPages();
if (!args.reuse) {
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(cache, JSON.stringify(pages));
}
// --vote FILE ({page id: text}): another extractor's output; each block gets a feature "in its text"
// (measuring paragraph-level voting without wiring that extractor into the pipeline).
if (args.vote) {
  const other = JSON.parse(readFileSync(args.vote, 'utf8'));
  const vi = FEATURE_NAMES.length;
  for (const p of pages) {
    const text = ws(other[p.id] ?? '');
    for (const b of p.blocks) {
      const t = ws(b.text);
      b.features = [...b.features.slice(0, vi), t.length > 0 && text.includes(t) ? 1 : 0];
    }
  }
  FEATURE_NAMES.push('in_vote');
}
const cols = columns();
const nLabelled = pages.reduce((a, p) => a + p.blocks.filter(b => b.label !== null).length, 0);
console.log(
  `fit pages with blocks: ${pages.length} (aeb ${pages.filter(p => p.set === 'aeb').length}, traf ${pages.filter(p => p.set === 'traf').length}); labelled blocks ${nLabelled}; features ${cols.length}`,
);
const samplesOf = ps =>
  ps.flatMap(p =>
    p.blocks.filter(b => b.label !== null).map(b => ({ x: b.features, y: b.label, w: b.weight })),
  );

// Grouped cross-validation: every page is scored by a model that did not see it.
const folds = args.folds;
const order = pages.map((p, i) => i).sort((a, b) => (pages[a].id < pages[b].id ? -1 : 1));
const foldOf = new Map(order.map((pi, k) => [pi, k % folds]));
for (let f = 0; f < folds; f++) {
  const fitSamples = samplesOf(pages.filter((_, i) => foldOf.get(i) !== f));
  const model = args.trees ? trainTrees(fitSamples, cols, args.trees) : train(fitSamples, cols);
  pages.forEach((p, i) => {
    if (foldOf.get(i) !== f) return;
    for (const b of p.blocks) b.cv = predict(model, b.features);
  });
}
console.log('\ncross-validation on the fit pages (no page scored by a model that saw it):');
report('rules alone (keep all)', pages, () => true);
if (args.vote) report('vote alone (in its text)', pages, b => b.features[FEATURE_NAMES.length - 1] === 1);
for (const t of args.thresholds) report(`model, threshold ${t}`, pages, b => b.cv >= t);
const fi = name => FEATURE_NAMES.indexOf(name);
const bodyProse = b => b.features[fi('prose')] === 1 && !b.features[fi('head')] && !b.features[fi('tail')];
for (const t of args.thresholds) {
  report(`guarded model, threshold ${t}`, pages, b => bodyProse(b) || b.cv >= t);
}

const final = train(samplesOf(pages), cols);
console.log('\nweights (standardized features), largest first:');
final.cols
  .map((c, k) => [c.name, final.w[k]])
  .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
  .slice(0, 25)
  .forEach(([n, w]) => console.log(`  ${n.padEnd(24)} ${w.toFixed(3)}`));

if (args.write) {
  const full = FEATURE_NAMES.map((name, i) => {
    const k = final.cols.findIndex(c => c.i === i);
    return k < 0
      ? { w: 0, mean: 0, scale: 1 }
      : { w: final.w[k], mean: final.mean[k], scale: final.scale[k] };
  });
  const out = {
    trainedOn: 'fit parts of aeb-dev and trafilatura-dev (eval/split.mjs); eval/extract/train-blocks.mjs',
    options: { lambda: args.lambda, drop: args.drop },
    features: FEATURE_NAMES,
    mean: full.map(f => round(f.mean)),
    scale: full.map(f => round(f.scale)),
    weights: full.map(f => round(f.w)),
    threshold: args.threshold,
  };
  const file = resolve('src/extract/content/block-model.json');
  writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  // In the repository's own format, so `npm run format:check` stays green.
  spawnSync(process.execPath, [resolve('node_modules/prettier/bin/prettier.cjs'), '--write', file]);
  console.log('\nwrote src/extract/content/block-model.json');
}

function round(x) {
  return Math.round(x * 1e6) / 1e6;
}

function parseArgs(argv) {
  const a = {
    corpora: resolve('../shared/corpora'),
    lambda: 1,
    folds: 5,
    write: false,
    reuse: false,
    drop: [],
    thresholds: [0.1, 0.15, 0.2, 0.3, 0.4, 0.5],
    threshold: 0.2,
  };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--corpora') a.corpora = resolve(v);
    else if (k === '--lambda') a.lambda = Number(v);
    else if (k === '--folds') a.folds = Number(v);
    else if (k === '--threshold') a.threshold = Number(v);
    else if (k === '--drop') a.drop = v.split(',');
    else if (k === '--trees') {
      const [rounds, depth, eta] = v.split(',').map(Number);
      a.trees = { rounds, depth, eta };
    } else if (k === '--vote') a.vote = v;
    else if (k === '--errors') a.errors = Number(v);
    else if (k === '--reuse') {
      a.reuse = true;
      continue;
    } else if (k === '--write') {
      a.write = true;
      continue;
    } else {
      console.error(`train-blocks: unknown option ${k}`);
      process.exit(2);
    }
    i++;
  }
  return a;
}

if (args.errors) {
  // The fit blocks the cross-validated model gets wrong, heaviest first (for designing features; fit only).
  const errs = pages.flatMap(p =>
    p.blocks
      .filter(b => b.label !== null && (b.cv >= args.threshold ? 1 : 0) !== b.label)
      .map(b => ({
        set: p.set,
        id: p.id.slice(0, 50),
        y: b.label,
        p: b.cv.toFixed(2),
        w: b.weight,
        text: b.text.slice(0, 140),
      })),
  );
  errs.sort((a, b) => b.w - a.w);
  for (const e of errs.slice(0, args.errors)) {
    console.log(`${e.set} y=${e.y} p=${e.p} ${e.id} | ${e.text}`);
  }
}
