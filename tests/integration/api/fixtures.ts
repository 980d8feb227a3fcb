import { buildConfig } from '../../../src/config/load.js';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../../src/demo/fixture-site.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { DEFAULT_DEDUPE, planDecision } from '../../../src/dedupe/story.js';
import { createRuntime, type Runtime } from '../../../src/pipeline/runtime.js';
import { runOnce, type RunSummary } from '../../../src/pipeline/run-once.js';
import { createLogger, type Logger } from '../../../src/shared/logger.js';
import type { NormalizedArticle } from '../../../src/dedupe/article.js';
import { cleanupPrefix, testRedisUrl } from '../../helpers/redis.js';

/** The offline demo site run through the real pipeline once, under a test prefix. */
export interface Published {
  prefix: string;
  rt: Runtime;
  site: FixtureSite;
  summary: RunSummary;
  close(): Promise<void>;
}

export async function publishDemo(
  prefix: string,
  opts: { service?: Record<string, unknown>; run?: boolean; log?: Logger } = {},
): Promise<Published> {
  const site = await startFixtureSite();
  const config = buildConfig(
    'config',
    {
      log: { level: 'silent' },
      redis: { keyPrefix: prefix },
      fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: fixturePorts(site) },
      ...opts.service,
    },
    site.feeds,
  );
  const rt = await createRuntime(config, testRedisUrl(), opts.log ?? createLogger('silent'));
  const summary = opts.run === false ? emptySummary() : await runOnce(rt, { pollIntervalMs: 50 });
  return {
    prefix,
    rt,
    site,
    summary,
    async close() {
      await cleanupPrefix(rt.redis, prefix);
      await rt.close();
      await site.close();
    },
  };
}

const WORDS = (
  'harbor crane freight rail valley council budget river bridge school clinic market festival museum ' +
  'library station airport tunnel energy solar wind battery grid water storm flood drought harvest orchard ' +
  'vineyard factory steel copper timber cargo ferry island coast mountain forest trail park stadium league ' +
  'season coach player election ballot mayor senate court judge appeal license permit zoning housing rent'
).split(' ');

/** Deterministic text of `n` words, different for every seed (so no two seeded articles are near-duplicates). */
function text(seed: number, n: number): string {
  // mulberry32: small, seedable, and well spread.
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(next() * WORDS.length)]!);
  return out.join(' ');
}

/**
 * Stores articles through the story store's own decision script (the pipeline's write path), each its own
 * story, at the given store times — equal times on purpose, to test cursors on ties.
 */
export async function seedArticles(
  rt: Runtime,
  specs: {
    n: number;
    feedId: string;
    at: (i: number) => number;
    tag?: string;
    /** Default `https://<feedId>.example/<tag>-<i>`. */
    url?: (i: number) => string;
    /** Words in each body (default 160). */
    words?: number;
  },
): Promise<string[]> {
  const ids: string[] = [];
  const words = specs.words ?? 160;
  for (let i = 0; i < specs.n; i++) {
    const url = specs.url?.(i) ?? `https://${specs.feedId}.example/${specs.tag ?? 'a'}-${i}`;
    const urlKey = canonicalUrlKey(url)!;
    const urlHash = hashKey(urlKey);
    const body = text(hashSeed(`${specs.feedId}/${specs.tag ?? 'a'}/${i}`), words);
    const at = specs.at(i);
    const article: NormalizedArticle = {
      id: urlHash,
      url,
      finalUrl: url,
      urlKey,
      feed: { id: specs.feedId, url: `https://${specs.feedId}.example/feed.xml` },
      fetchedAt: new Date(at).toISOString(),
      schemaVersion: 1,
      title: `${text(hashSeed(`title ${specs.feedId} ${i}`), 6)} ${i}`,
      authors: [],
      byline: null,
      siteName: specs.feedId,
      publishedAt: new Date(at).toISOString(),
      modifiedAt: null,
      lang: 'en',
      excerpt: null,
      leadImage: null,
      tags: [],
      contentHtml: `<p>${body}</p>`,
      contentText: body,
      wordCount: words,
      readingMinutes: Math.max(1, Math.round(words / 230)),
      canonicalUrl: url,
      attribution: null,
      access: 'free',
      contentSource: 'page',
    };
    const plan = planDecision({
      article,
      attribution: null,
      urlHash,
      settings: DEFAULT_DEDUPE,
      now: at,
    });
    const decision = await rt.store.decide(plan, article);
    if (decision.kind !== 'created') throw new Error(`seed ${i} was not a new story: ${decision.kind}`);
    ids.push(urlHash);
  }
  return ids;
}

function emptySummary(): RunSummary {
  return {
    feedsPolled: 0,
    feedsFailed: 0,
    feedsNotModified: 0,
    itemsSeen: 0,
    itemsKnown: 0,
    articlesStored: 0,
    duplicates: 0,
    skipped: {},
    failures: {},
    storedIds: [],
  };
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
