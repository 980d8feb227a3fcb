/**
 * The page's own statements about itself, read from the raw document before Readability mutates it:
 * JSON-LD, OpenGraph/article:*, Twitter cards, meta name=…, citation_* and Dublin Core, <time>, canonical
 * links and syndication hints. Works on jsdom and linkedom documents alike (standard DOM calls only).
 */
import type { Attribution, FeedItemHints } from '../types.js';
import {
  BYLINE_LINE_RE,
  POSTED_BY_RE,
  PREFIX_LINE_RE,
  STRONG_BYLINE_RE,
  cleanAuthorNames,
  isOrganisationName,
  isSiteLikeName,
  looksLikeName,
  looksLikePersonName,
  squash,
  type AuthorContext,
} from './authors.js';
import { collapse, decodeEntities as decodeText } from './text.js';
import { indexDocument, type DocIndex } from './doc-index.js';
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
import {
  pickFirstText,
  pickFirstTime,
  pickHeadlineDate,
  pickMarkedDate,
  scanDocument,
  type DocumentScan,
} from './scan.js';
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
/** Where the authors came from; kept for debugging and evaluation. */
export type AuthorSource =
  | 'json-ld'
  | 'meta'
  | 'marked'
  | 'headline'
  | 'json-ld-organization'
  | 'byline-line'
  | 'class'
  | 'twitter'
  | 'feed'
  | 'readability';

interface AuthorPick {
  names: string[];
  source: AuthorSource | null;
}

export type DateSource =
  'json-ld' | 'meta' | 'itemprop' | 'time' | 'headline' | 'url' | 'feed' | 'text' | 'readability';

export interface PageMetadata {
  title: string | null;
  /** Clean names; [] when unknown. */
  authors: string[];
  authorsSource: AuthorSource | null;
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
  /**
   * The JSON-LD publisher's address (absolute), when the page states one: evidence that the page's site
   * name belongs to its domain (the publisher table, see src/extract/credits/publisher.ts).
   */
  publisherUrl: string | null;
}

export interface ReadMetadataOptions {
  /** Injected clock for rejecting future dates. */
  now?: (() => number) | undefined;
  /** The feed item: its date and authors are the last fallback. */
  feedItem?: FeedItemHints | undefined;
}

type MetaMap = Map<string, string[]>;

const INDEX = new WeakMap<Document, DocIndex>();

function indexOf(doc: Document): DocIndex {
  let idx = INDEX.get(doc);
  if (!idx) {
    idx = indexDocument(doc);
    INDEX.set(doc, idx);
  }
  return idx;
}

