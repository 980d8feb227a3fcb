import type { ServiceConfig } from '../config/schema.js';
import { configuredSite, publisherClaimStrength, SEVERAL_PAGES } from '../extract/credits/publisher.js';
import type { Attribution, AttributionMethod } from '../extract/types.js';
import { ARTICLE_SCHEMA_VERSION, type NormalizedArticle } from './article.js';
import {
  fingerprint,
  type ContentKeys,
  type Fingerprint,
  type KeySettings,
  type PreparedText,
} from './fingerprint.js';
import { MINHASH_VERSION, signatureToBuffer } from './minhash.js';
import { siteOf } from '../shared/site.js';
import { normalizeName } from './normalize.js';
import { canonicalUrlKey, hashKey } from './url-key.js';

/** How a member relates to its story. */
export type StoryRelation = 'original' | 'syndicated-copy' | 'excerpt-copy' | 'near-duplicate' | 'same-url';

/** Bump when the story event fields change incompatibly. */
export const STORY_EVENT_VERSION = 1;

export type StoryEventType = 'story.created' | 'story.member_added' | 'story.updated';

/** One stream entry: a pointer; bodies are read from the story. */
export interface StoryEvent {
  type: StoryEventType;
  storyId: string;
  articleId: string;
  url: string;
  version: number;
  at: string;
}

/**
 * The key that put an article in its story, in the order the decision script tries them: `new` (it founded
 * the story), `url` (another address of a stored page), `attribution` (it names the original, or the original
 * arrived after a copy naming it), `body` (the same text), `lead` (the same opening), `minhash` (similar text).
 */
export type MatchVia = 'new' | 'url' | 'attribution' | 'body' | 'lead' | 'minhash';

/** Why a member is in its story: written by the decision script when the member is stored. */
export interface MemberMatch {
  via: MatchVia;
  /** The member the key led to (absent for `new`, and for `attribution` through a copy waiting for its original). */
  articleId?: string;
  /** For content keys: the texts' estimated Jaccard similarity (MinHash; 1 for the same body). */
  similarity?: number;
}

/** What every member keeps: metadata and a pointer to its story, never a body of its own. */
export interface StoryMemberRecord {
  articleId: string;
  url: string;
  finalUrl: string;
  /** The page's declared canonical URL (`<link rel="canonical">`, og:url, JSON-LD), else its final URL. */
  canonicalUrl: string;
  /**
   * The dedupe key (src/dedupe/url-key.ts: https, lower-case host without www., no fragment, trailing slash or
   * tracking parameters, sorted query): an identity, never an address to fetch. Records written before article
   * schema 2 have none; `withUrlKey` reads it from their canonicalUrl, which held the key then.
   */
  urlKey: string;
  /** ARTICLE_SCHEMA_VERSION when written; absent in records before schema 2. */
  schemaVersion?: number;
  feed: { id: string; url: string };
  siteName: string | null;
  title: string | null;
  publishedAt: string | null;
  fetchedAt: string;
  wordCount: number;
  attribution: {
    originalUrl: string | null;
    originalPublisher: string | null;
    method: AttributionMethod;
  } | null;
  /** Why the member is in its story; absent in records stored before 2026-12-05. */
  match?: MemberMatch;
}

export interface DedupeSettings {
  windowMs: number;
  minTokens: number;
  leadWords: number;
  bands: number;
  rows: number;
  jaccard: number;
  containment: number;
  shorterBy: number;
  editedJaccard: number;
  numbersContainment: number;
  ownFacts: number;
  ownFactsShare: number;
  /** Publisher names pinned in config: normalized name → site (registrable domain). */
  publishers: ReadonlyMap<string, string>;
  /** A learned publisher → domain entry lapses this long after its domain last confirmed it. */
  publisherTtlMs: number;
  /** Pages of one domain declaring a name that teach the table without other evidence. */
  publisherMinPages: number;
}

