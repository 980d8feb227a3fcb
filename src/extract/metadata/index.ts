/**
 * The page's own statements about itself, read from the raw document before Readability mutates it:
 * JSON-LD, OpenGraph/article:*, Twitter cards, meta name=…, citation_* and Dublin Core, <time>, canonical
 * links and syndication hints. Works on jsdom and linkedom documents alike (standard DOM calls only).
 */
import type { Attribution, FeedItemHints } from '../types.js';
import { cleanAuthorNames, isAccountName, sameAsHost } from './authors.js';
import {
  boundsFor,
  dateFromUrl,
  findHumanDates,
  parseMachineDate,
  type DateBounds,
  type HumanDateContext,
  type ParsedDate,
} from './dates.js';
import {
  absoluteUrl,
  attr,
  classId,
  hostOf,
  inBoilerplate,
  parentOf,
  pickHeadline,
  sameSite,
  tagOf,
  text,
} from './dom.js';
import { pickFirstText, pickFirstTime, pickHeadlineDate, pickMarkedDate, scanDocument } from './scan.js';
import {
  asArray,
  collectJsonLd,
  deref,
  isArticleNode,
  isPageNode,
  nameOf,
  str,
  typesOf,
  urlOf,
  type JsonLdData,
  type JsonObject,
} from './jsonld.js';

export { cleanAuthorNames } from './authors.js';
export type { ParsedDate } from './dates.js';

/** Where a date came from, best first; kept for debugging and evaluation. */
export type DateSource =
  'json-ld' | 'meta' | 'itemprop' | 'time' | 'headline' | 'url' | 'feed' | 'text' | 'readability';

export interface PageMetadata {
  title: string | null;
  /** Clean names; [] when unknown. */
  authors: string[];
  siteName: string | null;
  publisher: string | null;
  /** ISO 8601 UTC. */
  publishedAt: string | null;
  /** The publication day as the page wrote it (YYYY-MM-DD, publisher's time zone). */
  publishedDay: string | null;
  publishedSource: DateSource | null;
  modifiedAt: string | null;
  lang: string | null;
  excerpt: string | null;
  leadImage: string | null;
  tags: string[];
  canonicalUrl: string | null;
  access: 'free' | 'paywalled';
  /** Head-level attribution signals (cross-domain canonical, syndication-source, original-source, isBasedOn), best first. */
  signals: Attribution[];
}

export interface ReadMetadataOptions {
  /** Injected clock for rejecting future dates. */
  now?: (() => number) | undefined;
  /** The feed item: its date and authors are the last fallback. */
  feedItem?: FeedItemHints | undefined;
}

type MetaMap = Map<string, string[]>;

function collectMeta(doc: Document): MetaMap {
  const map: MetaMap = new Map();
  for (const el of Array.from(doc.querySelectorAll('meta'))) {
    const key = (
      el.getAttribute('property') ??
      el.getAttribute('name') ??
      el.getAttribute('itemprop') ??
      el.getAttribute('http-equiv') ??
      ''
    )
      .trim()
      .toLowerCase();
    const value = el.getAttribute('content') ?? el.getAttribute('value');
    if (!key || value === null) continue;
    const v = value.replace(/\s+/g, ' ').trim();
    if (!v) continue;
    // Some pages put the same property in both name= and property=; keep each key's values in order.
    for (const k of key.split(/\s+/)) {
      const list = map.get(k);
      if (list) list.push(v);
      else map.set(k, [v]);
    }
  }
  return map;
}

function first(meta: MetaMap, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = meta.get(k)?.[0];
    if (v) return v;
  }
  return null;
}

function all(meta: MetaMap, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) out.push(...(meta.get(k) ?? []));
  return out;
}

