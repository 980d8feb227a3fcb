/** What extraction reads out of one page; the pipeline adds identity and provenance around it. */

export type AttributionMethod =
  | 'yoast-footer'
  | 'aioseo-footer'
  | 'republication-credit'
  | 'text-credit'
  | 'cross-domain-canonical'
  | 'syndication-source'
  | 'original-source'
  | 'jsonld-isBasedOn'
  | 'feed-source';

export interface Attribution {
  originalUrl: string | null;
  originalPublisher: string | null;
  method: AttributionMethod;
  /** The text (or tag) that the attribution was read from. */
  evidence: string;
  /** Title named by the credit line, when it names one (Yoast/AIOSEO footers do). */
  originalTitle?: string | null;
}

export interface ExtractedArticle {
  title: string | null;
  /** Clean author names: no "By", no dates, no roles. */
  authors: string[];
  /** Kept for consumers that want Readability's raw byline. */
  byline: string | null;
  siteName: string | null;
  publishedAt: string | null;
  modifiedAt: string | null;
  lang: string | null;
  excerpt: string | null;
  leadImage: string | null;
  tags: string[];
  /** Sanitized HTML: safe to render. */
  contentHtml: string;
  contentText: string;
  wordCount: number;
  readingMinutes: number;
  canonicalUrl: string | null;
  attribution: Attribution | null;
  access: 'free' | 'paywalled';
  contentSource: 'page' | 'feed';
  /** Set when the page was a wall (consent, login, bot challenge) and the content came from the feed. */
  interstitial?: InterstitialKind | undefined;
}

/** Walls that stand in for the article: an anti-bot challenge, a consent wall, a login wall. */
export type InterstitialKind = 'bot-challenge' | 'consent-wall' | 'login-wall';

/** Extraction ends as a value: an article, or a recorded reason it is not one. */
export type ExtractOutcome =
  | {
      kind: 'article';
      article: ExtractedArticle;
      /** The JSON-LD publisher's address, evidence for the publisher table (not stored with the article). */
      publisherUrl?: string | null | undefined;
    }
  | { kind: 'skipped'; reason: 'not-an-article'; detail: string }
  | { kind: 'blocked'; reason: 'interstitial'; interstitial: InterstitialKind; detail: string };

/** What the feed said about the item; extraction uses it as fallback and as attribution evidence. */
export interface FeedItemHints {
  title?: string | null | undefined;
  publishedAt?: string | null | undefined;
  contentHtml?: string | null | undefined;
  summaryHtml?: string | null | undefined;
  authors?: string[] | undefined;
  /** RSS `<source url>` / Atom `<source>`: the feed the item was copied from. */
  source?: { url: string | null; title: string | null } | null | undefined;
}

export interface ExtractInput {
  html: string;
  /** The page's address: base for relative links, dates in the path, attribution. */
  url: string;
  feedItem?: FeedItemHints | undefined;
  /** Response headers that matter for interstitial detection. */
  headers?: { cfMitigated?: string | undefined } | undefined;
}
