/**
 * `npm run bench:memory [-- --corpora DIR --seed N --out FILE]`
 *
 * Bytes Redis spends per stored story and per article, by key class. Runs the real pipeline once (runOnce,
 * the same syndication corpus as `npm run eval:dedupe`: originals from ../shared/corpora/aeb-dev served on
 * local sites, four kinds of copy on aggregator sites) under its own key prefix, then asks `MEMORY USAGE`
 * (SAMPLES 0: every element counted) of every key under the prefix and groups the keys by class. The same
 * command on two commits compares them on the same pages. Also measures the codecs a stored body could use
 * (brotli and gzip at several levels: bytes and CPU time per body), on the bodies this run stored.
 * Skips cleanly when the corpus is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { brotliCompressSync, constants as zc, deflateSync, gzipSync } from 'node:zlib';
import { buildConfig } from '../../src/config/load.js';
import { htmlText } from '../../src/extract/content/text.js';
import { createRuntime } from '../../src/pipeline/runtime.js';
import { runOnce } from '../../src/pipeline/run-once.js';
import type { NormalizedArticle } from '../../src/dedupe/article.js';
import { decodeBody } from '../../src/store/body.js';
import {
  deleteByPattern,
  isClusterTarget,
  primaries,
  redisTargetFromEnv,
  scanKeys,
} from '../../src/store/redis.js';
import { resolveRedis } from '../../src/store/redis-server.js';
import { createLogger } from '../../src/shared/logger.js';
import { buildCorpus, loadAebPages, rng } from '../../eval/dedupe/corpus.js';
import { startLocalSite, type LocalSite } from '../../eval/dedupe/sites.js';

interface Args {
  corpora: string;
  seed: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    // ../shared next to the checkout (a git worktree one level deeper finds it one level up).
    corpora:
      [resolve('../shared/corpora'), resolve('../../shared/corpora')].find(existsSync) ??
      resolve('../shared/corpora'),
    seed: 6,
    out: resolve('.bench/lifecycle/memory.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--corpora' && v) args.corpora = resolve(argv[++i]!);
    else if (argv[i] === '--seed' && v) args.seed = Number(argv[++i]);
    else if (argv[i] === '--out' && v) args.out = resolve(argv[++i]!);
  }
  return args;
}

const BULL_NAMES = new Set(
  'meta id events wait paused active delayed prioritized completed failed stalled stalled-check limiter marker pc de repeat'.split(
    ' ',
  ),
);

/**
 * The class of a key (the part after the prefix with ids and hashes replaced by `*`), and whether it lives
 * as long as its story (`story`), expires on its own (`ttl`), or belongs to queues and operations (`ops`).
 */
export function keyClass(rest: string): string {
  return (
    rest
      // BullMQ: <bull>:<queue>:<job id | kind>[:sub]
      // (`{bull}` on a Redis Cluster: BullMQ's prefix carries a hash tag there.)
      .replace(
        /^(bull|\{bull\}):([^:]+):([^:]+)(:.*)?$/,
        (all, bull: string, queue: string, name: string, sub?: string) =>
          BULL_NAMES.has(name) ? all : `${bull}:${queue}:<job>${sub ?? ''}`,
      )
      .replace(/^\{stories\}:story:[^:]+(:m|:body)?$/, '{stories}:story:*$1')
      .replace(/^\{b:[^}]+\}$/, '{b:*}')
      .replace(/^\{stories\}:(art|url|sig|body|lead|await:u|await:t|pub):.*$/, '{stories}:$1:*')
      .replace(/^\{stories\}:title:.*$/, '{stories}:title:*')
      .replace(/^\{stories\}:lsh:.*$/, '{stories}:lsh:*')
      .replace(/^feed:.*$/, 'feed:*')
      .replace(/^polite:.*$/, 'polite:*')
      .replace(/^robots:.*$/, 'robots:*')
      .replace(/^\{ops\}:failure-once:.*$/, '{ops}:failure-once:*')
  );
}

/** Key classes that stay as long as their story does (everything else expires or belongs to the queues). */
const STORY_CLASSES = new Set([
  '{stories}:story:*',
  '{stories}:story:*:m',
  '{stories}:story:*:body',
  '{b:*}',
  '{stories}:art:*',
  '{stories}:url:*',
  '{stories}:articles:by-time',
  '{stories}:stories:by-time',
]);
/** The stream: bounded by stream.maxLen rather than by its stories, so reported on its own line. */
const STREAM_CLASS = '{stories}:articles';

interface ClassRow {
  keys: number;
  bytes: number;
  withTtl: number;
}

/**
 * The JSON a body codec compresses: the stored body with its text once (contentText left out when contentHtml
 * gives it back), whichever format the run stored it in, so figures compare codecs on the same input.
 */
function storedJson(raw: Buffer): Buffer {
  const article: Partial<NormalizedArticle> = decodeBody(raw);
  if (htmlText(article.contentHtml ?? '') === article.contentText) delete article.contentText;
  return Buffer.from(JSON.stringify(article));
}

