import { Parser as XmlParser } from 'xml2js';
import { parseFeedDate } from '../../shared/dates.js';
import { FeedParseError } from './errors.js';
import {
  absolutizeHtml,
  collapse,
  escapeHtml,
  htmlToText,
  looksLikeHtml,
  textOfUntyped,
  xhtmlToHtml,
} from './html.js';
import { itemId } from './identity.js';
import { FEED_LIMITS } from './limits.js';
import type { FeedAuthor, FeedFormat, FeedItem, FeedItemSource, ParsedFeed } from './types.js';
import { resolveUrl } from './urls.js';
import { nameProcessor, prepareXml, RAW_MARKER, type PreparedXml } from './xml-prep.js';
import { attr, child, childOf, children, childText, isObject, textOf, type XNode } from './xml-tree.js';

/**
 * RSS 0.9x/1.0/2.0 and Atom 0.3/1.0. The text is made well-formed (`prepareXml`), parsed by xml2js (sax
 * underneath, namespace prefixes canonicalized), and normalized from the element tree here.
 */
export async function parseXmlFeed(text: string, baseUrl: string | null): Promise<ParsedFeed> {
  const prepared = prepareXml(text);
  if (!prepared.root) throw new FeedParseError('not a feed: no XML element found');
  const root = prepared.root;
  if (/^(?:html|xhtml:html)$/i.test(root)) throw new FeedParseError('not a feed: an HTML page (root <html>)');
  const tree = await xmlTree(prepared);
  const node = tree[root];
  const ctx: Ctx = { xhtmlPrefixes: prepared.xhtmlPrefixes, atom03: false };
  switch (root) {
    case 'rss':
      return rssFeed(
        node,
        child(node, 'channel'),
        'rss',
        `rss-${attr(node, 'version')?.trim() || '2.0'}`,
        baseUrl,
        ctx,
      );
    case 'channel':
      return rssFeed(node, node, 'rss', 'rss-2.0', baseUrl, ctx);
    case 'rdf:RDF': {
      const netscape = Object.keys(isObject(node) ? (node.$ ?? {}) : {}).some(k =>
        (node as { $: Record<string, string> }).$[k]?.includes('my.netscape.com/rdf/simple/0.9'),
      );
      return rssFeed(node, child(node, 'channel'), 'rdf', netscape ? 'rss-0.90' : 'rss-1.0', baseUrl, ctx);
    }
    case 'feed': {
      const v03 =
        attr(node, 'version') === '0.3' ||
        Object.values(isObject(node) ? (node.$ ?? {}) : {}).includes('http://purl.org/atom/ns#');
      return atomFeed(node, baseUrl, { ...ctx, atom03: v03 });
    }
    default:
      throw new FeedParseError(`not a feed: root element <${root}> is not rss, rdf:RDF or feed`);
  }
}

interface Ctx {
  xhtmlPrefixes: readonly string[];
  atom03: boolean;
}

/**
 * xml2js's object tree of the prepared text (explicit root, every child an array, text in `_`, attributes in
 * `$`), names canonicalized by the prepared prefix map. xml2js is called directly: rss-parser, which wraps it,
 * only adds a mapping we do not use (its output drops what normalization needs) and, for every item, a text
 * snippet by regexes that are quadratic on unclosed tags (70 000 `<p ` in one description: 44 s).
 */
