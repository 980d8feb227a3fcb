import { contentShape, removeBoilerplate, type ContentShape } from './content/boilerplate.js';
import { classifyBlocks, type BlockModel, type ClassifyOptions } from './content/classifier.js';
import { openDocument, type DomKind, type OpenedDocument } from './content/dom/index.js';
import {
  cleanContainer,
  implausibleContent,
  missedByReadability,
  storyContainer,
} from './content/fallback.js';
import { parseLiteDocument } from './content/dom/parse.js';
import { detectInterstitial } from './content/interstitial.js';
import { prestrip } from './content/prestrip.js';
import { looksReaderable, runReadability } from './content/readability.js';
import { detectCredits, matchCreditText, withTextCredit, type CreditResult } from './credits/index.js';
import { blockText, countWords, readingMinutes, roughWordCount } from './content/text.js';
import { mergeReadabilityMetadata, readPageMetadata, type PageMetadata } from './metadata/index.js';
import { precleanContent, sanitizeHtml } from './sanitize.js';
import type { ExtractedArticle, ExtractInput, ExtractOutcome, InterstitialKind } from './types.js';
import { oneLine, plainText } from '../shared/text.js';
import { SERVICE_DEFAULTS } from '../config/schema.js';

export interface ExtractOptions {
  /** The DOM Readability runs on (setting `extract.dom`); `lite` unless told otherwise. */
  dom?: DomKind | undefined;
  /** Injected clock: dates after "now" are rejected as implausible. */
  now?: (() => number) | undefined;
  /** Pages longer than this (characters) are refused before any parsing. */
  maxHtmlChars?: number | undefined;
  /** Receives each boilerplate removal (rule, text); `newsflow extract --trace` prints them. */
  trace?: ((rule: string, text: string) => void) | undefined;
  /** The sanitizer for content HTML (`sanitizeHtml`); tests compare it with a reference on the same input. */
  sanitize?: ((html: string, baseUrl: string) => string) | undefined;
  /** Receives the content's blocks with their features before the classifier decides (its training). */
  onBlocks?: ClassifyOptions['onBlocks'];
  /** Receives the block classifier's decision on every block left after the rules (`--explain`). */
  explain?: ClassifyOptions['explain'];
  /** Another block model; null: no classifier, the rules alone (for measuring what it adds). */
  blockModel?: BlockModel | null | undefined;
  /**
   * Steps left out, by the names `trace` reports (steps.ts):
   * `newsflow extract --without`, for measuring what each step adds on a corpus (eval:extract --without).
   */
  without?: ReadonlySet<string> | undefined;
}

/** Input extraction refuses to work on; the pipeline records it as a failure with `class`. */
export class ExtractInputError extends Error {
  constructor(
    readonly errorClass: 'too-large' | 'too-deep' | 'too-complex',
    message: string,
  ) {
    super(message);
    this.name = 'ExtractInputError';
  }
}

export const DEFAULT_MAX_HTML_CHARS = SERVICE_DEFAULTS.extract.maxHtmlChars;

/** Pages below this many words of content are not articles, unless Readability's pre-check liked them. */
const MIN_ARTICLE_WORDS = 40;

/**
 * A page is not an article when nothing is left, or when Readability's pre-check found no article-like
 * paragraphs AND either the content is a list of links without a paragraph of prose, or the little content
 * there is was picked out of a much larger page (a home page, a section front, a search result). A page
 * that is small all over (a short note) stays an article.
 */
export function isNotAnArticle(
  contentWords: number,
  pageWords: number,
  readerable: boolean,
  shape: ContentShape = { proseBlocks: 1, linkShare: 0 },
): boolean {
  if (contentWords === 0) return true;
  if (readerable) return false;
  // Headlines and one-liners, a good part of them links, and not one paragraph of prose: a listing.
  if (shape.proseBlocks === 0 && shape.linkShare >= 0.3) return true;
  if (contentWords >= MIN_ARTICLE_WORDS) return false;
  return pageWords >= 3 * contentWords + 50;
}

