import { parseFeedDate } from '../../shared/dates.js';
import { FeedParseError } from './errors.js';
import { capLength, FEED_LIMITS } from './limits.js';
import { absolutizeHtml, collapse, escapeHtml, textOfUntyped } from './html.js';
import { finishItem, mergeAuthors, unique } from './parse-xml.js';
import type { FeedAuthor, FeedItem, ParsedFeed } from './types.js';
import { resolveUrl } from './urls.js';

/**
 * JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). 1.1 renamed `author` to `authors`; both are read,
 * item authors fall back to the feed's. `summary` and `content_text` are plain text and become escaped HTML.
 */
export function parseJsonFeed(text: string, baseUrl: string | null): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new FeedParseError(`JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc)) throw new FeedParseError('not a JSON Feed: the document is not a JSON object');
  const version = str(doc.version);
  if (!Array.isArray(doc.items) && !version?.includes('jsonfeed.org')) {
    throw new FeedParseError('not a JSON Feed: no "version" naming jsonfeed.org and no "items" array');
  }
  const feedUrl = str(doc.feed_url);
  const base = baseUrl ?? absolute(feedUrl) ?? absolute(str(doc.home_page_url));
  const feedAuthors = authorsOf(doc, base);
  const items = (Array.isArray(doc.items) ? doc.items : [])
    .filter(isRecord)
    .map(it => jsonItem(it, base, feedAuthors));
  const hubs = Array.isArray(doc.hubs) ? doc.hubs.filter(isRecord) : [];
  const hub = hubs.find(h => /websub|pubsubhubbub/i.test(str(h.type) ?? '')) ?? hubs[0];
  return {
    format: 'json',
    version: /version\/1\.1/.test(version ?? '') ? 'json-1.1' : 'json-1.0',
    title: plain(str(doc.title)),
    link: resolveUrl(str(doc.home_page_url), base),
    description: plain(str(doc.description)),
    language: str(doc.language)?.trim() || null,
    updatedAt: null,
    ttlMinutes: null,
    hub: resolveUrl(str(hub?.url), base),
    self: resolveUrl(feedUrl, base),
    items,
  };
}

function jsonItem(it: Record<string, unknown>, base: string | null, feedAuthors: FeedAuthor[]): FeedItem {
  const id = typeof it.id === 'number' ? String(it.id) : str(it.id)?.trim() || null;
  const link = resolveUrl(str(it.url), base) ?? resolveUrl(str(it.external_url), base);
  const html = str(it.content_html, FEED_LIMITS.html)?.trim();
  const text = str(it.content_text, FEED_LIMITS.html)?.trim();
  const contentHtml = html ? absolutizeHtml(html, link ?? base) : text ? escapeHtml(text) : null;
  const summary = str(it.summary, FEED_LIMITS.html)?.trim();
  const authors = authorsOf(it, base);
  const attachments = Array.isArray(it.attachments) ? it.attachments.filter(isRecord) : [];
  const imageAttachment = attachments.find(a => str(a.mime_type)?.toLowerCase().startsWith('image/'));
  const published = dateOf(it.date_published);
  const updated = dateOf(it.date_modified);
  return finishItem({
    guid: id,
    link,
    title: plain(str(it.title)),
    publishedAt: published ?? updated,
    updatedAt: updated,
    authors: authors.length > 0 ? authors : feedAuthors.map(a => ({ ...a })),
    categories: unique(Array.isArray(it.tags) ? it.tags.map(t => str(t)) : []),
    summaryHtml: summary ? escapeHtml(summary) : null,
    contentHtml,
    image:
      resolveUrl(str(it.image), base) ??
      resolveUrl(str(it.banner_image), base) ??
      resolveUrl(str(imageAttachment?.url), base),
    source: null,
  });
}

function authorsOf(obj: Record<string, unknown>, base: string | null): FeedAuthor[] {
  const list: unknown[] = Array.isArray(obj.authors)
    ? obj.authors
    : obj.author !== undefined
      ? [obj.author]
      : [];
  const out: FeedAuthor[] = [];
  for (const a of list) {
    if (typeof a === 'string') {
      const name = collapse(capLength(a, FEED_LIMITS.text));
      if (name) out.push({ name });
      continue;
    }
    if (!isRecord(a)) continue;
    const rawUrl = str(a.url)?.trim();
    const email = rawUrl?.toLowerCase().startsWith('mailto:') ? rawUrl.slice(7) : undefined;
    const url = email ? undefined : (resolveUrl(rawUrl, base) ?? undefined);
    const name = collapse(str(a.name) ?? '') || email || url;
    if (!name) continue;
    const author: FeedAuthor = { name };
    if (email) author.email = email;
    if (url) author.url = url;
    out.push(author);
  }
  return mergeAuthors(out);
}

function plain(value: string | null): string | null {
  if (value === null) return null;
  return textOfUntyped(value) || null;
}

/** A string field, cut to `max` before anything reads it (FEED_LIMITS). */
function str(v: unknown, max: number = FEED_LIMITS.text): string | null {
  return typeof v === 'string' ? capLength(v, max) : null;
}

function dateOf(v: unknown): string | null {
  return typeof v === 'string' && v.length <= FEED_LIMITS.date ? parseFeedDate(v) : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absolute(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).toString();
  } catch {
    return null;
  }
}