async function xmlTree(prepared: PreparedXml): Promise<Record<string, XNode>> {
  const names = nameProcessor(prepared.prefixes, prepared.foldCase);
  const parser = new XmlParser({ tagNameProcessors: [names], attrNameProcessors: [names] });
  let tree: unknown;
  try {
    tree = await parser.parseStringPromise(prepared.text);
  } catch (err) {
    throw new FeedParseError(reasonOf(err));
  }
  if (isObject(tree)) return tree as Record<string, XNode>;
  throw new FeedParseError(reasonOf(null));
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : 'unparseable XML';
  const [first, ...rest] = msg.split('\n');
  const line = /Line:\s*(\d+)/.exec(rest.join(' '))?.[1];
  const col = /Column:\s*(\d+)/.exec(rest.join(' '))?.[1];
  return `XML: ${first?.trim() || 'unparseable'}${line ? ` (line ${Number(line) + 1}, column ${col ?? '?'})` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------- RSS

function rssFeed(
  root: XNode | undefined,
  channel: XNode | undefined,
  format: FeedFormat,
  version: string,
  docUrl: string | null,
  ctx: Ctx,
): ParsedFeed {
  const ch = channel ?? root;
  const selfLink = atomLinks(ch, null).find(l => l.rel === 'self')?.href ?? null;
  const hubLink = atomLinks(ch, null).find(l => l.rel === 'hub')?.href ?? null;
  const siteLinkRaw = rssLinkText(ch);
  let base = resolveUrl(attr(root, 'xml:base'), docUrl) ?? docUrl;
  base = resolveUrl(attr(ch, 'xml:base'), base) ?? base;
  // Without a document URL, relative links can only mean "relative to the feed" or "to its site".
  base ??= absolute(selfLink) ?? absolute(siteLinkRaw);
  const link =
    resolveUrl(siteLinkRaw, base) ??
    atomLinks(ch, base).find(l => !l.rel || l.rel === 'alternate')?.href ??
    null;

  // RSS 1.0 puts items next to the channel; RSS 0.9x/2.0 inside it. Some feeds get this wrong either way.
  const itemNodes = [...children(ch, 'item'), ...(ch !== root ? children(root, 'item') : [])];
  const items = itemNodes.map(item => rssItem(item, base, ctx));
  const ttl = Number(childText(ch, 'ttl'));

  return {
    format,
    version,
    title: untypedText(childText(ch, 'title', 'dc:title', 'atom:title')),
    link,
    description: untypedText(
      childText(ch, 'description', 'dc:description', 'atom:subtitle', 'itunes:summary'),
    ),
    language:
      childText(ch, 'language', 'dc:language') ?? attr(ch, 'xml:lang') ?? attr(root, 'xml:lang') ?? null,
    updatedAt: firstDate(ch, ['lastBuildDate', 'pubDate', 'dc:date', 'atom:updated', 'dcterms:modified']),
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? Math.round(ttl) : null,
    hub: resolveUrl(hubLink, base),
    self: resolveUrl(selfLink, base),
    items,
  };
}

function rssItem(item: XNode, feedBase: string | null, ctx: Ctx): FeedItem {
  const base = resolveUrl(attr(item, 'xml:base'), feedBase) ?? feedBase;
  const guidNode = child(item, 'guid');
  const guid = textOf(guidNode).trim() || null;
  const about = attr(item, 'rdf:about')?.trim() || null;
  const rawId = guid ?? childText(item, 'atom:id') ?? about ?? childText(item, 'dc:identifier');
  const permaGuid =
    guid && attr(guidNode, 'isPermaLink')?.trim().toLowerCase() !== 'false' && /^https?:\/\//i.test(guid)
      ? guid
      : null;
  const link =
    linkFrom(child(item, 'feedburner:origLink'), base) ??
    linkFrom(
      children(item, 'link').find(l => rssLinkText(l) !== null),
      base,
    ) ??
    atomLinks(item, base).find(l => !l.rel || l.rel === 'alternate')?.href ??
    resolveUrl(permaGuid, base) ??
    (about && /^https?:\/\//i.test(about) ? about : null);

  const title = untypedText(childText(item, 'title', 'dc:title'));
  const description = htmlField(childOf(item, ['description', 'dc:description']), base, ctx);
  const summaryHtml =
    description ?? textAsHtml(childText(item, 'itunes:summary', 'itunes:subtitle', 'media:description'));
  const contentHtml =
    htmlField(child(item, 'content:encoded'), base, ctx) ??
    xhtmlField(child(item, 'xhtml:body') ?? child(item, 'body'), base, ctx) ??
    atomText(child(item, 'atom:content'), base, ctx, FEED_LIMITS.html).html;

  const authors = mergeAuthors([
    ...children(item, 'author').flatMap(a => rssAuthor(a, base)),
    ...children(item, 'dc:creator').flatMap(a => nameOnly(a)),
    ...children(item, 'atom:author').flatMap(a => atomAuthor(a, base)),
  ]);
  if (authors.length === 0) authors.push(...children(item, 'itunes:author').flatMap(a => nameOnly(a)));

  const categories = unique([
    ...children(item, 'category').map(c => attr(c, 'term') ?? textOf(c)),
    ...children(item, 'dc:subject').map(c => textOf(c)),
    ...children(item, 'atom:category').map(c => attr(c, 'term') ?? attr(c, 'label') ?? textOf(c)),
  ]);

  const sourceNode = child(item, 'source');
  let source: FeedItemSource | null = null;
  if (sourceNode !== undefined) {
    const url = resolveUrl(attr(sourceNode, 'url'), base);
    const stitle = collapse(textOf(sourceNode)) || null;
    if (url || stitle) source = { url, title: stitle };
  }

  const publishedAt = firstDate(item, [
    'pubDate',
    'dc:date',
    'dcterms:issued',
    'dcterms:created',
    'atom:published',
  ]);
  const updatedAt = firstDate(item, ['atom:updated', 'dcterms:modified']);
  return finishItem({
    guid: rawId,
    link,
    title,
    publishedAt: publishedAt ?? updatedAt,
    updatedAt,
    authors,
    categories,
    summaryHtml,
    contentHtml,
    image: itemImage(item, base),
    source,
  });
}

/** RSS `<link>` text; some feeds write it Atom-style as `<link href="…"/>`. */
function rssLinkText(node: unknown): string | null {
  const l = child(node, 'link') ?? (typeof node === 'string' || isObject(node) ? node : undefined);
  if (l === undefined) return null;
  const t = textOf(l).trim() || attr(l, 'href')?.trim();
  return t || null;
}

function linkFrom(node: XNode | undefined, base: string | null): string | null {
  if (node === undefined) return null;
  const t = textOf(node).trim() || attr(node, 'href')?.trim();
  if (!t) return null;
  return resolveUrl(t, resolveUrl(attr(node, 'xml:base'), base) ?? base);
}

/** "jane@example.com (Jane Doe)", "Jane Doe <jane@example.com>", "jane@example.com", "Jane Doe". */
export function parseAuthorString(raw: string): FeedAuthor | null {
  const s = collapse(raw);
  if (!s) return null;
  let m = /^([^\s()<>]+@[^\s()<>]+)\s*\((.+)\)$/.exec(s);
  if (m) return { name: m[2]!.trim(), email: m[1]! };
  m = /^(.+?)\s*<([^\s<>]+@[^\s<>]+)>$/.exec(s);
  if (m) return { name: m[1]!.replace(/^["']|["']$/g, '').trim(), email: m[2]! };
  m = /^(?:mailto:)?([^\s()<>]+@[^\s()<>]+\.[^\s()<>]+)$/.exec(s);
  if (m) return { name: m[1]!, email: m[1]! };
  m = /^\((.+)\)$/.exec(s);
  if (m) return { name: m[1]!.trim() };
  return { name: looksLikeHtml(s) ? htmlToText(s) : s };
}

function rssAuthor(node: XNode, base: string | null): FeedAuthor[] {
  if (isObject(node) && (child(node, 'name') !== undefined || child(node, 'email') !== undefined)) {
    return atomAuthor(node, base);
  }
  const a = parseAuthorString(textOf(node));
  return a ? [a] : [];
}

function nameOnly(node: XNode): FeedAuthor[] {
  const a = parseAuthorString(textOf(node));
  return a ? [a] : [];
}

// --------------------------------------------------------------------------------------------------------- Atom

function atomFeed(feed: XNode | undefined, docUrl: string | null, ctx: Ctx): ParsedFeed {
  let base = resolveUrl(attr(feed, 'xml:base'), docUrl) ?? docUrl;
  const rawLinks = atomLinks(feed, null);
  base ??=
    absolute(rawLinks.find(l => l.rel === 'self')?.href ?? null) ??
    absolute(rawLinks.find(l => !l.rel || l.rel === 'alternate')?.href ?? null);
  const links = atomLinks(feed, base);
  const feedAuthors = children(feed, 'author').flatMap(a => atomAuthor(a, base));
  const items = children(feed, 'entry').map(e => atomEntry(e, base, feedAuthors, ctx));
  return {
    format: 'atom',
    version: ctx.atom03 ? 'atom-0.3' : 'atom-1.0',
    title: atomText(child(feed, 'title'), base, ctx).text,
    link: alternateLink(links),
    description: atomText(childOf(feed, ['subtitle', 'tagline']), base, ctx).text,
    language: attr(feed, 'xml:lang')?.trim() || childText(feed, 'dc:language'),
    updatedAt: firstDate(feed, ['updated', 'modified', 'dc:date']),
    ttlMinutes: null,
    hub: links.find(l => l.rel === 'hub')?.href ?? null,
    self: links.find(l => l.rel === 'self')?.href ?? null,
    items,
  };
}

function atomEntry(entry: XNode, feedBase: string | null, feedAuthors: FeedAuthor[], ctx: Ctx): FeedItem {
  const base = resolveUrl(attr(entry, 'xml:base'), feedBase) ?? feedBase;
  const links = atomLinks(entry, base);
  const sourceNode = child(entry, 'source');
  let authors = mergeAuthors([
    ...children(entry, 'author').flatMap(a => atomAuthor(a, base)),
    ...children(entry, 'dc:creator').flatMap(a => nameOnly(a)),
  ]);
  // RFC 4287 §4.2.1: an entry without authors inherits those of its source, then of the feed.
  if (authors.length === 0) authors = children(sourceNode, 'author').flatMap(a => atomAuthor(a, base));
  if (authors.length === 0) authors = feedAuthors.map(a => ({ ...a }));

  let source: FeedItemSource | null = null;
  if (sourceNode !== undefined) {
    const sbase = resolveUrl(attr(sourceNode, 'xml:base'), base) ?? base;
    const slinks = atomLinks(sourceNode, sbase);
    const sid = childText(sourceNode, 'id');
    const url =
      slinks.find(l => l.rel === 'self')?.href ??
      alternateLink(slinks) ??
      (sid && /^https?:\/\//i.test(sid) ? sid : null);
    const stitle = atomText(child(sourceNode, 'title'), sbase, ctx).text;
    if (url || stitle) source = { url, title: stitle };
  }

  const published = firstDate(entry, ['published', 'issued', 'created', 'dc:date']);
  const updated = firstDate(entry, ['updated', 'modified']);
  return finishItem({
    guid: childText(entry, 'id'),
    link:
      linkFrom(child(entry, 'feedburner:origLink'), base) ??
      alternateLink(links) ??
      // Broken feeds write `<link>https://…</link>`; an entry whose atom:id is its URL has no other.
      linkFrom(
        children(entry, 'link').find(l => /^https?:\/\//i.test(textOf(l).trim())),
        base,
      ) ??
      httpOnly(childText(entry, 'id')),
    title: atomText(child(entry, 'title'), base, ctx).text,
    publishedAt: published ?? updated,
    updatedAt: updated,
    authors,
    categories: unique(
      children(entry, 'category').map(c => attr(c, 'term') ?? attr(c, 'label') ?? textOf(c)),
    ),
    summaryHtml: atomText(child(entry, 'summary'), base, ctx, FEED_LIMITS.html).html,
    contentHtml: atomText(child(entry, 'content'), base, ctx, FEED_LIMITS.html).html,
    image: itemImage(entry, base),
    source,
  });
}