export function dedupeSettings(cfg: ServiceConfig['dedupe']): DedupeSettings {
  return {
    windowMs: cfg.window,
    minTokens: cfg.minTokens,
    leadWords: cfg.leadWords,
    bands: cfg.lsh.bands,
    rows: cfg.lsh.rows,
    ...cfg.confirm,
    publishers: pinnedPublishers(cfg.publishers),
    publisherTtlMs: cfg.publisherTtl,
    publisherMinPages: cfg.publisherMinPages,
  };
}

/** `dedupe.publishers` as normalized name → site; entries whose domain names no site are left out. */
export function pinnedPublishers(entries: Record<string, string>): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [name, domain] of Object.entries(entries)) {
    const key = normalizeName(name);
    const site = configuredSite(domain);
    if (key && site) out.set(key, site);
  }
  return out;
}

export const DEFAULT_DEDUPE: DedupeSettings = {
  windowMs: 30 * 86_400_000,
  minTokens: 30,
  leadWords: 50,
  bands: 42,
  rows: 3,
  jaccard: 0.8,
  containment: 0.8,
  shorterBy: 0.5,
  editedJaccard: 0.4,
  numbersContainment: 0.8,
  ownFacts: 2,
  ownFactsShare: 0.1,
  publishers: new Map(),
  publisherTtlMs: 30 * 86_400_000,
  publisherMinPages: 3,
};

/** Fields a publisher entry may hold besides its name, domain, strength and time: per-domain claim counts. */
const MAX_PUBLISHER_DOMAINS = 16;
/** Longest publisher name kept in a table entry (the key is its hash). */
const MAX_PUBLISHER_NAME = 200;

/** Buckets larger than this hold boilerplate shared by many pages: the script marks them full and never reads them. */
const MAX_BUCKET = 1000;
/**
 * A match by similarity is boilerplate, not a copy, when the paragraphs both texts carry verbatim explain it
 * and the rest of the smaller text — at least this share of it — shares less than SHARED_ONLY_REST_OVERLAP of
 * its shingles with the other text (decide-article-4.lua `sharedOnly`).
 */
const SHARED_ONLY_REST_SHARE = 0.25;
const SHARED_ONLY_REST_OVERLAP = 0.5;

/** Candidates confirmed per decision, so one degenerate text cannot make the script slow. */
const MAX_CANDIDATES = 200;
/** Stories larger than this are not merged into another in one decision (bounded script time). */
const MAX_MERGE = 200;
/** Paragraph hashes counted per site (`bp:<domain>`, ~30 B a field): a bound on one site's share of memory. */
const MAX_SITE_PARAGRAPHS = 20_000;

/** The scalar inputs of the decision script (src/store/lua/decide-article-4.lua). */
export interface DecisionPayload {
  id: string;
  urlHash: string;
  url: string;
  /** Other URL keys of this page (final URL after redirects, same-site canonical). */
  aliases: string[];
  domain: string;
  /** Normalized own publisher name ('' when the page declares none). */
  siteKey: string;
  /** Hash of siteKey: the page's publisher table entry is `pub:<pubKey>` (KEYS[4]); '' when none. */
  pubKey: string;
  /** What corroborates the page's claim to siteKey (ClaimStrength, src/extract/credits/publisher.ts). */
  pubStrength: number;
  /** The name is pinned in config: 'yes' to this page's site, 'no' to another; '' when not pinned. */
  pubPinned: '' | 'yes' | 'no';
  pubTtlMs: number;
  pubMinPages: number;
  pubSeveralPages: number;
  pubMaxDomains: number;
  /** Hashes of this page's normalized titles (page, feed item). */
  titles: string[];
  /** Keys under which a copy naming this page's site and title may wait for it. */
  awaitTitles: string[];
  attributed: boolean;
  /** URL key hash of the named original ('' when the credit had no link). */
  origHash: string;
  origPublisher: string;
  /** Table entry of the credited publisher's name ('' when none). */
  origPubKey: string;
  /** The credited publisher's site when its name is pinned in config ('' otherwise: the table decides). */
  origDomain: string;
  origTitle: string;
  origAwait: string;
  excerpt: boolean;
  tokens: number;
  bodyHash: string;
  leadHash: string;
  bands: string[];
  lshPrefix: string;
  /** LSH period (window-long, from the injected clock): buckets of this and the previous period are read. */
  lshPeriod: number;
  lshPeriodMs: number;
  shingles: number;
  facts: string;
  /** The text's paragraph hashes: counted in the site's `bp:<domain>` hash once the article is stored. */
  paras: string[];
  /** Tokens of each of `paras`: stored with the signature for the verbatim-paragraph check. */
  paraTokens: number[];
  /** A site's paragraph hash holds at most this many fields; past it, no new paragraph is counted. */
  maxParas: number;
  publishedMs: number;
  nowMs: number;
  at: string;
  eventVersion: number;
  windowMs: number;
  jaccard: number;
  containment: number;
  shortRatio: number;
  editedJaccard: number;
  numbersContainment: number;
  ownFacts: number;
  ownFactsShare: number;
  restShare: number;
  restOverlap: number;
  maxBucket: number;
  maxCandidates: number;
  maxMerge: number;
}