function collectMeta(doc: Document): MetaMap {
  const map: MetaMap = new Map();
  for (const el of indexOf(doc).metas) {
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
    // Microdata of nested items (cited papers, reviews, related articles) is not about this page.
    if (!el.hasAttribute('name') && !el.hasAttribute('property') && inNestedItem(el)) continue;
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

function inNestedItem(el: Element): boolean {
  for (let cur = parentOf(el); cur; cur = parentOf(cur)) {
    if (cur.hasAttribute('itemscope')) return cur.hasAttribute('itemprop');
  }
  return false;
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
  // A fresh index per call: the caller may have changed the document since the last one.
  INDEX.set(doc, indexDocument(doc));
  const meta = collectMeta(doc);
  const ld = collectJsonLd(indexOf(doc).jsonLd);
  const article = pickArticle(ld, url);
  const pageNode = ld.nodes.find(isPageNode) ?? null;
  const lang = readLang(doc, meta, article);
  const dateCtx: HumanDateContext = { monthFirst: isMonthFirst(lang, url) };

  const canonicalUrl = readCanonical(doc, meta, url);
  const siteName = readSiteName(meta, ld, article);
  const publisher = (article ? nameOf(article.publisher, ld) : null) ?? siteName;

  const title = readTitle(doc, meta, article);
  const headline = pickHeadline(
    doc,
    [title, first(meta, ['og:title', 'twitter:title']), text(indexOf(doc).title)],
    indexOf(doc),
  );
  let scanned: DocumentScan | null = null;
  const scan = (): DocumentScan => (scanned ??= scanDocument(doc, headline, bounds, dateCtx));
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
    scan,
  );
  const modified = readModified(doc, meta, article, pageNode, bounds);
  const authorCtx: AuthorContext = { siteName, publisher, host: hostOf(url) ?? undefined };
  // Older Yoast graphs put the author on the WebPage node, with no Article node at all.
  const authorNode = article?.author || article?.creator ? article : pageNode?.author ? pageNode : article;
  const authorPick = readAuthors(doc, meta, ld, authorNode, authorCtx, headline, scan, opts.feedItem);

  return {
    title,
    authors: authorPick.names,
    authorsSource: authorPick.source,
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
    signals: readSignals(meta, ld, article, url, canonicalUrl),
    publisherUrl: readPublisherUrl(ld, article, url),
  };
}

/** The address of the organization the page names as its publisher (the Article's, else the WebSite's). */
function readPublisherUrl(ld: JsonLdData, article: JsonObject | null, url: string): string | null {
  const site = ld.nodes.find(n => typesOf(n).includes('website'));
  for (const holder of [article, site]) {
    const node = holder ? deref(holder.publisher, ld) : null;
    if (!node || typeof node !== 'object' || Array.isArray(node)) continue;
    const u = absoluteUrl(str((node as JsonObject).url) ?? null, url);
    if (u) return u;
  }
  return null;
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
    const ctx = { siteName: out.siteName, publisher: out.publisher, host: hostOf(opts.url) ?? undefined };
    const names = cleanAuthorNames(parsed.byline);
    const people = names.filter(n => !isSiteLikeName(n, ctx));
    out.authors = people.length ? people : names;
    if (out.authors.length) out.authorsSource = 'readability';
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
    (text(indexOf(doc).title) || null);
  return t ? cleanText(t) : null;
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
  if (og) return cleanText(og);
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
  for (const link of indexOf(doc).links) {
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
  return v ? cleanText(v) : null;
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
  for (const link of indexOf(doc).links) {
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
  scan: () => DocumentScan,
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
  const marked = pickMarkedDate(scan());
  if (marked) return { date: marked, source: 'time' };
  const near = pickHeadlineDate(scan());
  if (near) return { date: near, source: 'headline' };
  const fromUrl = dateFromUrl(url, bounds);
  if (fromUrl) return { date: fromUrl, source: 'url' };
  const firstTime = pickFirstTime(scan());
  if (firstTime) return { date: firstTime, source: 'time' };
  const fromFeed = parseMachineDate(feedItem?.publishedAt, bounds);
  if (fromFeed) return { date: fromFeed, source: 'feed' };
  const fromText = pickFirstText(scan());
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
  for (const el of indexOf(doc).itemprops) {
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
  ctx: AuthorContext,
  headline: Element | null,
  scan: () => DocumentScan,
  feedItem: FeedItemHints | undefined,
): AuthorPick {
  // Sources in order of trust. A source naming only the site itself ("tagesschau.de", the publisher) does
  // not end the search: a later one may credit a person. If none does, the first non-empty one stands.
  const sources: [AuthorSource, () => string[]][] = [
    ['json-ld', () => ldAuthors(article, ld, 'people')],
    [
      'meta',
      () =>
        cleanAuthorNames(
          all(meta, AUTHOR_META).filter(v => !/^(?:https?:\/\/|www\.)/i.test(v) && !/^@\w+$/.test(v)),
        ),
    ],
    ['marked', () => markedByline(doc, headline)],
    ['headline', () => headlineByline(scan())],
    ['json-ld-organization', () => ldAuthors(article, ld, 'organizations')],
    ['byline-line', () => anyBylineLine(scan())],
    ['class', () => classByline(doc, headline)],
    ['twitter', () => cleanAuthorNames(all(meta, ['twitter:creator']).filter(v => !v.startsWith('@')))],
    ['feed', () => cleanAuthorNames(feedItem?.authors ?? [])],
  ];
  let fallback: AuthorPick = { names: [], source: null };
  for (const [name, source] of sources) {
    const names = source();
    if (names.length === 0) continue;
    // Site names and institutions stand only when no source names a person.
    const people = names.filter(n => !isSiteLikeName(n, ctx) && !isOrganisationName(n));
    if (people.length) return { names: fullerNames(people, doc, headline, scan), source: name };
    if (fallback.names.length === 0) fallback = { names, source: name };
  }
  return fallback;
}

/**
 * Structured data often carries a CMS user's first name only ("Todd"); when the visible byline names the
 * same person in full ("By Todd Bates"), the full form wins.
 */
function fullerNames(
  names: string[],
  doc: Document,
  headline: Element | null,
  scan: () => DocumentScan,
): string[] {
  // A first name alone ("Todd") or a user name ("jane_doe"): worth looking for the displayed full name.
  const partial = (n: string): boolean =>
    !n.includes(' ') && (/^\p{Lu}\p{Ll}+$/u.test(n) || /^[\p{Ll}\d._-]+$/u.test(n));
  if (!names.some(partial)) return names;
  const visible = [...markedByline(doc, headline)];
  // Author boxes often sit in sidebars: any short line may hold the full name here, since it must extend
  // the name already known.
  for (const line of scan().lines) if (line.text.length <= 60) visible.push(...cleanAuthorNames(line.text));
  return names.map(n => {
    if (!partial(n)) return n;
    const key = squash(n);
    const full = visible.find(v => looksLikePersonName(v) && (v.startsWith(`${n} `) || squash(v) === key));
    return full ?? n;
  });
}

/**
 * JSON-LD authors. Organizations are read after the page's visible bylines: a newsroom credited in JSON-LD
 * ("LN", "dpa") yields to a person named on the page.
 */
function ldAuthors(article: JsonObject | null, ld: JsonLdData, kind: 'people' | 'organizations'): string[] {
  if (!article) return [];
  const values = asArray(article.author ?? article.creator).map(a => deref(a, ld));
  const isOrg = (v: unknown): boolean =>
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    typesOf(v as JsonObject).some(
      t => t === 'organization' || t === 'newsmediaorganization' || t === 'corporation',
    );
  const allOrgs = values.length > 0 && values.every(isOrg);
  if ((kind === 'people') === allOrgs) return [];
  return cleanAuthorNames(values.map(v => nameOf(v, ld)).filter((n): n is string => !!n));
}

function namesFromElement(el: Element, headline: Element | null): string[] {
  if (inBoilerplate(el, headline)) return [];
  const nameEl = el.querySelector('[itemprop="name"]');
  const raw = (nameEl ? (attr(nameEl, 'content') ?? text(nameEl)) : null) ?? attr(el, 'content') ?? text(el);
  if (!raw || raw.length > 120) return [];
  return cleanAuthorNames(raw);
}

const AUTHOR_HREF_RE =
  /\/(?:author|authors|autor|autoren|auteur|auteurs|autore|autori|redakteur|journalist|writers?)\/[^/?#]+/i;

/** Elements the page marks as its author: itemprop=author, rel=author, author-profile links, <address>. */
function markedByline(doc: Document, headline: Element | null): string[] {
  for (const el of indexOf(doc).itemprops) {
    if (!(el.getAttribute('itemprop') ?? '').toLowerCase().split(/\s+/).includes('author')) continue;
    if (tagOf(el) === 'meta' && !attr(el, 'content')) continue;
    const names = namesFromElement(el, headline);
    if (names.length) return names;
  }
  for (const el of indexOf(doc).anchors) {
    if (!(el.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).includes('author')) continue;
    const names = namesFromElement(el, headline);
    if (names.length) return names;
  }
  for (const el of indexOf(doc).addresses) {
    const names = namesFromElement(el, headline);
    if (names.length) return names;
  }
  for (const el of indexOf(doc).anchors) {
    if (!AUTHOR_HREF_RE.test(el.getAttribute('href') ?? '')) continue;
    const names = namesFromElement(el, headline);
    if (names.length) return names;
  }
  return [];
}

/** Wide bounds: here a date only marks a line as a dateline. */
const ANY_DATE: DateBounds = { min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) };
const BYLINE_BEFORE = 300;
const BYLINE_AFTER = 600;

/** A byline printed next to the headline: "von Jane Doe", "11.12.2019 - Jane Doe", "By Jane Doe | 9 Oct". */
function headlineByline(scan: DocumentScan): string[] {
  const { headlineStart, headlineEnd } = scan;
  if (headlineStart === null || headlineEnd === null) return [];
  const near = scan.lines.filter(
    l =>
      !l.boilerplate &&
      l.text.length <= 120 &&
      l.pos >= headlineStart - BYLINE_BEFORE &&
      l.pos <= headlineEnd + BYLINE_AFTER,
  );
  const ordered = [
    ...near.filter(l => l.pos >= headlineStart),
    ...near.filter(l => l.pos < headlineStart).reverse(),
  ];
  for (const line of ordered) {
    if (PREFIX_LINE_RE.test(line.text)) {
      const next = scan.lines[scan.lines.indexOf(line) + 1];
      const names = next && !next.boilerplate && next.text.length <= 80 ? cleanAuthorNames(next.text) : [];
      if (names.length && names.every(n => looksLikeName(n))) return names;
    }
    if (BYLINE_LINE_RE.test(line.text) || POSTED_BY_RE.test(line.text)) {
      const names = cleanAuthorNames(line.text);
      if (names.length && names.every(n => looksLikeName(n) && !n.includes(','))) return names;
    }
  }
  for (const line of ordered) {
    // A date and a bare name on one short line: the name must look like a person's.
    const rest = line.text.replace(/\s*[|/·•–—-]\s*/g, ' | ');
    if (findHumanDates(line.text, ANY_DATE, {}).length === 0) continue;
    const names = cleanAuthorNames(rest);
    if (names.length === 1 && names[0] && looksLikePersonName(names[0]) && names[0] !== line.text) {
      return names;
    }
  }
  return [];
}

/** A short "By Jane Doe" line anywhere in the page (signatures under articles): the name must look personal. */
function anyBylineLine(scan: DocumentScan): string[] {
  for (const line of scan.lines) {
    if (line.boilerplate || line.text.length > 120 || !BYLINE_LINE_RE.test(line.text)) continue;
    const strong = STRONG_BYLINE_RE.test(line.text);
    if (!strong && line.text.length > 60) continue;
    const names = cleanAuthorNames(line.text);
    if (
      names.length &&
      names.every(n => (strong ? looksLikeName(n) && !n.includes(',') : looksLikePersonName(n)))
    ) {
      return names;
    }
  }
  return [];
}

const AUTHOR_CLASS_RE =
  /(?:^|[\s_-])(?:author|byline|autor|auteur|autore|writer|reporter|creator|vcard|submitted)(?:$|[\s_-]|name|s\b)/;

function classByline(doc: Document, headline: Element | null): string[] {
  for (const el of Array.from(doc.querySelectorAll('[class]'))) {
    if (!AUTHOR_CLASS_RE.test(classId(el))) continue;
    const tag = tagOf(el);
    if (tag === 'body' || tag === 'html' || tag === 'img' || tag === 'meta' || tag === 'script') continue;
    const names = namesFromElement(el, headline);
    if (names.length) return names;
  }
  return [];
}

// ---------------------------------------------------------------- attribution signals

function readSignals(
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
  return out;
}

// ---------------------------------------------------------------- misc

/** Meta content is already entity-decoded by the parser; JSON-LD and double-encoded values are not. */
function cleanText(s: string): string {
  return collapse(decodeText(s));
}
