#!/usr/bin/env node
// What each extraction step adds: runs eval:extract once with every step (baseline) and once without each
// step (`newsflow extract --without STEP`), and prints the change of every metric on the fit and the
// validation part. A step earns its place when leaving it out costs on the validation part; a step whose
// gain shows on fit pages only was fitted to them (docs/QUALITY.md, issue 15).
//
//   npm run build && node eval/extract/ablate.mjs [--corpora DIR] [--only aeb,rp,traf] [--steps a,b,…]
// Figures and per-step runs are written under .eval/ablate/ (git-ignored).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { EXTRACT_STEPS } from '../../dist/src/extract/steps.js';

const opt = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const corpora = resolve(opt('--corpora', '../shared/corpora'));
const only = opt('--only', 'aeb,rp,traf');
const steps = opt('--steps', EXTRACT_STEPS.join(',')).split(',');
const out = resolve('.eval/ablate');
if (!existsSync(corpora)) {
  console.log(`eval ablate skipped: ${corpora} not found`);
  process.exit(0);
}
mkdirSync(out, { recursive: true });

function run(step) {
  const name = step ?? 'baseline';
  const summary = join(out, `${name}.json`);
  const args = ['eval/extract/run.mjs', '--corpora', corpora, '--only', only, '--out', join(out, name)];
  args.push('--summary', summary, ...(step ? ['--without', step] : []));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    throw new Error(`eval:extract failed for ${name}`);
  }
  const figures = {};
  // Content metrics only: the steps remove content; authors and dates do not depend on them.
  for (const row of JSON.parse(readFileSync(summary, 'utf8'))) {
    if (!['aeb', 'snippets'].includes(row.scored.fit.json.method)) continue;
    figures[row.name] = { fit: row.scored.fit.json.f1, validation: row.scored.validation.json.f1 };
  }
  return figures;
}

const base = run(null);
const metrics = Object.keys(base);
const fmt = d => (d >= 0 ? '+' : '') + d.toFixed(3);
console.log(
  `step without → Δ fit / Δ validation per metric (baseline: ${metrics.map(m => `${m} ${base[m].fit.toFixed(3)} / ${base[m].validation.toFixed(3)}`).join('; ')})`,
);
console.log(['step', ...metrics].join('\t'));
for (const step of steps) {
  const f = run(step);
  const cells = metrics.map(
    m => `${fmt(f[m].fit - base[m].fit)} / ${fmt(f[m].validation - base[m].validation)}`,
  );
  console.log([step, ...cells].join('\t'));
}