export interface DecisionPlan {
  payload: DecisionPayload;
  signature: Buffer;
  member: StoryMemberRecord;
  fingerprint: Fingerprint;
  /** The named original, to fetch when it is not known yet. */
  original: { url: string; urlKey: string; urlHash: string } | null;
}

export function titleHash(title: string): string {
  return hashKey(`title1:${normalizeName(title)}`);
}

/** The publisher table entry of a normalized name: `pub:<publisherKey(name)>` (a hash: names are page text). */
export function publisherKey(name: string): string {
  return hashKey(`pub1:${name}`);
}

function awaitTitleKey(publisherKey: string, th: string): string {
  return hashKey(`${publisherKey}\n${th}`);
}

/**
 * The other URL keys an article answers to (hashes): its redirect target and declared canonical when they are on
 * its own site. The decision script claims them; the pruner tombstones them with the article.
 */
export function urlAliasHashes(
  page: { urlKey: string; finalUrl: string; canonicalUrl: string | null },
  urlHash: string,
): string[] {
  const domain = siteOf(page.urlKey) ?? '';
  const aliases = new Set<string>();
  for (const u of [page.finalUrl, page.canonicalUrl]) {
    const key = u ? canonicalUrlKey(u) : null;
    // Only same-site addresses are aliases; a canonical on another site is attribution. A canonical
    // pointing at the home page is a misconfiguration, not an alias.
    if (!key || siteOf(key) !== domain || new URL(key).pathname === '/') continue;
    const h = hashKey(key);
    if (h !== urlHash) aliases.add(h);
  }
  return [...aliases];
}

/** The fingerprint's part of the dedupe settings: what the extraction thread needs to compute `contentKeys`. */
export function fingerprintSettings(s: DedupeSettings): KeySettings {
  return { minTokens: s.minTokens, leadWords: s.leadWords, bands: s.bands, rows: s.rows };
}

/**
 * Everything the decision script needs, computed in the worker: normalization, hashes, MinHash and the
 * attribution's keys. Pure; the clock is passed in.
 */
