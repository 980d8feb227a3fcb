/**
 * `npm run bench:dedupe [-- --n 10000]`
 *
 * Dedupe + store cost per article and Redis memory per 10 000 articles, against a baseline measured in the
 * same run on the same Redis: the walking skeleton's store (one `SET article NX` + `XADD` script per article,
 * no dedupe). Articles are synthetic (~600 words drawn from a 6 000-word vocabulary, Zipf-like), and 35 % of
 * them are copies of earlier ones (exact, feed excerpt, ~5 % of words edited) — the reprint share news has.
 * Memory is the sum of MEMORY USAGE over the run's own keys (the Redis may be shared, so INFO would not do).
 */
import { rng } from '../eval/dedupe/corpus.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { DEFAULT_DEDUPE, planDecision } from '../src/dedupe/story.js';
import { canonicalUrlKey, hashKey } from '../src/dedupe/url-key.js';
import type { NormalizedArticle } from '../src/dedupe/article.js';
import { keysFor } from '../src/store/keys.js';
import { createRedis, deleteByPattern, waitReady } from '../src/store/redis.js';
import { createStoryStore } from '../src/store/story-store.js';

const BASELINE_LUA = `
if redis.call('SET', KEYS[1], ARGV[2], 'NX') == false then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 1000000, '*', 'type', 'story.created', 'storyId', ARGV[1],
  'articleId', ARGV[1], 'url', ARGV[3], 'version', 1, 'at', ARGV[4])
return 1`;

const rand = rng(42);
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ter',
  'san',
  'dor',
  'vel',
  'un',
  'ra',
  'po',
  'shi',
  'ne',
  'gra',
  'tu',
  'bel',
];
const VOCAB = Array.from({ length: 6000 }, (_, i) => {
  let w = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) w += SYLLABLES[n % SYLLABLES.length];
  return w;
});

function word(): string {
  // Zipf-like: small indices are frequent, as function words are.
  return VOCAB[Math.floor(Math.pow(rand(), 2.2) * VOCAB.length)]!;
}

function article(i: number, text: string): NormalizedArticle {
  const url = `https://site${i % 97}.example/news/${i}`;
  const urlKey = canonicalUrlKey(url)!;
  const paragraphs = text.match(/(?:\S+\s*){1,60}/g) ?? [text];
  return {
    title: `Story ${i}`,
    authors: [],
    byline: null,
    siteName: `Site ${i % 97}`,
    publishedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
    modifiedAt: null,
    lang: 'en',
    excerpt: null,
    leadImage: null,
    tags: [],
    contentHtml: paragraphs.map(p => `<p>${p.trim()}</p>`).join(''),
    contentText: text,
    wordCount: text.split(' ').length,
    readingMinutes: 3,
    canonicalUrl: url,
    attribution: null,
    access: 'free',
    contentSource: 'page',
    id: hashKey(urlKey),
    url,
    finalUrl: url,
    urlKey,
    feed: { id: `feed-${i % 97}`, url: `https://site${i % 97}.example/feed` },
    fetchedAt: new Date().toISOString(),
    schemaVersion: 1,
  };
}

function corpus(n: number): NormalizedArticle[] {
  const texts: string[] = [];
  const out: NormalizedArticle[] = [];
  for (let i = 0; i < n; i++) {
    let text: string;
    const r = rand();
    if (texts.length > 0 && r < 0.35) {
      const src = texts[Math.floor(rand() * texts.length)]!;
      if (r < 0.15) text = src;
      else if (r < 0.25) text = `${src.split(' ').slice(0, 55).join(' ')} […]`;
      else text = src.replace(/\S+/g, w => (rand() < 0.05 ? word() : w));
    } else {
      text = Array.from({ length: 500 + Math.floor(rand() * 200) }, word).join(' ');
      texts.push(text);
    }
    out.push(article(i, text));
  }
  return out;
}