function codecFigures(input: Buffer[]): Record<string, { bytes: number; ratio: number; msPerBody: number }> {
  const bodies = input.map(storedJson);
  const raw = bodies.reduce((s, b) => s + b.length, 0);
  const codecs: Record<string, (b: Buffer) => Buffer> = {
    'brotli q1': b => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 1 } }),
    'brotli q4': b => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 4 } }),
    'brotli q5': b => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 5 } }),
    'brotli q6': b => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 6 } }),
    'brotli q9': b => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 9 } }),
    'zlib 1': b => deflateSync(b, { level: 1 }),
    'zlib 6': b => deflateSync(b, { level: 6 }),
    'zlib 9': b => deflateSync(b, { level: 9 }),
    'gzip 1': b => gzipSync(b, { level: 1 }),
    'gzip 6': b => gzipSync(b, { level: 6 }),
    'gzip 9': b => gzipSync(b, { level: 9 }),
  };
  const out: Record<string, { bytes: number; ratio: number; msPerBody: number }> = {
    raw: { bytes: raw, ratio: 1, msPerBody: 0 },
  };
  for (const [name, fn] of Object.entries(codecs)) {
    for (const b of bodies) fn(b); // warm-up
    const rounds = 5;
    const t0 = process.hrtime.bigint();
    let bytes = 0;
    for (let r = 0; r < rounds; r++) {
      bytes = 0;
      for (const b of bodies) bytes += fn(b).length;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6 / rounds;
    out[name] = { bytes, ratio: bytes / raw, msPerBody: ms / Math.max(1, bodies.length) };
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const dir = join(args.corpora, 'aeb-dev');
  if (!existsSync(join(dir, 'ground-truth.json'))) {
    process.stdout.write(`bench:memory skipped: no corpus at ${dir}\n`);
    return 0;
  }
  // The same corpus as eval:dedupe (eval/dedupe/run.ts): the same seed gives the same pages.
  const pages = loadAebPages(dir);
  const rand = rng(args.seed);
  const eligible = pages.filter(p => p.words >= 150);
  for (let i = eligible.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [eligible[i], eligible[j]] = [eligible[j]!, eligible[i]!];
  }
  const cut = Math.round((eligible.length * 2) / 3);
  const originals = eligible.slice(0, cut);
  const negatives = [...eligible.slice(cut), ...pages.filter(p => p.words < 150)];
  const sites: LocalSite[] = [];
  const publishers = new Map<string, LocalSite>();
  for (const p of [...originals, ...negatives]) {
    const host = new URL(p.realUrl).host.replace(/^www\./, '');
    if (!publishers.has(host)) {
      const site = await startLocalSite();
      publishers.set(host, site);
      sites.push(site);
    }
  }
  const copiers: LocalSite[] = [];
  for (let i = 0; i < 4; i++) copiers.push(await startLocalSite());
  sites.push(...copiers);
  const corpus = buildCorpus({
    originals,
    negatives,
    publisherFor: host => publishers.get(host)!,
    copiers,
    seed: args.seed,
  });

  const prefix = `newsflow-bench-memory-${process.pid}`;
  const config = buildConfig(
    'config',
    {
      log: { level: 'error' },
      redis: { keyPrefix: prefix },
      extractor: { concurrency: 4 },
      fetch: {
        allowNetworks: ['127.0.0.0/8'],
        allowedPorts: sites.map(s => s.port),
        politeness: { interval: 0, maxInFlight: 4 },
      },
    },
    corpus.feeds,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'newsflow-bench-memory-'));
  const redisTarget = await resolveRedis(redisTargetFromEnv(), dataDir);
  const rt = await createRuntime(config, redisTarget.target, createLogger('error', 'stderr'));
  try {
    await deleteByPattern(rt.redis, rt.keys.pattern);
    process.stdout.write(`bench:memory — ${corpus.items.length} pages on ${sites.length} local sites\n`);
    const started = performance.now();
    const summary = await runOnce(rt, { pollIntervalMs: 200 });
    const seconds = (performance.now() - started) / 1000;
    const stories = await rt.redis.zcard(rt.keys.storiesByTime);
    const articles = await rt.redis.zcard(rt.keys.articlesByTime);

    const classes = new Map<string, ClassRow>();
    const bodies: Buffer[] = [];
    // Per primary on a cluster (issue 18: bodies spread, the index stays in one slot); one row on one Redis.
    const perPrimary: { keys: number; bytes: number; bodyKeys: number; usedMemory: number }[] = [];
    for (const node of primaries(rt.redis)) {
      const prim = { keys: 0, bytes: 0, bodyKeys: 0, usedMemory: readMemoryUsed(await node.info('memory')) };
      perPrimary.push(prim);
      for await (const found of scanKeys(node, rt.keys.pattern)) {
        for (const key of found) {
          const rest = key.slice(prefix.length + 1);
          const cls = keyClass(rest);
          const [bytes, ttl] = await Promise.all([
            node.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') as Promise<number | null>,
            node.pttl(key),
          ]);
          prim.keys++;
          prim.bytes += bytes ?? 0;
          if (cls === '{b:*}') prim.bodyKeys++;
          const row = classes.get(cls) ?? { keys: 0, bytes: 0, withTtl: 0 };
          row.keys++;
          row.bytes += bytes ?? 0;
          if (ttl > 0) row.withTtl++;
          classes.set(cls, row);
          if (cls === '{stories}:story:*:body' || cls === '{b:*}') {
            const body = await node.getBuffer(key);
            if (body) bodies.push(body);
          }
        }
      }
    }

    const sorted = [...classes.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
    const storyBytes = sorted.filter(([c]) => STORY_CLASSES.has(c)).reduce((s, [, r]) => s + r.bytes, 0);
    const streamBytes = classes.get(STREAM_CLASS)?.bytes ?? 0;
    const expiring = sorted
      .filter(
        ([c, r]) =>
          c.startsWith('{stories}:') && !STORY_CLASSES.has(c) && c !== STREAM_CLASS && r.withTtl > 0,
      )
      .reduce((s, [, r]) => s + r.bytes, 0);
    const codecs = codecFigures(bodies);
    const storedBodyBytes = bodies.reduce((n, b) => n + b.length, 0);
    const report = {
      corpus: { pages: corpus.items.length, seed: args.seed },
      run: {
        stored: summary.articlesStored,
        joined: summary.duplicates,
        failures: summary.failures,
        seconds,
        articlesPerSecond: (summary.articlesStored + summary.duplicates) / seconds,
      },
      redis: isClusterTarget(redisTarget.target) ? 'cluster' : 'single',
      perPrimary,
      stories,
      articles,
      perStoryKept: storyBytes / Math.max(1, stories),
      perStoryStream: streamBytes / Math.max(1, stories),
      perArticleExpiring: expiring / Math.max(1, articles),
      classes: Object.fromEntries(
        sorted.map(([c, r]) => [
          c,
          { ...r, perStory: r.bytes / Math.max(1, stories), perArticle: r.bytes / Math.max(1, articles) },
        ]),
      ),
      storedBodyBytes,
      bodyCodecs: codecs,
    };
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);

    const pad = (s: string | number, n: number): string => String(s).padStart(n);
    const lines = [
      `stories ${stories}, articles ${articles} (stored ${summary.articlesStored}, joined ${summary.duplicates}, failures ${JSON.stringify(summary.failures)})`,
      `pipeline: ${report.run.seconds.toFixed(1)} s, ${report.run.articlesPerSecond.toFixed(1)} articles/s (stored + joined) on ${report.redis === 'cluster' ? `a cluster of ${perPrimary.length} primaries` : 'one Redis'}`,
      ...perPrimary.map(
        (r, i) =>
          `  primary ${i + 1}: ${r.keys} keys, ${r.bytes} B (MEMORY USAGE), ${r.bodyKeys} bodies; used_memory ${r.usedMemory} B`,
      ),
      '',
      `${'key class'.padEnd(34)}${pad('keys', 6)}${pad('bytes', 10)}${pad('B/story', 9)}${pad('B/article', 10)}  kept`,
      ...sorted.map(
        ([c, r]) =>
          `${c.padEnd(34)}${pad(r.keys, 6)}${pad(r.bytes, 10)}${pad(Math.round(r.bytes / Math.max(1, stories)), 9)}` +
          `${pad(Math.round(r.bytes / Math.max(1, articles)), 10)}  ${STORY_CLASSES.has(c) ? 'with its story' : c === STREAM_CLASS ? 'stream.maxLen' : r.withTtl === r.keys ? 'expires' : r.withTtl > 0 ? 'some expire' : 'ops/queues'}`,
      ),
      '',
      `kept with their story (story hash, body, members, member records, URL keys, by-time sets): ${Math.round(report.perStoryKept)} B per story`,
      `stream entries (trimmed at stream.maxLen): ${Math.round(report.perStoryStream)} B per story`,
      `content keys (expire after dedupe.window): ${Math.round(report.perArticleExpiring)} B per article`,
      '',
      `stored bodies: ${bodies.length}, ${storedBodyBytes} B in Redis (values); their JSON (text once) ${codecs.raw!.bytes} B, compressed by:`,
      ...Object.entries(codecs)
        .filter(([n]) => n !== 'raw')
        .map(
          ([n, c]) =>
            `  ${n.padEnd(10)} ${pad(c.bytes, 8)} B  ${(100 * c.ratio).toFixed(1).padStart(5)} %  ${c.msPerBody.toFixed(3)} ms/body`,
        ),
      `details in ${args.out}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return 0;
  } finally {
    await deleteByPattern(rt.redis, rt.keys.pattern);
    await rt.close();
    await redisTarget.managed?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await Promise.all(sites.map(s => s.close()));
  }
}

/** `used_memory` of an INFO memory reply. */
function readMemoryUsed(info: string): number {
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}
