import Parser from 'rss-parser';
import type { FeedItem, ParsedFeed } from './types.js';
import { createHash } from 'node:crypto';

export class FeedParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedParseError';
  }
}

type RawItem = Parser.Item & Record<string, unknown>;

const parser = new Parser<Record<string, unknown>, RawItem>({
  customFields: { item: [['feedburner:origLink', 'origLink'], 'source'] },
});

/** Parses feed text (already decoded) into normalized items; relative links resolve against `baseUrl`. */
export async function parseFeed(text: string, baseUrl: string): Promise<ParsedFeed> {
  let feed: Parser.Output<RawItem> & Record<string, unknown>;
  try {
    feed = await parser.parseString(text);
  } catch (err) {
    throw new FeedParseError((err as Error).message.split('\n')[0] ?? 'unparseable feed');
  }
  const items: FeedItem[] = (feed.items ?? []).map(item => normalizeItem(item, baseUrl));
  return {
    format: 'rss',
    title: feed.title ?? null,
    link: feed.link ?? null,
    description: feed.description ?? null,
    language: typeof feed.language === 'string' ? feed.language : null,
    updatedAt: toIso(typeof feed.lastBuildDate === 'string' ? feed.lastBuildDate : undefined),
    items,
  };
}

function normalizeItem(item: RawItem, baseUrl: string): FeedItem {
  const origLink = typeof item.origLink === 'string' ? item.origLink : undefined;
  const link = resolveUrl(origLink ?? item.link, baseUrl);
  const guid = typeof item.guid === 'string' ? item.guid : typeof item.id === 'string' ? item.id : undefined;
  const contentHtml =
    typeof item['content:encoded'] === 'string' ? item['content:encoded'] : (item.content ?? null);
  return {
    id:
      guid ||
      link ||
      createHash('sha256')
        .update(`${item.title ?? ''}\n${contentHtml ?? ''}`)
        .digest('hex'),
    link,
    title: item.title?.trim() || null,
    publishedAt: toIso(item.isoDate ?? item.pubDate),
    updatedAt: null,
    authors: item.creator ? [{ name: item.creator }] : [],
    categories: Array.isArray(item.categories) ? item.categories.filter(c => typeof c === 'string') : [],
    summaryHtml: item.summary ?? null,
    contentHtml,
    image: item.enclosure?.url ?? null,
    source: null,
  };
}

function resolveUrl(href: string | undefined, base: string): string | null {
  if (!href) return null;
  try {
    return new URL(href.trim(), base).toString();
  } catch {
    return null;
  }
}

function toIso(value: string | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
