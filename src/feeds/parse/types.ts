/** A feed item normalized across RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1. */
export interface FeedAuthor {
  name: string;
  email?: string;
  url?: string;
}

export interface FeedItemSource {
  url: string | null;
  title: string | null;
}

export interface FeedItem {
  /** guid / atom:id / JSON id, else the link, else a hash of title + content. */
  id: string;
  link: string | null;
  title: string | null;
  /** ISO 8601 UTC. */
  publishedAt: string | null;
  updatedAt: string | null;
  authors: FeedAuthor[];
  categories: string[];
  summaryHtml: string | null;
  contentHtml: string | null;
  image: string | null;
  /** RSS `<source url>` / Atom `<source>`: the feed this item was copied from. */
  source: FeedItemSource | null;
  /** The id exactly as the feed gave it (guid, atom:id, rdf:about, JSON id); null when it gave none. */
  guid: string | null;
}

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json' | 'sitemap';

export interface ParsedFeed {
  format: FeedFormat;
  /** Finer than `format`: `rss-2.0`, `rss-0.91`, `rss-1.0`, `rss-0.90`, `atom-1.0`, `atom-0.3`, `json-1.1`… */
  version: string;
  title: string | null;
  link: string | null;
  description: string | null;
  language: string | null;
  updatedAt: string | null;
  /** RSS `<ttl>` in minutes, when given. */
  ttlMinutes: number | null;
  /** WebSub hub and self links, when advertised. */
  hub: string | null;
  self: string | null;
  items: FeedItem[];
}

export interface ParseOptions {
  /** The URL the document came from (after redirects); relative links resolve against it and xml:base. */
  baseUrl?: string | undefined;
  /** The Content-Type header, when known; it decides JSON vs XML only when the body does not. */
  contentType?: string | undefined;
}
