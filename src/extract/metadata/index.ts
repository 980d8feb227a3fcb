/**
 * The page's own statements about itself, read from the raw document before Readability mutates it:
 * JSON-LD, OpenGraph/article:*, Twitter cards, meta name=…, citation_* and Dublin Core, <time>, canonical
 * links and syndication hints. Works on jsdom and linkedom documents alike (standard DOM calls only).
 */
import type { Attribution, FeedItemHints } from '../types.js';
import { cleanAuthorNames, isSiteLikeName, type AuthorContext } from './authors.js';
import { boundsFor, parseMachineDate, type HumanDateContext } from './dates.js';
import { absoluteUrl, attr, hostOf, pickHeadline, sameSite, text } from './dom.js';
import { scanDocument, type DocumentScan } from './scan.js';
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

import { all, cleanText, collectMeta, first, indexOf, reindex, type MetaMap } from './meta.js';
import { readAuthors, type AuthorSource } from './page-authors.js';
import { readModified, readPublished, type DateSource } from './page-dates.js';

export { cleanAuthorNames } from './authors.js';
export type { ParsedDate } from './dates.js';
export type { AuthorSource, DateSource };

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

export function readPageMetadata(doc: Document, url: string, opts: ReadMetadataOptions = {}): PageMetadata {
  const nowMs = opts.now ? opts.now() : Date.now();
  const bounds = boundsFor(nowMs);
  // A fresh index per call: the caller may have changed the document since the last one.
  reindex(doc);
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
