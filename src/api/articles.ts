import type { StoryReads } from '../consumer/reader.js';
import type { StoryRelation } from '../dedupe/story.js';

/**
 * Listing stored articles by store time (the `<prefix>:articles:by-time` sorted set), with opaque cursors.
 * Sorted-set order is (score, member), so a cursor is the (score, id) of the last item returned: the next
 * page starts right after it even when many articles share a millisecond.
 */

export type Order = 'asc' | 'desc';

export interface Cursor {
  o: Order;
  /** Store time, ms since epoch. */
  s: number;
  id: string;
}

export class BadCursorError extends Error {
  constructor() {
    super('cursor is not one this API returned');
    this.name = 'BadCursorError';
  }
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.o, c.s, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  let v: unknown;
  try {
    v = <unknown>JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursorError();
  }
  if (
    !Array.isArray(v) ||
    v.length !== 3 ||
    (v[0] !== 'asc' && v[0] !== 'desc') ||
    typeof v[1] !== 'number' ||
    !Number.isFinite(v[1]) ||
    typeof v[2] !== 'string' ||
    v[2].length === 0
  ) {
    throw new BadCursorError();
  }
  const [o, score, id] = v as [Order, number, string];
  return { o, s: score, id };
}

/** `since` as an ISO 8601 date/time or epoch milliseconds; null when it is neither. */
export function parseSince(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

export interface ArticleSummary {
  id: string;
  storyId: string;
  relation: StoryRelation;
  isRepresentative: boolean;
  url: string;
  /** The page's declared canonical URL, else its final URL. */
  canonicalUrl: string;
  /** The dedupe key (never fetched). */
  urlKey: string;
  title: string | null;
  siteName: string | null;
  feedId: string;
  publishedAt: string | null;
  fetchedAt: string;
  storedAt: string;
  wordCount: number;
}

/** Member metadata of many articles: one story read per distinct story. */
async function summaries(
  store: StoryReads,
  rows: { id: string; score: number }[],
): Promise<(ArticleSummary | null)[]> {
  const storyIds = await Promise.all(rows.map(r => store.storyIdOf(r.id)));
  const distinct = [...new Set(storyIds.filter((x): x is string => !!x))];
  const stories = new Map(
    (await Promise.all(distinct.map(id => store.readStory(id)))).flatMap(s => (s ? [[s.storyId, s]] : [])),
  );
  return rows.map((row, i) => {
    const story = stories.get(storyIds[i] ?? '');
    const m = story?.members.find(x => x.articleId === row.id);
    if (!story || !m) return null;
    return {
      id: row.id,
      storyId: story.storyId,
      relation: m.relation,
      isRepresentative: story.representativeId === row.id,
      url: m.url,
      canonicalUrl: m.canonicalUrl,
      urlKey: m.urlKey,
      title: m.title,
      siteName: m.siteName,
      feedId: m.feed.id,
      publishedAt: m.publishedAt,
      fetchedAt: m.fetchedAt,
      storedAt: new Date(row.score).toISOString(),
      wordCount: m.wordCount,
    };
  });
}

export interface ListQuery {
  since?: number | undefined;
  limit: number;
  feed?: string | undefined;
  order: Order;
  cursor?: Cursor | undefined;
}

export interface ArticlePage {
  items: ArticleSummary[];
  /** Pass back as `cursor` for the next page; null when there is nothing after this page. */
  nextCursor: string | null;
}

/** With a feed filter a page may hold fewer items than `limit`; at most this many articles are read per page. */
const MAX_SCAN = 2_000;

export async function listArticles(store: StoryReads, q: ListQuery): Promise<ArticlePage> {
  const order = q.cursor?.o ?? q.order;
  const lowest = q.since ?? '-inf';
  const start = q.cursor ? q.cursor.s : order === 'asc' ? lowest : '+inf';
  const batch = Math.min(Math.max(q.limit * 2, 50), 500);
  const items: ArticleSummary[] = [];
  let last: Cursor | undefined = q.cursor;
  let offset = 0;
  let scanned = 0;
  for (;;) {
    const page = await store.articlesByTime(
      order === 'asc'
        ? { order, from: start, to: '+inf', offset, limit: batch }
        : { order, from: start, to: lowest, offset, limit: batch },
    );
    if (page.length === 0) return { items, nextCursor: null };
    offset += page.length;
    const rows: { id: string; score: number }[] = [];
    for (const { id, at: score } of page) {
      if (q.cursor && score === q.cursor.s && (order === 'asc' ? id <= q.cursor.id : id >= q.cursor.id)) {
        continue;
      }
      rows.push({ id, score });
    }
    const found = await summaries(store, rows);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      last = { o: order, s: row.score, id: row.id };
      scanned++;
      const summary = found[i];
      if (!summary) continue;
      if (q.feed && summary.feedId !== q.feed) continue;
      items.push(summary);
      if (items.length >= q.limit) return { items, nextCursor: encodeCursor(last) };
    }
    if (scanned >= MAX_SCAN && last) return { items, nextCursor: encodeCursor(last) };
  }
}