async function memoryOf(
  redis: Redis,
  pattern: string,
): Promise<{ bytes: number; keys: number; byKind: Record<string, number> }> {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  const byKind: Record<string, number> = {};
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of found) pipe.memory('USAGE', k, 'SAMPLES', 0);
    const sizes = (await pipe.exec()) ?? [];
    found.forEach((k, i) => {
      const size = Number(sizes[i]?.[1] ?? 0);
      bytes += size;
      keys++;
      const kind =
        /\}:(url|art|sig|story|stories|body|lead|title|lsh|await|articles|publishers)(?::|$)/.exec(k)?.[1] ??
        'other';
      let label = kind;
      if (kind === 'story' && k.endsWith(':body')) label = 'story body';
      else if (kind === 'articles') label = k.endsWith(':by-time') ? 'articles by time' : 'stream';
      byKind[label] = (byKind[label] ?? 0) + size;
    });
  } while (cursor !== '0');
  return { bytes, keys, byKind };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export async function main(argv: string[]): Promise<number> {
  const nArg = argv.indexOf('--n');
  const n = nArg >= 0 ? Number(argv[nArg + 1]) : 10_000;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(url, 'worker');
  await waitReady(redis);
  const prefix = `newsflow-bench-dedupe-${process.pid}`;
  const basePrefix = `${prefix}-baseline`;
  try {
    process.stdout.write(`bench:dedupe — ${n} synthetic articles (35 % copies), Redis ${url}\n`);
    const articles = corpus(n);

    // Baseline: the skeleton's per-article store (no dedupe).
    const bk = keysFor(basePrefix);
    redis.defineCommand('benchBaselineStore', { lua: BASELINE_LUA, numberOfKeys: 3 });
    const baseTimes: number[] = [];
    for (const a of articles) {
      const t0 = process.hrtime.bigint();
      await (redis as unknown as Record<string, (...args: string[]) => Promise<number>>).benchBaselineStore!(
        bk.article(a.id),
        bk.urlIndex(a.id),
        bk.stream,
        a.id,
        JSON.stringify(a),
        a.url,
        new Date().toISOString(),
      );
      baseTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }

    // Dedupe + store: fingerprint and MinHash in the worker, then the decision script.
    const keys = keysFor(prefix);
    const store = createStoryStore(redis, keys, { streamMaxLen: 1_000_000 });
    const planTimes: number[] = [];
    const decideTimes: number[] = [];
    const kinds: Record<string, number> = {};
    for (const a of articles) {
      const t0 = process.hrtime.bigint();
      const plan = planDecision({
        article: a,
        attribution: null,
        urlHash: a.id,
        settings: DEFAULT_DEDUPE,
        now: Date.now(),
      });
      const t1 = process.hrtime.bigint();
      const d = await store.decide(plan, a);
      const t2 = process.hrtime.bigint();
      planTimes.push(Number(t1 - t0) / 1e6);
      decideTimes.push(Number(t2 - t1) / 1e6);
      const label = d.kind === 'joined' ? `joined:${d.via}` : d.kind;
      kinds[label] = (kinds[label] ?? 0) + 1;
    }

    const mem = await memoryOf(redis, `${prefix}:*`);
    const baseMem = await memoryOf(redis, `${basePrefix}:*`);
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const total = planTimes.map((p, i) => p + decideTimes[i]!);
    const sorted = [...total].sort((x, y) => x - y);
    const per10k = (b: number): number => (b * 10_000) / n / 2 ** 20;
    const result = {
      n,
      outcomes: kinds,
      msPerArticle: {
        dedupeStore: { mean: mean(total), p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) },
        plan: mean(planTimes),
        decideScript: mean(decideTimes),
        baselineStore: mean(baseTimes),
        ratio: mean(total) / mean(baseTimes),
      },
      memoryMiBPer10k: {
        dedupe: per10k(mem.bytes),
        baseline: per10k(baseMem.bytes),
        ratio: mem.bytes / baseMem.bytes,
        byKind: Object.fromEntries(Object.entries(mem.byKind).map(([k, v]) => [k, per10k(v)])),
        keysPerArticle: mem.keys / n,
      },
    };
    const out = resolve('bench/out/dedupe.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    const m = result.msPerArticle;
    process.stdout.write(
      [
        `outcomes: ${JSON.stringify(kinds)}`,
        `dedupe + store: ${m.dedupeStore.mean.toFixed(2)} ms/article (p50 ${m.dedupeStore.p50.toFixed(2)}, p95 ${m.dedupeStore.p95.toFixed(2)}; ` +
          `plan ${m.plan.toFixed(2)} + script ${m.decideScript.toFixed(2)}) vs baseline store ${m.baselineStore.toFixed(2)} ms → ×${m.ratio.toFixed(1)}`,
        `Redis memory per 10 000 articles: ${result.memoryMiBPer10k.dedupe.toFixed(1)} MiB vs baseline ${result.memoryMiBPer10k.baseline.toFixed(1)} MiB → ×${result.memoryMiBPer10k.ratio.toFixed(2)}; ` +
          `${result.memoryMiBPer10k.keysPerArticle.toFixed(1)} keys/article`,
        `  by kind (MiB / 10 000): ${Object.entries(result.memoryMiBPer10k.byKind)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}`,
        `details: ${out}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await deleteByPattern(redis, `${prefix}:*`);
    await deleteByPattern(redis, `${basePrefix}:*`);
    redis.disconnect();
  }
}
