#!/usr/bin/env node
// Adds a golden page, like mozilla/readability's generate-testcase:
//   node scripts/new-page-fixture.mjs <slug> <file.html[.gz]|http(s)://url> --url <page address> [--now ISO]
// Writes tests/fixtures/pages/<slug>/source.html (decoded to UTF-8) and an expected.json describing what
// extraction produces today: kind, metadata, and the first and last sentences of the text as
// contentIncludes. Review it (fix what is wrong, add contentExcludes for the boilerplate you saw), then run
// `npx vitest run tests/unit/extract/pages.test.ts`. Only commit pages whose text may be redistributed:
// the fixtures in this folder are written for the project (see each expected.json's description).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { runnerImport } from 'vite';

const [slug, source, ...rest] = process.argv.slice(2);
const opt = name => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
if (!slug || !source || !/^[a-z0-9][a-z0-9-]*$/.test(slug)) {
  process.stderr.write(
    'usage: node scripts/new-page-fixture.mjs <slug> <file|url> --url <page address> [--now ISO]\n',
  );
  process.exit(2);
}
const dir = resolve('tests/fixtures/pages', slug);
if (existsSync(join(dir, 'expected.json'))) {
  process.stderr.write(`tests/fixtures/pages/${slug} exists; pick another slug or delete it first\n`);
  process.exit(2);
}
const load = m => runnerImport(resolve(m), { configFile: false, logLevel: 'silent' }).then(r => r.module);
const { extractArticle } = await load('src/extract/extract.ts');
const { decodeHtmlFile } = await load('src/cli/commands/extract.ts');

let html;
let url = opt('--url');
if (/^https?:\/\//i.test(source)) {
  const res = await globalThis.fetch(source, { redirect: 'follow' });
  html = decodeHtmlFile(Buffer.from(await res.arrayBuffer()));
  url ??= res.url;
} else {
  html = decodeHtmlFile(readFileSync(source));
}
if (!url) {
  process.stderr.write('--url <page address> is required for a file\n');
  process.exit(2);
}
const now = opt('--now') ?? new Date().toISOString();
const outcome = extractArticle({ html, url }, { now: () => Date.parse(now) });

const expectation = { kind: outcome.kind };
if (outcome.kind === 'skipped') expectation.reason = outcome.reason;
if (outcome.kind === 'blocked') {
  Object.assign(expectation, { reason: outcome.reason, interstitial: outcome.interstitial });
}
if (outcome.kind === 'article') {
  const a = outcome.article;
  for (const k of [
    'title',
    'authors',
    'siteName',
    'publishedAt',
    'modifiedAt',
    'lang',
    'canonicalUrl',
    'leadImage',
    'tags',
    'access',
    'contentSource',
  ]) {
    expectation[k] = a[k];
  }
  expectation.attribution = a.attribution && {
    originalUrl: a.attribution.originalUrl,
    method: a.attribution.method,
  };
  const lines = a.contentText.split('\n').filter(l => l.split(' ').length >= 8);
  const sentence = l => l.split(/(?<=[.!?])\s/)[0].slice(0, 120);
  expectation.contentIncludes = [
    ...new Set([lines[0], lines[lines.length - 1]].filter(Boolean).map(sentence)),
  ];
  expectation.contentExcludes = [];
  expectation.minWords = Math.floor(a.wordCount * 0.9);
}

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'source.html'), html);
const spec = {
  description: 'TODO: what this page tests, and where its text comes from.',
  url,
  now,
  expect: expectation,
};
writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(spec, null, 2)}\n`);
process.stdout.write(
  `wrote tests/fixtures/pages/${slug}/ (${outcome.kind}); review expected.json before committing\n`,
);
