// The extraction-only half of the end-to-end CPU split: the same pages the pipeline run just processed,
// fetched from the same synthetic site, through extractArticle on this one thread (the built code the
// extractor's pool threads run). Prints one JSON line: {pages, cold, warm}, each {wallS, processCpuS, threadCpuS}.
// "cold" is the first pass in a fresh process, like a pool thread's first pages; "warm" a second pass.
//   node bench/lib/extract-cpu.mjs ORIGIN COUNT
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [origin, countArg] = process.argv.slice(2);
const count = Number(countArg);
const { extractArticle } = await import(pathToFileURL(resolve('dist/src/extract/extract.js')).href);

const pages = [];
for (let i = 0; i < count; i++) {
  const url = `${origin}/a/${i}`;
  const res = await globalThis.fetch(url);
  pages.push({ url, html: await res.text() });
}

function threadCpu() {
  try {
    const line = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function pass() {
  const c0 = process.cpuUsage();
  const th0 = threadCpu();
  const t0 = performance.now();
  let articles = 0;
  for (const p of pages) {
    const r = extractArticle({ html: p.html, url: p.url });
    if (r.kind === 'article') articles++;
  }
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const th1 = threadCpu();
  return {
    wallS,
    processCpuS: (c.user + c.system) / 1e6,
    threadCpuS: th0 === null || th1 === null ? null : th1 - th0,
    articles,
  };
}

const cold = pass();
const warm = pass();
process.stdout.write(`${JSON.stringify({ pages: pages.length, cold, warm })}\n`);
