/**
 * Scores the metadata reader alone (no Readability) on the dev corpora:
 *   node dist/eval/metadata/run.js [--corpora ../shared/corpora] [--dom lite|jsdom|linkedom] [--out DIR] [--only SET]
 * Writes predictions for dates-dev (publishedAt), trafilatura-dev (author; date) and runs the shared scorer
 * on the fit part, the validation part (eval/split.mjs) and the whole set. `--part fit` reads and scores the
 * fit pages only (iterate on rules without reading validation pages). Skips cleanly when the corpora are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOM_KINDS, openDocument, type DomKind } from '../../src/extract/content/dom/index.js';
import { prestrip } from '../../src/extract/content/prestrip.js';
import { readPageMetadata, type PageMetadata } from '../../src/extract/metadata/index.js';
import { PARTS, partOf, pick, type Part } from '../split.mjs';
import { decodeHtml } from './decode.js';

interface Args {
  corpora: string;
  dom: DomKind;
  out: string;
  only: string | null;
  parts: Part[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    corpora: resolve('../shared/corpora'),
    dom: 'lite',
    out: resolve('.eval/metadata'),
    only: null,
    parts: [...PARTS],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--corpora' && v) args.corpora = resolve(v);
    else if (a === '--dom' && (DOM_KINDS as readonly string[]).includes(v ?? '')) args.dom = v as DomKind;
    else if (a === '--out' && v) args.out = resolve(v);
    else if (a === '--only' && v) args.only = v;
    else if (a === '--part' && (v === 'fit' || v === 'validation')) args.parts = [v];
    else continue;
    i++;
  }
  return args;
}

/** The same path as the extractor: pre-strip, then the chosen DOM. */
function readMeta(html: string, url: string, dom: DomKind): PageMetadata {
  const opened = openDocument(prestrip(html), url, dom);
  try {
    return readPageMetadata(opened.document, url);
  } finally {
    opened.close();
  }
}

interface Item {
  file: string;
}

/** Which source decided each page, and how often it was right (from the scorer's per-document TSV). */
function bySource(tsv: string, sources: Record<string, string | null>, okColumn: string): void {
  if (!existsSync(tsv)) return;
  const [header, ...rows] = readFileSync(tsv, 'utf8').trim().split('\n');
  const cols = (header ?? '').split('\t');
  const urlIdx = cols.indexOf('url');
  const okIdx = cols.indexOf(okColumn);
  const table = new Map<string, { n: number; ok: number }>();
  for (const row of rows) {
    const cells = row.split('\t');
    const src = sources[cells[urlIdx] ?? ''] ?? '(none)';
    const entry = table.get(src) ?? { n: 0, ok: 0 };
    entry.n++;
    if (cells[okIdx] === '1') entry.ok++;
    table.set(src, entry);
  }
  console.log('  source                 pages  correct');
  for (const [src, { n, ok }] of [...table.entries()].sort((a, b) => b[1].n - a[1].n)) {
    console.log(`  ${src.padEnd(22)} ${String(n).padStart(5)}  ${String(ok).padStart(7)}`);
  }
}

