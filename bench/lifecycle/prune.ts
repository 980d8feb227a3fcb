/**
 * `npm run bench:prune [-- --stories 3000 --members 3]`
 *
 * Time of one prune-script call (src/store/lua/prune-story-4.lua) — what the service's pruner runs, story by
 * story — over stories of several members each, stored through the real decision script. Issue 11 asks for a
 * p99 ≤ 5 ms: no long Lua calls that would stall the Redis other roles share. Reported with the decision
 * script's own p99 measured in the same run on the same Redis, as the scale to read it against.
 */
import { DEFAULT_DEDUPE, planDecision, STORY_EVENT_VERSION } from '../../src/dedupe/story.js';
import { canonicalUrlKey, hashKey } from '../../src/dedupe/url-key.js';
import type { NormalizedArticle } from '../../src/dedupe/article.js';
import { keysFor } from '../../src/store/keys.js';
import { createRedis, deleteByPattern, waitReady } from '../../src/store/redis.js';
import { runScript } from '../../src/store/scripts.js';
import { createStoryStore } from '../../src/store/story-store.js';

function arg(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
}

function words(seed: number, n: number): string {
  let a = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a ^ (a >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    out.push(`w${a % 5000}`);
  }
  return out.join(' ');
}

function article(url: string, body: string, at: number, site: string): NormalizedArticle {
  const urlKey = canonicalUrlKey(url)!;
  return {
    id: hashKey(urlKey),
    url,
    finalUrl: url,
    urlKey,
    feed: { id: site, url: `https://${site}/feed.xml` },
    fetchedAt: new Date(at).toISOString(),
    schemaVersion: 2,
    title: body.slice(0, 60),
    authors: [],
    byline: null,
    siteName: site,
    publishedAt: new Date(at).toISOString(),
    modifiedAt: null,
    lang: 'en',
    excerpt: null,
    leadImage: null,
    tags: [],
    contentHtml: `<p>${body}</p>`,
    contentText: body,
    wordCount: 400,
    readingMinutes: 2,
    canonicalUrl: url,
    attribution: null,
    access: 'free',
    contentSource: 'page',
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export async function main(argv: string[]): Promise<number> {
  const nStories = arg(argv, 'stories', 3000);
  const nMembers = arg(argv, 'members', 3);
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis(url, 'producer');
  await waitReady(redis);
  const keys = keysFor(`bench-prune-${process.pid}`);
  const store = createStoryStore(redis, keys, { streamMaxLen: 1_000_000 });
  const t0 = 1_700_000_000_000;
  const decideMs: number[] = [];
  try {
    for (let s = 0; s < nStories; s++) {
      const body = words(s + 1, 400);
      for (let m = 0; m < nMembers; m++) {
        const a = article(`https://site${m}.example/story-${s}`, body, t0 + s, `site${m}.example`);
        const plan = planDecision({
          article: a,
          attribution: null,
          urlHash: a.id,
          settings: DEFAULT_DEDUPE,
          now: t0 + s,
        });
        const start = process.hrtime.bigint();
        await store.decide(plan, a);
        decideMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    const ids = await redis.zrange(keys.storiesByTime, 0, -1);
    const pruneMs: number[] = [];
    let expired = 0;
    for (const storyId of ids) {
      const start = process.hrtime.bigint();
      const [verdict] = (await runScript(
        redis,
        'prune-story-4',
        [keys.story(storyId), keys.stream, keys.storiesByTime, keys.articlesByTime],
        [
          keys.stories,
          storyId,
          t0 + nStories + 1,
          90 * 86_400_000,
          new Date().toISOString(),
          1_000_000,
          STORY_EVENT_VERSION,
          '[]',
          '0',
        ],
      )) as [string];
      pruneMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (verdict === 'expired') expired++;
    }
    pruneMs.sort((a, b) => a - b);
    decideMs.sort((a, b) => a - b);
    const row = (name: string, xs: number[]): string =>
      `${name.padEnd(22)} n=${String(xs.length).padStart(6)}  p50 ${pct(xs, 0.5).toFixed(3)} ms  p99 ${pct(xs, 0.99).toFixed(3)} ms  max ${xs.at(-1)!.toFixed(3)} ms`;
    process.stdout.write(
      `bench:prune — ${nStories} stories × ${nMembers} members on ${url.replace(/\/\/[^@]*@/, '//')}\n` +
        `${row('prune-story-4 call', pruneMs)}  (${expired} expired)\n` +
        `${row('decide-article-4 call', decideMs)}  (baseline, same run)\n` +
        `target: prune p99 ≤ 5 ms — ${pct(pruneMs, 0.99) <= 5 ? 'met' : 'NOT met'}\n`,
    );
    return expired === ids.length ? 0 : 1;
  } finally {
    await deleteByPattern(redis, keys.pattern);
    redis.disconnect();
  }
}