const PUBLISHED_META = [
  'article:published_time',
  'article:published',
  'og:article:published_time',
  'article.published',
  'article_date_original',
  'article.created',
  'datepublished',
  'date_published',
  'published_time',
  'published-date',
  'publish-date',
  'publish_date',
  'publishdate',
  'publication_date',
  'pubdate',
  'parsely-pub-date',
  'sailthru.date',
  'citation_publication_date',
  'citation_date',
  'citation_online_date',
  'dc.date.issued',
  'dc.date.created',
  'dc.date.publication',
  'dcterms.issued',
  'dcterms.created',
  'dc.created',
  'dc:created',
  'dcterms.date',
  'dc.date',
  'dc:date',
  'originalpublicationdate',
  'rnews:datepublished',
  'og:published_time',
  'vr:published_time',
  'shareaholic:article_published_time',
  'bt:pubdate',
  'displaydate',
  'datecreated',
  'dateposted',
  'date',
  'created',
  'creation_date',
  'timestamp',
  'content_create_date',
  'video:release_date',
];

const MODIFIED_META = [
  'article:modified_time',
  'article:modified',
  'og:updated_time',
  'datemodified',
  'date_modified',
  'modified_time',
  'dcterms.modified',
  'dc.date.modified',
  'last-modified',
  'lastmod',
  'revised',
];

const AUTHOR_META = [
  'author',
  'article:author',
  'og:article:author',
  'article:author_name',
  'citation_author',
  'dc.creator',
  'dc:creator',
  'dcterms.creator',
  'dc.creator.personalname',
  'parsely-author',
  'sailthru.author',
  'byl',
  'cxenseparse:author',
  'author_name',
  'authors',
];

export function readPageMetadata(doc: Document, url: string, opts: ReadMetadataOptions = {}): PageMetadata {
  const nowMs = opts.now ? opts.now() : Date.now();
  const bounds = boundsFor(nowMs);
  const meta = collectMeta(doc);
  const ld = collectJsonLd(doc);
  const article = pickArticle(ld, url);
  const pageNode = ld.nodes.find(isPageNode) ?? null;
  const lang = readLang(doc, meta, article);
  const dateCtx: HumanDateContext = { monthFirst: isMonthFirst(lang, url) };

  const canonicalUrl = readCanonical(doc, meta, url);
  const siteName = readSiteName(meta, ld, article);
  const publisher = (article ? nameOf(article.publisher, ld) : null) ?? siteName;

  const title = readTitle(doc, meta, article);
  const headline = pickHeadline(doc, [
    title,
    first(meta, ['og:title', 'twitter:title']),
    text(doc.querySelector('title')),
  ]);
  const published = readPublished(
    doc,
    meta,
    ld,
    article,
    pageNode,
    url,
    bounds,
    dateCtx,
    opts.feedItem,
    headline,
  );
  const modified = readModified(doc, meta, article, pageNode, bounds);

  const host = hostOf(url) ?? undefined;
  const authors = readAuthors(doc, meta, ld, article, { siteName, host }, opts.feedItem);

  return {
    title,
    authors,
    siteName,
    publisher,
    publishedAt: published?.date.iso ?? null,
    publishedDay: published?.date.day ?? null,
    publishedSource: published?.source ?? null,
    modifiedAt: modified?.iso ?? null,
    lang,
    excerpt: readExcerpt(meta, article),
    leadImage: readImage(doc, meta, ld, article, url),
    tags: readTags(meta, article),
    canonicalUrl,
    access: readAccess(meta, ld, article),
    signals: readSignals(doc, meta, ld, article, url, canonicalUrl),
  };
}

/** The parts of Readability's result that fill gaps left by the page's own statements. */
export interface ReadabilityFields {
  title?: string | null | undefined;
  byline?: string | null | undefined;
  excerpt?: string | null | undefined;
  siteName?: string | null | undefined;
  lang?: string | null | undefined;
  publishedTime?: string | null | undefined;
}

/** Fills fields the raw document did not state from Readability's output; never overrides. */
export function mergeReadabilityMetadata(
  meta: PageMetadata,
  parsed: ReadabilityFields | null | undefined,
  opts: { now?: (() => number) | undefined; url?: string | undefined } = {},
): PageMetadata {
  if (!parsed) return meta;
  const out = { ...meta };
  if (!out.title && parsed.title) out.title = parsed.title.trim() || null;
  if (out.authors.length === 0 && parsed.byline) {
    out.authors = cleanAuthorNames(parsed.byline, {
      siteName: out.siteName,
      host: hostOf(opts.url) ?? undefined,
    });
  }
  if (!out.excerpt && parsed.excerpt) out.excerpt = parsed.excerpt.trim() || null;
  if (!out.siteName && parsed.siteName) out.siteName = parsed.siteName.trim() || null;
  if (!out.publisher && out.siteName) out.publisher = out.siteName;
  if (!out.lang && parsed.lang) out.lang = parsed.lang.trim() || null;
  if ((!out.publishedAt || out.publishedSource === 'feed') && parsed.publishedTime) {
    const d = parseMachineDate(parsed.publishedTime, boundsFor(opts.now ? opts.now() : Date.now()));
    if (d) {
      out.publishedAt = d.iso;
      out.publishedDay = d.day;
      out.publishedSource = 'readability';
    }
  }
  return out;
}