function run(): void {
  const args = parseArgs(process.argv.slice(2));
  const scorer = join(args.corpora, '..', 'tools', 'eval_extract.py');
  if (!existsSync(args.corpora) || !existsSync(scorer)) {
    console.log(`corpora or scorer not found under ${args.corpora}: skipped`);
    return;
  }
  mkdirSync(args.out, { recursive: true });
  const sets = [
    {
      name: 'dates-dev',
      gt: join(args.corpora, 'dates-dev', 'eval.json'),
      pages: join(args.corpora, 'dates-dev', 'pages'),
    },
    {
      name: 'trafilatura-dev',
      gt: join(args.corpora, 'trafilatura-dev', 'evaldata.json'),
      pages: join(args.corpora, 'trafilatura-dev', 'pages'),
    },
  ].filter(s => !args.only || s.name === args.only);
  for (const set of sets) {
    const gt = readTruth(set.gt);
    const dates: Record<string, string | null> = {};
    const days: Record<string, string | null> = {};
    const authors: Record<string, string | null> = {};
    const sources: Record<string, string | null> = {};
    const authorSources: Record<string, string | null> = {};
    const started = Date.now();
    for (const [url, item] of Object.entries(gt)) {
      if (!args.parts.includes(partOf(url))) continue;
      const path = join(set.pages, item.file);
      if (!existsSync(path)) continue;
      let meta: PageMetadata;
      try {
        meta = readMeta(decodeHtml(readFileSync(path)), url, args.dom);
      } catch (err) {
        console.error(`${item.file}: ${(err as Error).message}`);
        continue;
      }
      dates[url] = meta.publishedAt;
      days[url] = meta.publishedDay;
      sources[url] = meta.publishedSource;
      authors[url] = meta.authors.length ? meta.authors.join('; ') : null;
      authorSources[url] = meta.authorsSource;
    }
    const secs = (Date.now() - started) / 1000;
    console.log(`\n== ${set.name}: ${Object.keys(dates).length} pages in ${secs.toFixed(1)} s (${args.dom})`);
    const write = (name: string, data: unknown): string => {
      const p = join(args.out, `${set.name}.${name}.json`);
      writeFileSync(p, JSON.stringify(data, null, 1));
      return p;
    };
    write('sources', sources);
    write('author-sources', authorSources);
    const scoredParts: ScoredPart[] = args.parts.length > 1 ? [...args.parts, 'all'] : args.parts;
    // The ground truth of each part, written once (bare NaN dates kept: the scorer counts them apart).
    const truthFiles = new Map<ScoredPart, string>();
    for (const part of scoredParts) {
      const file = join(args.out, `${set.name}.${part}.truth.json`);
      writeTruth(file, part === 'all' ? gt : pick(gt, part));
      truthFiles.set(part, file);
    }
    /** Scores `pred` on every part; prints one line per part and the fit − validation gap. */
    const score = (
      name: string,
      pred: Record<string, unknown>,
      method: string,
      extra: string[] = [],
    ): void => {
      const values = new Map<ScoredPart, number>();
      for (const part of scoredParts) {
        const truth = truthFiles.get(part) as string;
        const subset = part === 'all' ? pred : pick(pred, part);
        const predFile = write(`${name}.${part}`, subset);
        const jsonOut = predFile.replace(/\.json$/, '.scores.json');
        const r = spawnSync(
          'python3',
          [scorer, truth, predFile, '--method', method, '--n-bootstrap', '0', '--json-out', jsonOut]
            .concat(['--per-doc', predFile.replace(/\.json$/, '.tsv'), '--name', `${name} [${part}]`])
            .concat(extra),
          { encoding: 'utf8' },
        );
        process.stdout.write(
          r.stdout
            .split('\n')
            .filter(l => !/^\s+(docs|n)\b/.test(l) && !/^ {20}/.test(l))
            .join('\n'),
        );
        if (r.status !== 0) {
          process.stdout.write(r.stderr);
          continue;
        }
        const json = JSON.parse(readFileSync(jsonOut, 'utf8')) as { f1?: number; exact_pct?: number };
        values.set(part, method === 'author' ? (json.exact_pct ?? 0) : (json.f1 ?? 0));
      }
      const fit = values.get('fit');
      const validation = values.get('validation');
      if (fit !== undefined && validation !== undefined) {
        const gap = fit - validation;
        console.log(
          `  gap (fit − validation): ${method === 'author' ? `${gap.toFixed(1)} points` : gap.toFixed(3)}`,
        );
      }
    };
    // Which source decided: on the fit part only (the part rules may be designed on).
    const fitTsv = (name: string): string => join(args.out, `${set.name}.${name}.fit.tsv`);
    if (set.name === 'dates-dev') {
      score('publishedAt', dates, 'date');
      score('publishedDay', days, 'date');
      if (args.parts.includes('fit')) bySource(fitTsv('publishedAt'), sources, 'tp');
    } else {
      score('authors', authors, 'author');
      if (args.parts.includes('fit')) bySource(fitTsv('authors'), authorSources, 'exact');
      score('publishedAt', dates, 'date', ['--skip-empty-refs']);
    }
  }
}

type ScoredPart = Part | 'all';

const NAN = '__NaN__';
/** A ground-truth file with its bare NaN values (not JSON) held as a marker string. */
function readTruth(file: string): Record<string, Item> {
  return JSON.parse(readFileSync(file, 'utf8').replace(/:\s*NaN\b/g, `: "${NAN}"`)) as Record<string, Item>;
}
function writeTruth(file: string, truth: Record<string, Item>): void {
  writeFileSync(file, JSON.stringify(truth).replaceAll(JSON.stringify(NAN), 'NaN'));
}

run();
