import { jsonText } from '../../shared/text.js';
import { CommanderError, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildConfig, loadConfig, type Config } from '../../config/load.js';
import type { BlockDecision } from '../../extract/content/classifier.js';
import { DOM_KINDS, type DomKind } from '../../extract/content/dom/kinds.js';
import { createExtractPool, ExtractTaskError, type ExtractPool } from '../../extract/pool.js';
import { EXTRACT_STEPS } from '../../extract/steps.js';
import type { ExtractInput, ExtractOutcome, FeedItemHints } from '../../extract/types.js';
import { decodeBody } from '../../fetch/charset.js';
import type { Fetcher } from '../../fetch/types.js';

// Loaded when needed: with the thread pool the extraction stack loads in the threads only, and the fetcher
// (undici, the address policy, robots) only for URLs — each costs a good part of a second of start-up.
type InProcess = typeof import('../../extract/extract.js');
let inProcess: InProcess | null = null;
const loadInProcess = async (): Promise<InProcess> =>
  (inProcess ??= await import('../../extract/extract.js'));

/** One thing to extract: a file (with the page address it came from) or a URL to fetch. */
export interface ExtractSource {
  /** What the output line names: the path or URL as given. */
  input: string;
  path?: string | undefined;
  url?: string | undefined;
  feedItem?: FeedItemHints | undefined;
}

interface ExtractCliOptions {
  url?: string;
  manifest?: string;
  dom?: string;
  threads?: string;
  trace?: boolean;
  explain?: boolean;
  without?: string;
}

/** A per-input failure: printed as that input's line, never fatal to the run. */
class InputError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

function usage(reason: string): never {
  process.stderr.write(`newsflow extract: ${reason}\n`);
  throw new CommanderError(2, 'newsflow.extract', reason);
}

/** Config when the folder has one, defaults otherwise: extraction is also a debugging tool. */
function extractConfig(dir: string | undefined): Config {
  try {
    return loadConfig(dir ?? 'config');
  } catch {
    return buildConfig(dir ?? 'config', {}, []);
  }
}