interface AtomLink {
  href: string;
  rel: string;
  type: string;
}

/** `<link>` (Atom) or `<atom:link>` (in RSS) elements with an href, resolved against their own xml:base. */
function atomLinks(node: unknown, base: string | null): AtomLink[] {
  const out: AtomLink[] = [];
  for (const l of [...children(node, 'link'), ...children(node, 'atom:link')]) {
    const href = attr(l, 'href')?.trim();
    if (!href) continue;
    const resolved = resolveUrl(href, resolveUrl(attr(l, 'xml:base'), base) ?? base);
    if (!resolved) continue;
    out.push({
      href: resolved,
      rel: (attr(l, 'rel') ?? '')
        .trim()
        .toLowerCase()
        .replace(/^http:\/\/www\.iana\.org\/assignments\/relation\//, ''),
      type: (attr(l, 'type') ?? '').trim().toLowerCase(),
    });
  }
  return out;
}

/** rel="alternate" (or no rel), preferring an HTML one. */
function alternateLink(links: AtomLink[]): string | null {
  const alternates = links.filter(l => !l.rel || l.rel === 'alternate');
  return (alternates.find(l => !l.type || /html/.test(l.type)) ?? alternates[0])?.href ?? null;
}

function atomAuthor(node: XNode, base: string | null): FeedAuthor[] {
  if (!isObject(node)) {
    const a = parseAuthorString(node);
    return a ? [a] : [];
  }
  const name = collapse(textOf(child(node, 'name')));
  const email = collapse(textOf(child(node, 'email'))).replace(/^mailto:/i, '');
  const uri = collapse(textOf(child(node, 'uri') ?? child(node, 'url')));
  const url = uri ? resolveUrl(uri, resolveUrl(attr(node, 'xml:base'), base) ?? base) : null;
  if (!name && !email && !url) {
    const a = parseAuthorString(textOf(node));
    return a ? [a] : [];
  }
  const author: FeedAuthor = { name: name || email || url || '' };
  if (email) author.email = email;
  if (url) author.url = url;
  return [author];
}

interface TextValue {
  html: string | null;
  text: string | null;
}

const NONE: TextValue = { html: null, text: null };

/**
 * An Atom text construct or content element. Atom 1.0: type text|html|xhtml or a MIME type (text/* is text,
 * XML types are inline, anything else is base64). Atom 0.3: MIME type plus mode xml|escaped|base64.
 */
function atomText(
  node: XNode | undefined,
  base: string | null,
  ctx: Ctx,
  max: number = FEED_LIMITS.text,
): TextValue {
  if (node === undefined) return NONE;
  if (attr(node, 'src')) return NONE;
  const type = (attr(node, 'type') ?? '').trim().toLowerCase();
  const mode = (attr(node, 'mode') ?? '').trim().toLowerCase();
  const raw = attr(node, RAW_MARKER) === '1';
  let value = textOf(node, max);

  let kind: 'text' | 'html' | 'xhtml';
  if (type === 'xhtml' || type === 'application/xhtml+xml') kind = 'xhtml';
  else if (type === 'html' || type === 'text/html') kind = 'html';
  else if (type === '' || type === 'text' || type === 'text/plain') kind = 'text';
  else if (type.startsWith('text/')) kind = 'text';
  else if (/[+/]xml$/.test(type)) kind = 'xhtml';
  else if (!ctx.atom03 || mode === 'base64') kind = 'text';
  else kind = 'text';

  const binaryType = type.includes('/') && !type.startsWith('text/') && !/[+/]xml$/.test(type);
  if (mode === 'base64' || (!ctx.atom03 && binaryType)) {
    const decoded = decodeBase64Text(value);
    if (decoded === null) return NONE;
    value = decoded;
    if (kind === 'xhtml') kind = 'html';
    if (binaryType && !/html|xml/.test(type)) kind = looksLikeHtml(decoded) ? 'html' : 'text';
  } else if (ctx.atom03 && mode === 'escaped' && kind === 'xhtml') {
    kind = 'html';
  }
  // Markup inside a text element: the publisher meant HTML, whatever the type says.
  if (raw && kind === 'text') kind = 'html';

  if (kind === 'xhtml') {
    const html = raw ? xhtmlToHtml(value, ctx.xhtmlPrefixes) : escapeHtml(value.trim());
    return finishHtml(html, resolveUrl(attr(node, 'xml:base'), base) ?? base);
  }
  if (kind === 'html') return finishHtml(value.trim(), resolveUrl(attr(node, 'xml:base'), base) ?? base);
  const text = collapse(value);
  return text ? { html: escapeHtml(value.trim()), text } : NONE;
}

function finishHtml(html: string, base: string | null): TextValue {
  if (!html) return NONE;
  const text = htmlToText(html);
  return { html: absolutizeHtml(html, base), text: text || null };
}

function decodeBase64Text(value: string): string | null {
  const compact = value.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
  const text = bytes.toString('utf8');
  // Binary payloads (an image) are not text content.
  // eslint-disable-next-line no-control-regex -- binary payloads are recognised by their control bytes
  if (text.includes('\ufffd') || /[\u0000-\u0008\u000e-\u001f]/.test(text)) return null;
  return text;
}

/** RSS description/content:encoded: HTML (escaped or CDATA), or markup captured verbatim. */
function htmlField(node: XNode | undefined, base: string | null, ctx: Ctx): string | null {
  if (node === undefined) return null;
  const type = attr(node, 'type')?.trim().toLowerCase();
  if (type && type !== 'html' && type !== 'text/html') {
    return atomText(node, base, ctx, FEED_LIMITS.html).html;
  }
  const html = textOf(node, FEED_LIMITS.html).trim();
  if (!html) return null;
  const b = resolveUrl(attr(node, 'xml:base'), base) ?? base;
  return absolutizeHtml(attr(node, RAW_MARKER) === '1' ? xhtmlToHtml(html, ctx.xhtmlPrefixes) : html, b);
}

function xhtmlField(node: XNode | undefined, base: string | null, ctx: Ctx): string | null {
  if (node === undefined) return null;
  const html = textOf(node, FEED_LIMITS.html).trim();
  if (!html) return null;
  return absolutizeHtml(
    attr(node, RAW_MARKER) === '1' ? xhtmlToHtml(html, ctx.xhtmlPrefixes) : escapeHtml(html),
    base,
  );
}

function textAsHtml(text: string | null): string | null {
  return text ? escapeHtml(text) : null;
}

function untypedText(value: string | null): string | null {
  if (value === null) return null;
  return textOfUntyped(value) || null;
}

// -------------------------------------------------------------------------------------------------- shared bits

const IMAGE_EXT = /\.(?:jpe?g|png|gif|webp|avif|svg|bmp)(?:[?#]|$)/i;

function itemImage(item: XNode, base: string | null): string | null {
  const candidates: (string | undefined)[] = [];
  const media = [
    ...children(item, 'media:content'),
    ...children(item, 'media:group').flatMap(g => children(g, 'media:content')),
  ];
  for (const m of media) {
    const medium = attr(m, 'medium')?.toLowerCase();
    const type = attr(m, 'type')?.toLowerCase();
    const url = attr(m, 'url');
    if (
      medium === 'image' ||
      type?.startsWith('image/') ||
      (!medium && !type && url && IMAGE_EXT.test(url))
    ) {
      candidates.push(url);
    }
  }
  const thumbs = [
    ...children(item, 'media:thumbnail'),
    ...children(item, 'media:group').flatMap(g => children(g, 'media:thumbnail')),
    ...media.flatMap(m => children(m, 'media:thumbnail')),
  ];
  candidates.push(...thumbs.map(t => attr(t, 'url')));
  const enclosures = children(item, 'enclosure');
  candidates.push(
    ...enclosures.filter(e => attr(e, 'type')?.toLowerCase().startsWith('image/')).map(e => attr(e, 'url')),
  );
  const atomEnclosures = atomLinks(item, null).filter(l => l.rel === 'enclosure');
  candidates.push(...atomEnclosures.filter(l => l.type.startsWith('image/')).map(l => l.href));
  candidates.push(...children(item, 'itunes:image').map(i => attr(i, 'href') ?? textOf(i)));
  for (const img of children(item, 'image')) {
    candidates.push(attr(img, 'url') ?? childText(img, 'url') ?? textOf(img));
  }
  candidates.push(
    ...enclosures
      .filter(e => !attr(e, 'type') && IMAGE_EXT.test(attr(e, 'url') ?? ''))
      .map(e => attr(e, 'url')),
    ...atomEnclosures.filter(l => !l.type && IMAGE_EXT.test(l.href)).map(l => l.href),
  );
  for (const c of candidates) {
    const url = resolveUrl(c?.trim(), base);
    if (url) return url;
  }
  return null;
}

function firstDate(node: unknown, names: readonly string[]): string | null {
  for (const n of names) {
    for (const c of children(node, n)) {
      const raw = textOf(c, FEED_LIMITS.date + 1);
      if (raw.length > FEED_LIMITS.date) continue;
      const d = parseFeedDate(raw);
      if (d) return d;
    }
  }
  return null;
}

function httpOnly(url: string | null): string | null {
  return url && /^https?:\/\/[^\s]+$/i.test(url) ? resolveUrl(url, null) : null;
}

function absolute(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url.trim()).toString();
  } catch {
    return null;
  }
}

export function unique(values: readonly (string | null | undefined)[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const t = v ? textOfUntyped(v) : '';
    if (!t || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out;
}

/** One entry per name (case-insensitive), keeping the first email/url seen for it. */
export function mergeAuthors(authors: readonly FeedAuthor[]): FeedAuthor[] {
  const out: FeedAuthor[] = [];
  for (const a of authors) {
    const name = a.name.trim();
    if (!name) continue;
    const same = out.find(o => o.name.toLowerCase() === name.toLowerCase());
    if (same) {
      if (!same.email && a.email) same.email = a.email;
      if (!same.url && a.url) same.url = a.url;
      continue;
    }
    out.push({ ...a, name });
  }
  return out;
}

export function finishItem(fields: Omit<FeedItem, 'id'>): FeedItem {
  return { id: itemId(fields), ...fields };
}