export function planDecision(input: {
  article: NormalizedArticle;
  attribution: Attribution | null;
  urlHash: string;
  /** The feed item's title: WordPress footers quote the post title, which is the feed title. */
  feedTitle?: string | null | undefined;
  /** The page's JSON-LD publisher address (extraction's `publisherUrl`): corroborates its site name. */
  publisherUrl?: string | null | undefined;
  settings: DedupeSettings;
  now: number;
  /** The article's text as `prepareText` read it, when the caller already did (to look up its paragraphs). */
  prepared?: PreparedText | undefined;
  /** Paragraph hashes the page's site used in other stories (`StoryStore.sharedParagraphs`): boilerplate. */
  sharedParagraphs?: ReadonlySet<string> | undefined;
  /**
   * The keys the extraction thread computed (`contentKeys`, with these settings): used as they are when no shared
   * paragraph applies, so the MinHash runs in the thread, not on the event loop.
   */
  keys?: ContentKeys | undefined;
}): DecisionPlan {
  const { article, attribution: a, settings: s } = input;
  const shared = input.sharedParagraphs;
  const precomputed =
    input.keys && !input.keys.paragraphs.some(h => shared?.has(h)) ? input.keys.fingerprint : undefined;
  const fp =
    precomputed ?? fingerprint(input.prepared ?? article.contentText, { ...fingerprintSettings(s), shared });
  const domain = siteOf(article.urlKey) ?? '';
  const siteKey = normalizeName(article.siteName).slice(0, MAX_PUBLISHER_NAME);
  const pinned = siteKey ? s.publishers.get(siteKey) : undefined;
  const titles = [
    ...new Set([article.title, input.feedTitle].filter((t): t is string => !!t && !!normalizeName(t))),
  ].map(titleHash);

  const aliases = urlAliasHashes(article, input.urlHash);

  const origKey = a?.originalUrl ? canonicalUrlKey(a.originalUrl) : null;
  const origHash = origKey ? hashKey(origKey) : '';
  const origPublisher = normalizeName(a?.originalPublisher).slice(0, MAX_PUBLISHER_NAME);
  const origTitle = a?.originalTitle ? titleHash(a.originalTitle) : '';

  const publishedMs = article.publishedAt ? Date.parse(article.publishedAt) : NaN;
  const payload: DecisionPayload = {
    id: article.id,
    urlHash: input.urlHash,
    url: article.url,
    aliases,
    domain,
    siteKey,
    pubKey: siteKey ? publisherKey(siteKey) : '',
    pubStrength: publisherClaimStrength({
      name: article.siteName,
      pageUrl: article.urlKey,
      publisherUrl: input.publisherUrl,
    }),
    pubPinned: pinned === undefined ? '' : pinned === domain ? 'yes' : 'no',
    pubTtlMs: s.publisherTtlMs,
    pubMinPages: s.publisherMinPages,
    pubSeveralPages: SEVERAL_PAGES,
    pubMaxDomains: MAX_PUBLISHER_DOMAINS,
    titles,
    awaitTitles: siteKey ? titles.map(th => awaitTitleKey(siteKey, th)) : [],
    attributed: a !== null,
    origHash: origHash === input.urlHash ? '' : origHash,
    origPublisher,
    origPubKey: origPublisher ? publisherKey(origPublisher) : '',
    origDomain: (origPublisher && s.publishers.get(origPublisher)) || '',
    origTitle,
    origAwait: origPublisher && origTitle ? awaitTitleKey(origPublisher, origTitle) : '',
    excerpt: fp.excerpt,
    tokens: fp.tokens,
    bodyHash: fp.bodyHash ?? '',
    leadHash: fp.leadHash ?? '',
    bands: fp.bands,
    lshPrefix: `lsh:${MINHASH_VERSION}.${s.bands}x${s.rows}:`,
    lshPeriod: Math.floor(input.now / s.windowMs),
    lshPeriodMs: s.windowMs,
    shingles: fp.shingles,
    facts: fp.facts.join(' '),
    paras: fp.paragraphs,
    paraTokens: fp.paragraphTokens,
    maxParas: MAX_SITE_PARAGRAPHS,
    publishedMs: Number.isFinite(publishedMs) ? publishedMs : -1,
    nowMs: input.now,
    at: new Date(input.now).toISOString(),
    eventVersion: STORY_EVENT_VERSION,
    windowMs: s.windowMs,
    jaccard: s.jaccard,
    containment: s.containment,
    shortRatio: s.shorterBy,
    editedJaccard: s.editedJaccard,
    numbersContainment: s.numbersContainment,
    ownFacts: s.ownFacts,
    ownFactsShare: s.ownFactsShare,
    restShare: SHARED_ONLY_REST_SHARE,
    restOverlap: SHARED_ONLY_REST_OVERLAP,
    maxBucket: MAX_BUCKET,
    maxCandidates: MAX_CANDIDATES,
    maxMerge: MAX_MERGE,
  };
  const member: StoryMemberRecord = {
    articleId: article.id,
    url: article.url,
    finalUrl: article.finalUrl,
    canonicalUrl: article.canonicalUrl ?? article.finalUrl,
    urlKey: article.urlKey,
    schemaVersion: ARTICLE_SCHEMA_VERSION,
    feed: article.feed,
    siteName: article.siteName,
    title: article.title,
    publishedAt: article.publishedAt,
    fetchedAt: article.fetchedAt,
    wordCount: article.wordCount,
    attribution: a
      ? { originalUrl: a.originalUrl, originalPublisher: a.originalPublisher, method: a.method }
      : null,
  };
  return {
    payload,
    signature: fp.signature ? signatureToBuffer(fp.signature) : Buffer.alloc(0),
    member,
    fingerprint: fp,
    original:
      origKey && a?.originalUrl && payload.origHash
        ? { url: a.originalUrl, urlKey: origKey, urlHash: origHash }
        : null,
  };
}

