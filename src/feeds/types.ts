/** A feed item normalized across RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed. */
export interface FeedAuthor {
  name: string;
  email?: string;
  url?: string;
}

export interface FeedItem {
  id: string;
  link: string | null;
  title: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  authors: FeedAuthor[];
  categories: string[];
  summaryHtml: string | null;
  contentHtml: string | null;
  image: string | null;
  /** RSS `<source url>` / Atom `<source>`: the feed this item was copied from. */
  source: { url: string | null; title: string | null } | null;
}

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  description: string | null;
  language: string | null;
  updatedAt: string | null;
  /** RSS `<ttl>` in minutes, when given. */
  ttlMinutes?: number | null;
  /** WebSub hub and self links, when advertised. */
  hub?: string | null;
  self?: string | null;
  items: FeedItem[];
}