/**
 * Limits checked before Readability, whose cost grows with the cube of the nesting depth (1 000 nested divs:
 * 6.5 s, 2 000: 42 s on one core): a pathological page ends at once as `extract:too-complex` instead of holding
 * a thread until its deadline. On the 757 real pages of ../shared/corpora the deepest element sits at depth 40
 * (p99 30) and the largest page has 10 112 elements (p99 3 114): both limits are five times and more above that.
 */
const MAX_DEPTH = 200;
const MAX_ELEMENTS = 60_000;

/** Element count and the deepest element's depth, by an iterative walk (no recursion a deep page could overflow). */
function treeShape(doc: Document): { elements: number; depth: number } {
  let elements = 0;
  let depth = 0;
  let maxDepth = 0;
  let el: Element | null = doc.documentElement;
  while (el) {
    elements++;
    if (depth > maxDepth) maxDepth = depth;
    if (elements > MAX_ELEMENTS || maxDepth > MAX_DEPTH) break;
    const child: Element | null = el.firstElementChild;
    if (child) {
      el = child;
      depth++;
      continue;
    }
    while (el && !el.nextElementSibling) {
      el = el.parentElement;
      depth--;
    }
    el = el ? el.nextElementSibling : null;
  }
  return { elements, depth: maxDepth };
}

/**
 * Extracts the main content and metadata of one page. Pure apart from CPU: no I/O, no clock unless given.
 * Never mutates its input; the only thrown errors are ExtractInputError and bugs.
 */
export function extractArticle(input: ExtractInput, opts: ExtractOptions = {}): ExtractOutcome {
  try {
    return extract(input, opts);
  } catch (err) {
    // Readability (and others) walk the tree recursively: tens of thousands of nested elements overflow
    // the stack. That is the page's shape, not our bug: report it as such.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new ExtractInputError('too-deep', 'page nests elements too deeply to extract');
    }
    throw err;
  }
}

