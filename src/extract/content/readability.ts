import { Readability, isProbablyReaderable } from '@mozilla/readability';

export interface ReadabilityResult {
  title: string | null;
  byline: string | null;
  excerpt: string | null;
  siteName: string | null;
  lang: string | null;
  dir: string | null;
  publishedTime: string | null;
  /** The article content: an element of the same document, classes kept for the boilerplate pass. */
  root: Element;
}

export interface ReadabilityOptions {
  /** Refuse documents with more elements than this (0: no limit). */
  maxElems?: number;
}

/** Whether the page looks like it carries an article at all (Readability's own cheap pre-check). */
export function looksReaderable(doc: Document): boolean {
  return isProbablyReaderable(doc);
}

/**
 * Runs Readability on `doc` (which it mutates). The content comes back as an element, not HTML: nothing is
 * serialized and re-parsed between Readability and our own passes.
 */
export function runReadability(doc: Document, opts: ReadabilityOptions = {}): ReadabilityResult | null {
  const reader = new Readability<Element>(doc, {
    keepClasses: true,
    serializer: node => node as Element,
    ...(opts.maxElems ? { maxElemsToParse: opts.maxElems } : {}),
  });
  const parsed = reader.parse();
  if (!parsed?.content) return null;
  return {
    title: clean(parsed.title),
    byline: clean(parsed.byline),
    excerpt: clean(parsed.excerpt),
    siteName: clean(parsed.siteName),
    lang: clean(parsed.lang),
    dir: clean(parsed.dir),
    publishedTime: clean(parsed.publishedTime),
    root: parsed.content,
  };
}

function clean(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}