/** Reads a JSONL manifest: `{"path": …, "url": …}` or `{"url": …}` per line; paths are relative to it. */
export async function readManifest(file: string): Promise<ExtractSource[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    usage(`cannot read manifest ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const base = dirname(resolve(file));
  const out: ExtractSource[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let row: { path?: unknown; url?: unknown; feedItem?: unknown };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      usage(`${file}:${i + 1}: not a JSON object`);
    }
    const path = typeof row.path === 'string' && row.path ? resolve(base, row.path) : undefined;
    const url = typeof row.url === 'string' && row.url ? row.url : undefined;
    if (!path && !url) usage(`${file}:${i + 1}: needs "path" or "url"`);
    out.push({
      input: typeof row.path === 'string' && row.path ? row.path : (url as string),
      path,
      url,
      feedItem: row.feedItem && typeof row.feedItem === 'object' ? row.feedItem : undefined,
    });
  });
  return out;
}

/** Bytes → text: gunzip when gzipped (by magic number), then the fetcher's own rules (`fetch/charset.ts`). */
export function decodeHtmlFile(bytes: Buffer): string {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return decodeBody(raw, undefined, 'page').text;
}

async function loadSource(src: ExtractSource, fetcher: () => Promise<Fetcher>): Promise<ExtractInput> {
  if (src.path) {
    let bytes: Buffer;
    try {
      bytes = await readFile(src.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError('read', code === 'ENOENT' ? 'no such file' : (code ?? String(err)));
    }
    let html: string;
    try {
      html = decodeHtmlFile(bytes);
    } catch (err) {
      throw new InputError('decode', (err as Error).message);
    }
    return { html, url: src.url ?? pathToFileURL(src.path).href, feedItem: src.feedItem };
  }
  const url = src.url as string;
  const res = await (await fetcher()).fetch({ url, kind: 'page' });
  if (!res.ok) throw new InputError(`fetch:${res.class}`, res.reason);
  return {
    html: res.text,
    url: res.finalUrl,
    feedItem: src.feedItem,
    headers: { cfMitigated: res.headers.cfMitigated },
  };
}

/** The line printed for one input. */
export function outputLine(input: string, url: string, outcome: ExtractOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'article':
      return { input, url, ...outcome.article };
    case 'skipped':
      return { input, error: { class: outcome.reason, message: outcome.detail } };
    case 'blocked':
      return {
        input,
        error: { class: outcome.reason, message: `${outcome.interstitial}: ${outcome.detail}` },
      };
  }
}

/** One block's fate, as `--explain` prints it. */
interface Explained {
  /** `note`: a choice about the whole content (the story container used instead of Readability's). */
  decision: 'keep' | 'remove' | 'note';
  /** `rule:<name>` (boilerplate.ts, credits, story-container), `model`, or `model+guard` (kept despite it). */
  by: string;
  /** Probability of being content, for the classifier's decisions. */
  p?: number;
  /** The features that moved the classifier most: name and log-odds contribution. */
  evidence?: Record<string, number>;
  text: string;
}

function explainLine(d: BlockDecision): Explained {
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    decision: d.keep ? 'keep' : 'remove',
    by: d.forced ? `model+${d.forced.replace(/\s+/g, '-')}` : 'model',
    p: round(d.p),
    evidence: Object.fromEntries(d.evidence.map(([name, c]) => [name, round(c)])),
    text: d.text.slice(0, 300),
  };
}

function errorLine(input: string, err: unknown): Record<string, unknown> {
  if (
    err instanceof InputError ||
    err instanceof ExtractTaskError ||
    (inProcess && err instanceof inProcess.ExtractInputError)
  ) {
    return { input, error: { class: err.errorClass, message: err.message } };
  }
  const e = err as Error;
  return { input, error: { class: 'internal', message: e?.message ?? String(err) } };
}

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description(
      'Extract the article from HTML files (.html or .html.gz, any charset) or URLs; print one JSON line ' +
        'per input, in input order: the article, or {"input", "error": {"class", "message"}}. ' +
        'Exit 1 when any input failed',
    )
    .argument('[inputs...]', 'files or http(s) URLs')
    .option(
      '--url <url>',
      'the address the file(s) came from: base for links, dates in the path, attribution',
    )
    .option('--manifest <file.jsonl>', 'one {"path": …, "url": …} or {"url": …} per line')
    .option(
      '--dom <kind>',
      `DOM to run Readability on: ${DOM_KINDS.join(' | ')} (default: config extract.dom)`,
    )
    .option('--threads <n>', 'extraction threads (default: config extract.threads; 0 = one per core)')
    .option(
      '--without <steps>',
      'leave these extraction steps out (comma-separated rule names as --trace prints them, block-model, ' +
        'story-container): what each adds on your pages (eval:extract --without)',
    )
    .option('--trace', 'print each boilerplate removal to stderr as "input<TAB>rule<TAB>text"')
    .option(
      '--explain',
      'add "explain" to each article line: every block the rules removed (rule), and every block the ' +
        'classifier kept or removed with its probability and main evidence (runs in this thread)',
    )
    .action(async (inputs: string[], opts: ExtractCliOptions, cmd: Command) => {
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      const config = extractConfig(dir);
      const ex = config.service.extract;
      if (opts.dom && !(DOM_KINDS as readonly string[]).includes(opts.dom)) {
        usage(`--dom must be one of ${DOM_KINDS.join(', ')}`);
      }
      const dom = (opts.dom ?? ex.dom) as DomKind;
      const without = opts.without
        ? opts.without
            .split(',')
            .map(s => s.trim())
            .filter(Boolean)
        : [];
      const unknown = without.filter(s => !EXTRACT_STEPS.includes(s));
      if (unknown.length) {
        usage(`--without: no step ${unknown.join(', ')} (steps: ${EXTRACT_STEPS.join(', ')})`);
      }
      const withoutSet = without.length ? new Set(without) : undefined;
      const threadsOpt = opts.threads !== undefined ? Number(opts.threads) : ex.threads;
      if (!Number.isInteger(threadsOpt) || threadsOpt < 0) usage('--threads must be a whole number ≥ 0');
      if (opts.url !== undefined && !/^https?:\/\/./i.test(opts.url)) {
        usage(`--url must be an absolute http(s) URL, got "${opts.url}"`);
      }

      const sources: ExtractSource[] = inputs.map(i =>
        /^https?:\/\//i.test(i) ? { input: i, url: i } : { input: i, path: resolve(i), url: opts.url },
      );
      if (opts.manifest) sources.push(...(await readManifest(opts.manifest)));
      if (!sources.length) usage('give files, URLs or --manifest FILE.jsonl');

      let fetcher: Fetcher | null = null;
      const getFetcher = async (): Promise<Fetcher> => {
        if (fetcher) return fetcher;
        const { createFetcher, fetcherOptionsFromConfig } = await import('../../fetch/fetcher.js');
        return (fetcher ??= createFetcher(fetcherOptionsFromConfig(config.service.fetch)));
      };
      const useThreads = sources.length > 1 && threadsOpt !== 1 && !opts.explain;
      const pool: ExtractPool | null = useThreads
        ? createExtractPool({
            size: threadsOpt || undefined,
            heapMb: ex.heapMb,
            dom,
            without,
            maxHtmlChars: ex.maxHtmlChars,
            taskTimeoutMs: ex.timeout,
          })
        : null;

      const runOne = async (src: ExtractSource): Promise<Record<string, unknown>> => {
        try {
          const input = await loadSource(src, getFetcher);
          let outcome: ExtractOutcome;
          let trace: [string, string][] = [];
          const explained: Explained[] = [];
          if (pool) {
            const r = await pool.extract(input, { trace: !!opts.trace });
            outcome = r.outcome;
            trace = r.trace ?? [];
          } else {
            outcome = (await loadInProcess()).extractArticle(input, {
              dom,
              without: withoutSet,
              maxHtmlChars: ex.maxHtmlChars,
              ...(opts.trace || opts.explain
                ? { trace: (rule: string, text: string) => void trace.push([rule, text]) }
                : {}),
              ...(opts.explain ? { explain: (d: BlockDecision) => void explained.push(explainLine(d)) } : {}),
            });
          }
          if (opts.trace) {
            for (const [rule, text] of trace) process.stderr.write(`${src.input}\t${rule}\t${text}\n`);
          }
          const line = outputLine(src.input, input.url, outcome);
          if (opts.explain && outcome.kind === 'article') {
            // Rule removals first (the classifier only sees what they leave), then its decisions in order.
            const ruled = trace
              .filter(([rule]) => rule !== 'block-model')
              .map(([rule, text]): Explained => ({
                decision: rule === 'story-container' ? 'note' : 'remove',
                by: `rule:${rule}`,
                text,
              }));
            line.explain = [...ruled, ...explained];
          }
          return line;
        } catch (err) {
          return errorLine(src.input, err);
        }
      };

      // Bounded look-ahead keeps every thread busy; lines still come out in input order.
      const window = Math.max(2, (pool?.size ?? 1) * 2);
      const pending: Promise<Record<string, unknown>>[] = [];
      let next = 0;
      let failed = 0;
      try {
        while (next < sources.length || pending.length) {
          while (next < sources.length && pending.length < window) {
            pending.push(runOne(sources[next++] as ExtractSource));
          }
          const line = await (pending.shift() as Promise<Record<string, unknown>>);
          if ('error' in line) failed++;
          if (!process.stdout.write(`${jsonText(line)}\n`)) {
            await new Promise(done => process.stdout.once('drain', done));
          }
        }
      } finally {
        await pool?.close();
        if (fetcher) await (fetcher as Fetcher).close();
      }
      // Exit 1 when any input failed; each failed input's own line says why.
      if (failed > 0) {
        const message = `${failed} of ${sources.length} input${sources.length === 1 ? '' : 's'} failed`;
        process.stderr.write(`newsflow extract: ${message}\n`);
        throw new CommanderError(1, 'newsflow.extract.inputFailed', message);
      }
    });
}