function extract(input: ExtractInput, opts: ExtractOptions): ExtractOutcome {
  const maxChars = opts.maxHtmlChars ?? DEFAULT_MAX_HTML_CHARS;
  if (input.html.length > maxChars) {
    throw new ExtractInputError('too-large', `page has ${input.html.length} characters (limit ${maxChars})`);
  }
  const now = opts.now ?? Date.now;
  const stripped = prestrip(input.html);
  const opened = openDocument(stripped, input.url, opts.dom ?? 'lite');
  const shape = treeShape(opened.document);
  if (shape.depth > MAX_DEPTH || shape.elements > MAX_ELEMENTS) {
    opened.close();
    throw new ExtractInputError(
      'too-complex',
      shape.depth > MAX_DEPTH
        ? `page nests elements more than ${MAX_DEPTH} deep (real pages: 40 at most)`
        : `page has more than ${MAX_ELEMENTS} elements`,
    );
  }
  // A second reading of the page, only when Readability's choice looks wrong (see content/fallback.ts).
  let reread: OpenedDocument | null = null;
  try {
    const doc = opened.document;
    // The page's own statements, read before Readability rewrites the document.
    const meta = readPageMetadata(doc, input.url, { now, feedItem: input.feedItem });

    const pageWords = roughWordCount(doc.body?.textContent ?? '');
    const wall = detectInterstitial(doc, {
      url: input.url,
      rawHtml: input.html,
      cfMitigated: input.headers?.cfMitigated,
      bodyWords: pageWords,
    });
    if (wall) {
      // The wall's own title, dates and links say nothing about the article: only the feed item speaks.
      const fromItem = feedOnlyMetadata(input, now);
      const credits = detectCredits({ pageUrl: input.url, feedItem: input.feedItem, page: fromItem });
      const feed = feedContent(input, credits.feedContentHtml);
      if (feed) {
        return {
          kind: 'article',
          article: fromFeed(input, opts, fromItem, null, feed, credits, wall.kind),
        };
      }
      return { kind: 'blocked', reason: 'interstitial', interstitial: wall.kind, detail: wall.evidence };
    }

    // Readability's pre-check must see the page before Readability rewrites it.
    const readerable = looksReaderable(doc);
    const parsed = runReadability(doc);
    const merged = mergeReadabilityMetadata(meta, parsed, { now, url: input.url });
    if (!parsed) {
      const credits = detectCredits({ pageUrl: input.url, feedItem: input.feedItem, page: merged });
      const feed = feedContent(input, credits.feedContentHtml);
      if (feed) {
        const article = fromFeed(input, opts, merged, null, feed, credits);
        return { kind: 'article', article, publisherUrl: merged.publisherUrl };
      }
      return { kind: 'skipped', reason: 'not-an-article', detail: 'Readability found no content' };
    }

    let root = parsed.root;
    const odd = implausibleContent(root);
    if (odd) {
      reread = openDocument(stripped, input.url, opts.dom ?? 'lite');
      const container = storyContainer(reread.document);
      if (
        container &&
        !opts.without?.has('story-container') &&
        missedByReadability(container, root.textContent ?? '')
      ) {
        opts.trace?.('story-container', `Readability chose ${odd}; using <${container.localName}>`);
        cleanContainer(container);
        root = container;
      }
    }
    removeBoilerplate(root, {
      title: merged.title,
      pageUrl: input.url,
      trace: opts.trace,
      protect: isCredit,
      without: opts.without,
    });
    // What the rules leave, the block classifier trims (content/classifier.ts).
    if (opts.blockModel !== null && !opts.without?.has('block-model')) {
      classifyBlocks(root, {
        title: merged.title,
        pageUrl: input.url,
        protect: isCredit,
        model: opts.blockModel,
        onBlocks: opts.onBlocks,
        explain: opts.explain,
        trace: opts.trace,
      });
    }
    // Credit lines ("The post … appeared first on …") become the attribution and leave the text.
    const creditInput = { pageUrl: input.url, contentRoot: root, feedItem: input.feedItem, page: merged };
    const found = detectCredits(creditInput);
    for (const line of found.removed) opts.trace?.('credit', line);
    precleanContent(root);
    const contentText = blockText(root);
    const wordCount = countWords(contentText);
    const credits = withTextCredit(found, contentText, creditInput);

    // A teaser, a paywalled page or a broken template: the feed's own full text is the better copy.
    const feed = feedContent(input, credits.feedContentHtml);
    if (feed && feed.words > wordCount) {
      const article = fromFeed(input, opts, merged, parsed.byline, feed, credits);
      return { kind: 'article', article, publisherUrl: merged.publisherUrl };
    }
    // A short text that credits another page is a copy of it (a teaser ending "Continue reading on …"): kept,
    // so its story records it; without the credit, a short page is not an article.
    if (!credits.attribution && isNotAnArticle(wordCount, pageWords, readerable, contentShape(root))) {
      return {
        kind: 'skipped',
        reason: 'not-an-article',
        detail: `${wordCount} words of content in a page of ${pageWords}; isProbablyReaderable: ${readerable}`,
      };
    }
    const contentHtml = (opts.sanitize ?? sanitizeHtml)(root.innerHTML, doc.baseURI || input.url);
    return {
      kind: 'article',
      article: {
        ...articleFields(input, merged, parsed.byline, credits),
        contentHtml,
        contentText,
        wordCount,
        readingMinutes: readingMinutes(wordCount),
        contentSource: 'page',
      },
      publisherUrl: merged.publisherUrl,
    };
  } finally {
    opened.close();
    reread?.close();
  }
}