/** The export line of one story, as consumers and the evaluation read it. */
export interface StoryExportLine {
  storyId: string;
  representativeUrl: string;
  members: {
    url: string;
    canonicalUrl: string;
    urlKey: string;
    relation: StoryRelation;
    siteName: string | null;
    attribution: {
      originalUrl: string | null;
      originalPublisher: string | null;
      method: AttributionMethod;
    } | null;
  }[];
}

export interface StoryMemberView extends StoryMemberRecord {
  relation: StoryRelation;
}

export interface StoryRecord {
  storyId: string;
  representativeId: string;
  createdAt: string;
  updatedAt: string;
  members: StoryMemberView[];
}

/**
 * The export view. A credit or canonical that names the original's address but not its publisher gets
 * the publisher from the original's own page once the original is a member.
 */
export function toExportLine(story: StoryRecord): StoryExportLine {
  const byKey = new Map(story.members.map(m => [m.urlKey, m]));
  const rep = story.members.find(m => m.articleId === story.representativeId);
  return {
    storyId: story.storyId,
    representativeUrl: rep?.url ?? '',
    members: story.members.map(m => {
      let attribution = m.attribution;
      if (attribution?.originalUrl && !attribution.originalPublisher) {
        const key = canonicalUrlKey(attribution.originalUrl);
        const original = key ? byKey.get(key) : undefined;
        if (original?.siteName) attribution = { ...attribution, originalPublisher: original.siteName };
      }
      return {
        url: m.url,
        canonicalUrl: m.canonicalUrl,
        urlKey: m.urlKey,
        relation: m.relation,
        siteName: m.siteName,
        attribution,
      };
    }),
  };
}

/** One line of `newsflow stories explain`: a member, how it joined, and whom it credits. */
export interface MemberExplanation {
  articleId: string;
  url: string;
  siteName: string | null;
  relation: StoryRelation;
  representative: boolean;
  /** null for records stored before the decision script wrote its evidence. */
  via: MatchVia | null;
  matched: { articleId: string; url: string | null } | null;
  similarity: number | null;
  credit: { method: AttributionMethod; originalUrl: string | null; originalPublisher: string | null } | null;
}

/** Why each member of a story is in it: the evidence the decision script stored, in membership order. */
export function explainStory(story: StoryRecord): MemberExplanation[] {
  const urls = new Map(story.members.map(m => [m.articleId, m.url]));
  return story.members.map(m => ({
    articleId: m.articleId,
    url: m.url,
    siteName: m.siteName,
    relation: m.relation,
    representative: m.articleId === story.representativeId,
    via: m.match?.via ?? null,
    matched: m.match?.articleId
      ? { articleId: m.match.articleId, url: urls.get(m.match.articleId) ?? null }
      : null,
    similarity: m.match?.similarity === undefined ? null : Math.round(m.match.similarity * 1000) / 1000,
    credit: m.attribution
      ? {
          method: m.attribution.method,
          originalUrl: m.attribution.originalUrl,
          originalPublisher: m.attribution.originalPublisher,
        }
      : null,
  }));
}

/** A member record as stored, read by every version: one written before schema 2 kept its key in canonicalUrl. */
export function withUrlKey<T extends Omit<StoryMemberRecord, 'urlKey'> & { urlKey?: unknown }>(
  m: T,
): T & { urlKey: string } {
  return typeof m.urlKey === 'string' ? (m as T & { urlKey: string }) : { ...m, urlKey: m.canonicalUrl };
}
