#!/usr/bin/env node
// The naive contender as a whole process, as someone would write it: jsdom + @mozilla/readability over the
// files of a corpus, each once, one line of text length per page. Used by bench/extract/shipped.mjs.
//   node bench/extract/naive-once.mjs DIR LIMIT
import { Readability } from '@mozilla/readability';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { gunzipSync } from 'node:zlib';
import { JSDOM, VirtualConsole } from 'jsdom';

const [dir, limit] = process.argv.slice(2);
const htmlDir = readdirSync(dir).includes('html') ? join(dir, 'html') : dir;
const files = readdirSync(htmlDir)
  .filter(f => /\.html?(\.gz)?$/i.test(f))
  .sort()
  .slice(0, Number(limit) || undefined);
const silent = new VirtualConsole();
for (const f of files) {
  const raw = readFileSync(join(htmlDir, f));
  const html = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const dom = new JSDOM(html, { url: 'https://bench.invalid/', virtualConsole: silent });
  let text = '';
  try {
    text = new Readability(dom.window.document).parse()?.textContent ?? '';
  } catch {
    // a page it cannot handle counts as done
  }
  dom.window.close();
  process.stdout.write(`${text.length}\n`);
}
