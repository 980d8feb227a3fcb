/** The page's authors: JSON-LD, meta, marked bylines, the headline's byline, byline lines, classes. */
import { all, indexOf, type MetaMap } from './meta.js';
import type { FeedItemHints } from '../types.js';
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
import { findHumanDates, type DateBounds } from './dates.js';
import { attr, classId, inBoilerplate, tagOf, text } from './dom.js';
import { type DocumentScan } from './scan.js';
import { asArray, deref, nameOf, typesOf, type JsonLdData, type JsonObject } from './jsonld.js';

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

export interface AuthorPick {
  names: string[];
  source: AuthorSource | null;
}

export const AUTHOR_META = [
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

export function readAuthors(
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