// ---------------------------------------------------------------- JSON-LD node choice

function pickArticle(ld: JsonLdData, url: string): JsonObject | null {
  const articles = ld.nodes.filter(isArticleNode);
  if (articles.length === 0) return null;
  if (articles.length === 1) return articles[0] ?? null;
  // Several articles (listing widgets, related items): prefer the one about this page.
  const norm = (u: string | null): string =>
    (u ?? '')
      .replace(/^https?:\/\/(www\.)?/, '')
      .replace(/[#?].*$/, '')
      .replace(/\/$/, '');
  const target = norm(url);
  const own = articles.find(a => {
    const candidates = [urlOf(a.mainEntityOfPage, ld), str(a.url), str(a['@id'])];
    return candidates.some(c => c && norm(c) === target);
  });
  if (own) return own;
  // Otherwise the one carrying the most of what an article page states.
  let best: JsonObject | null = null;
  let bestScore = -1;
  for (const a of articles) {
    const score =
      (a.headline ? 2 : 0) +
      (a.datePublished ? 2 : 0) +
      (a.author ? 1 : 0) +
      (a.articleBody ? 1 : 0) +
      (a.mainEntityOfPage ? 1 : 0);
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return best;
}

// ---------------------------------------------------------------- fields

function readTitle(doc: Document, meta: MetaMap, article: JsonObject | null): string | null {
  const t =
    (article ? (str(article.headline) ?? str(article.name)) : null) ??
    first(meta, [
      'og:title',
      'twitter:title',
      'citation_title',
      'dc.title',
      'dcterms.title',
      'title',
      'parsely-title',
      'sailthru.title',
    ]) ??
    (text(doc.querySelector('title')) || null);
  return t ? decodeEntities(t) : null;
}

function readSiteName(meta: MetaMap, ld: JsonLdData, article: JsonObject | null): string | null {
  const og = first(meta, [
    'og:site_name',
    'application-name',
    'al:ios:app_name',
    'twitter:app:name:iphone',
    'citation_journal_title',
    'dc.publisher',
  ]);
  if (og) return decodeEntities(og);
  if (article) {
    const p = nameOf(article.publisher, ld);
    if (p) return p;
  }
  const site = ld.nodes.find(n => typesOf(n).includes('website'));
  const siteName = site ? str(site.name) : null;
  if (siteName) return siteName;
  const org = ld.nodes.find(n => typesOf(n).some(t => t === 'organization' || t === 'newsmediaorganization'));
  return org ? str(org.name) : null;
}

function readLang(doc: Document, meta: MetaMap, article: JsonObject | null): string | null {
  const raw =
    doc.documentElement?.getAttribute('lang') ??
    doc.documentElement?.getAttribute('xml:lang') ??
    (article ? str(article.inLanguage) : null) ??
    first(meta, ['content-language', 'language', 'dc.language', 'dcterms.language', 'og:locale']);
  if (!raw) return null;
  const m = /^\s*([a-z]{2,3})(?:[-_]([a-z0-9]{2,8}))?/i.exec(raw);
  if (!m?.[1]) return null;
  return m[2] ? `${m[1].toLowerCase()}-${m[2].length === 2 ? m[2].toUpperCase() : m[2]}` : m[1].toLowerCase();
}

function isMonthFirst(lang: string | null, url: string): boolean {
  // n/n/yyyy is month-first in US English only; everywhere else it is day-first.
  if (!lang) return /\.(?:com|us|gov|edu)(?:\/|$|:)/.test(hostOf(url) ?? '');
  return /^en(?:-US)?$/i.test(lang) && !/\.(?:uk|au|nz|ie|in|za)$/.test(hostOf(url) ?? '');
}

function readCanonical(doc: Document, meta: MetaMap, url: string): string | null {
  let href: string | null = null;
  for (const link of Array.from(doc.querySelectorAll('link'))) {
    const rel = (link.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('canonical')) {
      href = attr(link, 'href');
      if (href) break;
    }
  }
  const candidate = absoluteUrl(href, url) ?? absoluteUrl(first(meta, ['og:url']), url);
  if (!candidate) return null;
  // A canonical pointing at the home page from a deep page is a theme misconfiguration, not a statement.
  try {
    const c = new URL(candidate);
    const p = new URL(url);
    if ((c.pathname === '/' || c.pathname === '') && p.pathname.length > 1 && !c.search) return null;
  } catch {
    return null;
  }
  return candidate;
}

function readExcerpt(meta: MetaMap, article: JsonObject | null): string | null {
  const v =
    first(meta, [
      'og:description',
      'description',
      'twitter:description',
      'dc.description',
      'dcterms.abstract',
      'citation_abstract',
    ]) ?? (article ? str(article.description) : null);
  return v ? decodeEntities(v) : null;
}

function readImage(
  doc: Document,
  meta: MetaMap,
  ld: JsonLdData,
  article: JsonObject | null,
  url: string,
): string | null {
  const fromMeta = first(meta, [
    'og:image:secure_url',
    'og:image:url',
    'og:image',
    'twitter:image',
    'twitter:image:src',
    'thumbnailurl',
  ]);
  const fromLd = article ? (urlOf(article.image, ld) ?? urlOf(article.thumbnailUrl, ld)) : null;
  let fromLink: string | null = null;
  for (const link of Array.from(doc.querySelectorAll('link'))) {
    if ((link.getAttribute('rel') ?? '').toLowerCase() === 'image_src') {
      fromLink = attr(link, 'href');
      break;
    }
  }
  return absoluteUrl(fromMeta, url) ?? absoluteUrl(fromLd, url) ?? absoluteUrl(fromLink, url);
}

function readTags(meta: MetaMap, article: JsonObject | null): string[] {
  let raw = all(meta, ['article:tag', 'og:article:tag']);
  if (raw.length === 0 && article) {
    raw = asArray(article.keywords).flatMap(k => (typeof k === 'string' ? k.split(',') : []));
  }
  if (raw.length === 0) {
    raw = all(meta, ['news_keywords', 'keywords', 'parsely-tags']).flatMap(k => k.split(','));
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of raw) {
    const tag = t.replace(/\s+/g, ' ').trim();
    const key = tag.toLowerCase();
    if (!tag || tag.length > 60 || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
    if (out.length >= 30) break;
  }
  return out;
}

function readAccess(meta: MetaMap, ld: JsonLdData, article: JsonObject | null): 'free' | 'paywalled' {
  const nodes = article ? [article] : ld.nodes.filter(n => isPageNode(n) || isArticleNode(n));
  for (const n of nodes) {
    const v = n.isAccessibleForFree;
    if (v === false || (typeof v === 'string' && /^false$/i.test(v.trim()))) return 'paywalled';
    for (const part of asArray(n.hasPart)) {
      const p = deref(part, ld);
      if (p && typeof p === 'object' && !Array.isArray(p)) {
        const pv = (p as JsonObject).isAccessibleForFree;
        if (pv === false || (typeof pv === 'string' && /^false$/i.test(pv.trim()))) return 'paywalled';
      }
    }
  }
  const tier = first(meta, ['article:content_tier']);
  if (tier && /^(?:locked|metered|premium|paid)$/i.test(tier)) return 'paywalled';
  return 'free';
}

// ---------------------------------------------------------------- dates

interface DatePick {
  date: ParsedDate;
  source: DateSource;
}

function readPublished(
  doc: Document,
  meta: MetaMap,
  ld: JsonLdData,
  article: JsonObject | null,
  pageNode: JsonObject | null,
  url: string,
  bounds: DateBounds,
  ctx: HumanDateContext,
  feedItem: FeedItemHints | undefined,
  headline: Element | null,
): DatePick | null {
  const fromLd =
    ldDate(article, ['datePublished', 'dateCreated'], bounds) ??
    ldDate(pageNode, ['datePublished', 'dateCreated'], bounds);
  if (fromLd) return { date: fromLd, source: 'json-ld' };
  for (const k of PUBLISHED_META) {
    for (const v of meta.get(k) ?? []) {
      const d = parseMachineDate(v, bounds);
      if (d) return { date: d, source: 'meta' };
    }
  }
  const fromItemprop = itempropDate(doc, ['datepublished', 'datecreated'], bounds, ctx);
  if (fromItemprop) return { date: fromItemprop, source: 'itemprop' };
  const scan = scanDocument(doc, headline, bounds, ctx);
  const marked = pickMarkedDate(scan);
  if (marked) return { date: marked, source: 'time' };
  const near = pickHeadlineDate(scan);
  if (near) return { date: near, source: 'headline' };
  const fromUrl = dateFromUrl(url, bounds);
  if (fromUrl) return { date: fromUrl, source: 'url' };
  const firstTime = pickFirstTime(scan);
  if (firstTime) return { date: firstTime, source: 'time' };
  const fromFeed = parseMachineDate(feedItem?.publishedAt, bounds);
  if (fromFeed) return { date: fromFeed, source: 'feed' };
  const fromText = pickFirstText(scan);
  if (fromText) return { date: fromText, source: 'text' };
  return null;
}

function readModified(
  doc: Document,
  meta: MetaMap,
  article: JsonObject | null,
  pageNode: JsonObject | null,
  bounds: DateBounds,
): ParsedDate | null {
  const fromLd = ldDate(article, ['dateModified'], bounds) ?? ldDate(pageNode, ['dateModified'], bounds);
  if (fromLd) return fromLd;
  for (const k of MODIFIED_META) {
    for (const v of meta.get(k) ?? []) {
      const d = parseMachineDate(v, bounds);
      if (d) return d;
    }
  }
  return itempropDate(doc, ['datemodified'], bounds, {});
}

function ldDate(node: JsonObject | null, keys: string[], bounds: DateBounds): ParsedDate | null {
  if (!node) return null;
  for (const k of keys) {
    const d = parseMachineDate(str(node[k]), bounds);
    if (d) return d;
  }
  return null;
}

function itempropDate(
  doc: Document,
  props: string[],
  bounds: DateBounds,
  ctx: HumanDateContext,
): ParsedDate | null {
  for (const el of Array.from(doc.querySelectorAll('[itemprop]'))) {
    const prop = (el.getAttribute('itemprop') ?? '').toLowerCase();
    if (!props.some(p => prop.split(/\s+/).includes(p))) continue;
    if (tagOf(el) === 'meta') continue; // already read with the other meta tags
    const d =
      parseMachineDate(attr(el, 'datetime'), bounds) ??
      parseMachineDate(attr(el, 'content'), bounds) ??
      firstTextDate(text(el), bounds, ctx);
    if (d) return d;
  }
  return null;
}

function firstTextDate(s: string, bounds: DateBounds, ctx: HumanDateContext): ParsedDate | null {
  if (!s || s.length > 200) return null;
  const d = findHumanDates(s, bounds, ctx)[0];
  return d ? { iso: d.iso, day: d.day, hasTime: d.hasTime } : null;
}

// ---------------------------------------------------------------- authors

function readAuthors(
  doc: Document,
  meta: MetaMap,
  ld: JsonLdData,
  article: JsonObject | null,
  ctx: { siteName: string | null; host: string | undefined },
  feedItem: FeedItemHints | undefined,
): string[] {
  if (article) {
    const names = asArray(article.author ?? article.creator)
      .map(a => nameOf(a, ld))
      .filter((n): n is string => !!n);
    const cleaned = cleanAuthorNames(names, ctx);
    if (cleaned.length) return cleaned;
  }
  const metaNames = all(meta, AUTHOR_META).filter(
    v => !/^(?:https?:\/\/|www\.)/i.test(v) && !/^@\w+$/.test(v),
  );
  if (metaNames.length) {
    const cleaned = cleanAuthorNames(metaNames, ctx);
    if (cleaned.length) return cleaned;
  }
  const fromDom = domByline(doc, ctx);
  if (fromDom.length) return fromDom;
  if (feedItem?.authors?.length) return cleanAuthorNames(feedItem.authors, ctx);
  return [];
}

const AUTHOR_CLASS_RE =
  /(?:^|[\s_-])(?:author|byline|autor|auteur|autore|writer|reporter|creator|vcard)(?:$|[\s_-]|name|s\b)/;

function domByline(doc: Document, ctx: { siteName: string | null; host: string | undefined }): string[] {
  const headline = pickHeadline(doc);
  const tryEl = (el: Element): string[] => {
    if (inBoilerplate(el, headline)) return [];
    const nameEl = el.querySelector('[itemprop="name"]');
    const raw =
      (nameEl ? (attr(nameEl, 'content') ?? text(nameEl)) : null) ?? attr(el, 'content') ?? text(el);
    if (!raw || raw.length > 120) return [];
    return cleanAuthorNames(raw, ctx);
  };
  for (const el of Array.from(doc.querySelectorAll('[itemprop]'))) {
    if (!(el.getAttribute('itemprop') ?? '').toLowerCase().split(/\s+/).includes('author')) continue;
    if (tagOf(el) === 'meta' && !attr(el, 'content')) continue;
    const names = tryEl(el);
    if (names.length) return names;
  }
  for (const el of Array.from(doc.querySelectorAll('a[rel]'))) {
    if (!(el.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).includes('author')) continue;
    const names = tryEl(el);
    if (names.length) return names;
  }
  for (const el of Array.from(doc.querySelectorAll('[class]'))) {
    const ci = classId(el);
    if (!AUTHOR_CLASS_RE.test(ci)) continue;
    const tag = tagOf(el);
    if (tag === 'body' || tag === 'html' || tag === 'img' || tag === 'meta' || tag === 'script') continue;
    const names = tryEl(el);
    if (names.length) return names;
  }
  return [];
}

// ---------------------------------------------------------------- attribution signals

function readSignals(
  doc: Document,
  meta: MetaMap,
  ld: JsonLdData,
  article: JsonObject | null,
  url: string,
  canonicalUrl: string | null,
): Attribution[] {
  const out: Attribution[] = [];
  const pageHost = hostOf(url) ?? '';
  const isAmpCache = /(?:^|\.)ampproject\.org$|(?:^|\.)cdn\.ampproject\.org$/.test(pageHost);
  if (canonicalUrl && !isAmpCache && !sameSite(canonicalUrl, url)) {
    out.push({
      originalUrl: canonicalUrl,
      originalPublisher: null,
      method: 'cross-domain-canonical',
      evidence: `<link rel="canonical" href="${canonicalUrl}">`,
    });
  }
  for (const [key, method] of [
    ['syndication-source', 'syndication-source'],
    ['original-source', 'original-source'],
  ] as const) {
    const v = absoluteUrl(first(meta, [key]), url);
    if (v && !sameSite(v, url)) {
      out.push({
        originalUrl: v,
        originalPublisher: null,
        method,
        evidence: `<meta name="${key}" content="${v}">`,
      });
    }
  }
  if (article) {
    for (const basis of [...asArray(article.isBasedOn), ...asArray(article.isBasedOnUrl)]) {
      const node = deref(basis, ld);
      const u = absoluteUrl(urlOf(node, ld), url);
      if (!u || sameSite(u, url)) continue;
      const pub =
        node && typeof node === 'object' && !Array.isArray(node)
          ? nameOf((node as JsonObject).publisher, ld)
          : null;
      out.push({
        originalUrl: u,
        originalPublisher: pub,
        method: 'jsonld-isBasedOn',
        evidence: `JSON-LD isBasedOn: ${u}`,
      });
      break;
    }
  }
  void doc;
  return out;
}

// ---------------------------------------------------------------- misc

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

/** Meta content is already entity-decoded by the parser; double-encoded values ("&amp;amp;") still occur. */
function decodeEntities(s: string): string {
  return s
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_m, e: string) => ENTITIES[e] ?? _m)
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/\s+/g, ' ')
    .trim();
}

export { isAccountName, sameAsHost, parentOf };
