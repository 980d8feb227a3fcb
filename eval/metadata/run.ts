/**
 * Scores the metadata reader alone (no Readability) on the dev corpora:
 *   node dist/eval/metadata/run.js [--corpora ../shared/corpora] [--dom lite|jsdom|linkedom] [--out DIR] [--only SET]
 * Writes predictions for dates-dev (publishedAt), trafilatura-dev (author; date) and runs the shared scorer.
 * Skips cleanly when the corpora are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOM_KINDS, openDocument, type DomKind } from '../../src/extract/content/dom/index.js';
import { prestrip } from '../../src/extract/content/prestrip.js';
import { readPageMetadata, type PageMetadata } from '../../src/extract/metadata/index.js';
import { decodeHtml } from './decode.js';

interface Args {
  corpora: string;
  dom: DomKind;
  out: string;
  only: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    corpora: resolve('../shared/corpora'),
    dom: 'lite',
    out: resolve('.eval/metadata'),
    only: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--corpora' && v) args.corpora = resolve(v);
    else if (a === '--dom' && (DOM_KINDS as readonly string[]).includes(v ?? '')) args.dom = v as DomKind;
    else if (a === '--out' && v) args.out = resolve(v);
    else if (a === '--only' && v) args.only = v;
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
    // Upstream files contain bare NaN (not JSON); read it as null.
    const gt = JSON.parse(readFileSync(set.gt, 'utf8').replace(/:\s*NaN\b/g, ': null')) as Record<
      string,
      Item
    >;
    const dates: Record<string, string | null> = {};
    const days: Record<string, string | null> = {};
    const authors: Record<string, string | null> = {};
    const sources: Record<string, string | null> = {};
    const authorSources: Record<string, string | null> = {};
    const started = Date.now();
    for (const [url, item] of Object.entries(gt)) {
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
    const score = (pred: string, method: string, extra: string[] = []): void => {
      const r = spawnSync(
        'python3',
        [
          scorer,
          set.gt,
          pred,
          '--method',
          method,
          '--n-bootstrap',
          '0',
          '--per-doc',
          pred.replace(/\.json$/, '.tsv'),
          ...extra,
        ],
        {
          encoding: 'utf8',
        },
      );
      process.stdout.write(r.stdout + r.stderr);
    };
    if (set.name === 'dates-dev') {
      score(write('publishedAt', dates), 'date', ['--name', 'publishedAt (UTC)']);
      score(write('publishedDay', days), 'date', ['--name', 'publishedDay (local)']);
      bySource(join(args.out, `${set.name}.publishedAt.tsv`), sources, 'tp');
    } else {
      score(write('author', authors), 'author', ['--name', 'authors']);
      bySource(join(args.out, `${set.name}.author.tsv`), authorSources, 'exact');
      score(write('publishedAt', dates), 'date', ['--skip-empty-refs', '--name', 'publishedAt (UTC)']);
    }
  }
}

run();