/** Metadata from the feed item alone (read off an empty page, so every fallback rule still applies). */
function feedOnlyMetadata(input: ExtractInput, now: () => number): PageMetadata {
  const blank = parseLiteDocument('<!DOCTYPE html><html><head></head><body></body></html>', input.url);
  return readPageMetadata(blank as unknown as Document, input.url, { now, feedItem: input.feedItem });
}

/** Credit lines must survive the boilerplate pass: they are the attribution. */
const isCredit = (text: string): boolean => matchCreditText(text) !== null;

interface FeedContent {
  html: string;
  text: string;
  words: number;
}

/**
 * The feed item's own full content (content:encoded / Atom content) with its credit footer cut, measured;
 * null when the item has none (a summary is not the article).
 */
function feedContent(input: ExtractInput, cutHtml: string | null): FeedContent | null {
  const original = input.feedItem?.contentHtml;
  if (!original || !original.trim()) return null;
  const html = cutHtml ?? original;
  const doc = parseLiteDocument(`<!DOCTYPE html><body>${prestrip(html)}`, input.url);
  const body = doc.body;
  if (!body) return null;
  const text = blockText(body as unknown as Node);
  const words = countWords(text);
  return words > 0 ? { html, text, words } : null;
}

function fromFeed(
  input: ExtractInput,
  opts: ExtractOptions,
  meta: PageMetadata,
  byline: string | null,
  feed: FeedContent,
  found: CreditResult,
  interstitial?: InterstitialKind,
): ExtractedArticle {
  const credits = withTextCredit(found, feed.text, {
    pageUrl: input.url,
    feedItem: input.feedItem,
    page: meta,
  });
  return {
    ...articleFields(input, meta, byline, credits),
    contentHtml: (opts.sanitize ?? sanitizeHtml)(feed.html, input.url),
    contentText: feed.text,
    wordCount: feed.words,
    readingMinutes: readingMinutes(feed.words),
    contentSource: 'feed',
    ...(interstitial ? { interstitial } : {}),
  };
}

/**
 * Plain-text fields (docs/CONSUMING.md): consumers escape them; they never carry markup or control characters,
 * and are capped (characters per field, entries per list).
 */
const PLAIN = { title: 2048, byline: 512, name: 256, excerpt: 4096, listEntries: 64 } as const;

type MetaFields = Omit<
  ExtractedArticle,
  'contentHtml' | 'contentText' | 'wordCount' | 'readingMinutes' | 'contentSource' | 'interstitial'
>;

function articleFields(
  input: ExtractInput,
  meta: PageMetadata,
  byline: string | null,
  credits: CreditResult,
): MetaFields {
  const list = (xs: readonly string[], max: number): string[] => [
    ...new Set(xs.map(x => plainText(x, max)).filter((x): x is string => x !== null)),
  ];
  return {
    title: plainText(meta.title ?? input.feedItem?.title, PLAIN.title),
    authors: list(meta.authors, PLAIN.name).slice(0, PLAIN.listEntries),
    byline: plainText(byline, PLAIN.byline),
    siteName: plainText(meta.siteName ?? meta.publisher, PLAIN.name),
    publishedAt: meta.publishedAt,
    modifiedAt: meta.modifiedAt,
    lang: meta.lang,
    excerpt: plainText(meta.excerpt, PLAIN.excerpt),
    leadImage: meta.leadImage,
    tags: list(meta.tags, PLAIN.name).slice(0, PLAIN.listEntries),
    canonicalUrl: meta.canonicalUrl,
    attribution: credits.attribution && {
      ...credits.attribution,
      originalPublisher: plainText(credits.attribution.originalPublisher, PLAIN.name),
      ...(credits.attribution.originalTitle !== undefined
        ? { originalTitle: plainText(credits.attribution.originalTitle, PLAIN.title) }
        : {}),
      // What the credit was read from, quoted: it may quote a tag, so only controls go and length is capped.
      evidence: oneLine(credits.attribution.evidence).slice(0, PLAIN.excerpt),
    },
    access: meta.access,
  };
}
