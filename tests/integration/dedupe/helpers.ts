import { scanKeys, type RedisClient } from '../../../src/store/redis.js';
import type { Attribution } from '../../../src/extract/types.js';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { DEFAULT_DEDUPE, planDecision, type DedupeSettings } from '../../../src/dedupe/story.js';
import type { NormalizedArticle } from '../../../src/dedupe/article.js';
import type { Decision, StoryStore } from '../../../src/store/story-store.js';
import { prepareText } from '../../../src/dedupe/fingerprint.js';
import { siteOf } from '../../../src/shared/site.js';

const VOCAB = (
  'harbor board crane fleet electric diesel port emissions plan vote council budget rail freight line ' +
  'union workers training battery substation quay terminal shipping carrier tender bond grant reserve ' +
  'spring summer winter director said told would could expects approved decided largest investment ' +
  'market shares rose fell traders analysts quarter profit revenue forecast growth inflation rates bank ' +
  'city river bridge road traffic commuters station schedule delay repairs engineers inspection report'
).split(' ');

/** Deterministic article-like text: `n` words drawn from a small vocabulary by a seeded generator. */
export function text(seed: number, n = 260): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(VOCAB[x % VOCAB.length]!);
    if (i % 17 === 16) out.push(`${x % 1000}.`);
  }
  return out.join(' ');
}

/** Replaces every `every`-th word (offset by `shift`) with another word: a light edit. */
export function edit(t: string, every: number, shift = 0): string {
  return t
    .split(' ')
    .map((w, i) => ((i + shift) % every === 0 ? `edited${String.fromCharCode(97 + (i % 26))}` : w))
    .join(' ');
}

export function makeArticle(url: string, over: Partial<NormalizedArticle> = {}): NormalizedArticle {
  const urlKey = canonicalUrlKey(url)!;
  return {
    title: 'A story',
    authors: [],
    byline: null,
    siteName: null,
    publishedAt: '2026-11-20T10:00:00.000Z',
    modifiedAt: null,
    lang: 'en',
    excerpt: null,
    leadImage: null,
    tags: [],
    contentHtml: '<p>…</p>',
    contentText: text(1),
    wordCount: 260,
    readingMinutes: 1,
    canonicalUrl: null,
    attribution: null,
    access: 'free',
    contentSource: 'page',
    id: hashKey(urlKey),
    url,
    finalUrl: url,
    urlKey,
    feed: { id: 'test', url: 'http://feed.example/' },
    fetchedAt: '2026-11-20T11:00:00.000Z',
    schemaVersion: 1,
    ...over,
  };
}

export async function decide(
  store: StoryStore,
  article: NormalizedArticle,
  attribution: Attribution | null = null,
  opts: {
    feedTitle?: string;
    now?: number;
    settings?: DedupeSettings;
    /** The page's JSON-LD publisher address (corroborates its site name for the publisher table). */
    publisherUrl?: string;
  } = {},
): Promise<Decision> {
  const a = { ...article, attribution };
  // As src/pipeline/process-article.ts does: the site's boilerplate paragraphs first, then the plan.
  const prepared = prepareText(a.contentText);
  const sharedParagraphs = await store.sharedParagraphs(siteOf(article.urlKey) ?? '', prepared.paragraphs);
  const plan = planDecision({
    article: a,
    attribution,
    prepared,
    sharedParagraphs,
    urlHash: article.id,
    feedTitle: opts.feedTitle,
    publisherUrl: opts.publisherUrl,
    settings: opts.settings ?? DEFAULT_DEDUPE,
    now: opts.now ?? Date.parse('2026-11-20T12:00:00Z'),
  });
  return await store.decide(plan, a);
}

/** Stream entries as field maps. */
export async function streamEvents(redis: RedisClient, stream: string): Promise<Record<string, string>[]> {
  const entries = await redis.xrange(stream, '-', '+');
  return entries.map(([, fields]) => {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
    return out;
  });
}

/**
 * Every story body key under a prefix: one per story, never one per copy (bodies live at `{b:<articleId>}`, out of
 * the index slot; a key of the layout before is counted too, so no test passes by finding neither).
 */
export async function bodyKeys(redis: RedisClient, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of [`${prefix}:{b:*}`, `${prefix}:{stories}:story:*:body`]) {
    for await (const keys of scanKeys(redis, pattern)) out.push(...keys);
  }
  return out;
}
