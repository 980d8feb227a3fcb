import { decodeBody } from '../../fetch/charset.js';
import { FeedParseError } from './errors.js';
import { parseJsonFeed } from './parse-json.js';
import { parseXmlFeed } from './parse-xml.js';
import type { FeedItem, ParsedFeed, ParseOptions } from './types.js';

export { FeedParseError } from './errors.js';

/**
 * Parses a feed document into the normalized shape. Text is used as given (the fetcher already decoded it);
 * bytes are decoded here by the fetcher's own rules (`fetch/charset.ts`), so a file and a fetch read alike. JSON vs XML is decided by
 * the body first (`{` or `<`), the Content-Type only when the body says nothing. Throws FeedParseError with a
 * one-line reason for anything that is not a readable feed; never anything else.
 */
export async function parseFeed(
  input: string | Buffer,
  opts: ParseOptions | string = {},
): Promise<ParsedFeed> {
  const o: ParseOptions = typeof opts === 'string' ? { baseUrl: opts } : opts;
  const text = typeof input === 'string' ? input : decodeBody(input, o.contentType, 'feed').text;
  const baseUrl = o.baseUrl?.trim() ? o.baseUrl.trim() : null;
  const head = text.replace(/^[\uFEFF\s]+/, '').slice(0, 1);
  try {
    if (!head) throw new FeedParseError('empty document');
    const json = head === '{' || head === '[' || (head !== '<' && /json/i.test(o.contentType ?? ''));
    return json ? parseJsonFeed(text, baseUrl) : await parseXmlFeed(text, baseUrl);
  } catch (err) {
    if (err instanceof FeedParseError) throw err;
    throw new FeedParseError(
      `unexpected parser error: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`,
    );
  }
}

/** The `parse-feed` JSON shape: exactly these fields, in this order. */
export interface FeedJson {
  format: ParsedFeed['format'];
  title: string | null;
  link: string | null;
  description: string | null;
  language: string | null;
  updatedAt: string | null;
  items: Omit<FeedItem, 'guid'>[];
}

export function toFeedJson(feed: ParsedFeed): FeedJson {
  return {
    format: feed.format,
    title: feed.title,
    link: feed.link,
    description: feed.description,
    language: feed.language,
    updatedAt: feed.updatedAt,
    items: feed.items.map(i => ({
      id: i.id,
      link: i.link,
      title: i.title,
      publishedAt: i.publishedAt,
      updatedAt: i.updatedAt,
      authors: i.authors.map(a => ({
        name: a.name,
        ...(a.email ? { email: a.email } : {}),
        ...(a.url ? { url: a.url } : {}),
      })),
      categories: i.categories,
      summaryHtml: i.summaryHtml,
      contentHtml: i.contentHtml,
      image: i.image,
      source: i.source ? { url: i.source.url, title: i.source.title } : null,
    })),
  };
}
