import type { ExtractedArticle } from '../extract/types.js';

/**
 * Bump when a stored article's shape changes incompatibly; consumers read it from every article and event.
 * 2: member records carry `urlKey` (the dedupe key) and `canonicalUrl` is the page's declared canonical (else
 * its final URL) — in 1 the member's `canonicalUrl` held the dedupe key (docs/CONSUMING.md, "Versioning").
 */
export const ARTICLE_SCHEMA_VERSION = 2;

/** What the pipeline adds to an extracted article: its identity, source, fetch time and schema version. */
export type ArticleEnvelope = Omit<NormalizedArticle, keyof ExtractedArticle>;

/**
 * The one way an extracted article becomes the stored one — in the extraction thread, which encodes its body
 * (store/body.ts), and on the event loop, which plans the decision; both must describe the same article.
 */
export function normalizeArticle(extracted: ExtractedArticle, envelope: ArticleEnvelope): NormalizedArticle {
  return { ...extracted, ...envelope };
}

/** The normalized article as stored in Redis (JSON under its own key) and read by consumers. */
export interface NormalizedArticle extends ExtractedArticle {
  id: string;
  /** The URL the feed gave. */
  url: string;
  /** The URL after redirects. */
  finalUrl: string;
  /** The identity key: canonical URL with tracking parameters dropped. */
  urlKey: string;
  feed: { id: string; url: string };
  fetchedAt: string;
  schemaVersion: number;
}
