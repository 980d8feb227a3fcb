/** The page's publication and modification dates: JSON-LD, meta, itemprop, <time>, the headline's dateline, the URL. */
import { indexOf, type MetaMap } from './meta.js';
import type { FeedItemHints } from '../types.js';
import { dateFromUrl, findHumanDates, parseMachineDate } from './dates.js';
import type { DateBounds, HumanDateContext, ParsedDate } from './dates.js';
import { attr, tagOf, text } from './dom.js';
import { pickFirstText, pickFirstTime, pickHeadlineDate, pickMarkedDate, type DocumentScan } from './scan.js';
import { str, type JsonLdData, type JsonObject } from './jsonld.js';

/** Where a date came from, best first; kept for debugging and evaluation. */
export type DateSource =
  'json-ld' | 'meta' | 'itemprop' | 'time' | 'headline' | 'url' | 'feed' | 'text' | 'readability';

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

export interface DatePick {
  date: ParsedDate;
  source: DateSource;
}

export function readPublished(
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

export function readModified(
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
