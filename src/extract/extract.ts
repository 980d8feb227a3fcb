import { Readability, isProbablyReaderable } from '@mozilla/readability';
import { JSDOM } from 'jsdom';
import { sanitizeHtml } from './sanitize.js';
import type { ExtractInput, ExtractOutcome } from './types.js';

/** Extracts the main content and metadata of one page. Pure apart from CPU: no I/O. */
export function extractArticle(input: ExtractInput): ExtractOutcome {
  const dom = new JSDOM(input.html, { url: input.url });
  try {
    const doc = dom.window.document;
    const canonicalHref = doc.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? null;
    const canonicalUrl = canonicalHref ? safeUrl(canonicalHref, input.url) : null;
    const lang = doc.documentElement.getAttribute('lang') || null;
    if (!isProbablyReaderable(doc)) {
      return { kind: 'skipped', reason: 'not-an-article', detail: 'isProbablyReaderable: false' };
    }
    const parsed = new Readability(doc).parse();
    if (!parsed?.content || !parsed.textContent?.trim()) {
      return { kind: 'skipped', reason: 'not-an-article', detail: 'Readability found no content' };
    }
    const contentText = parsed.textContent.replace(/\s+/g, ' ').trim();
    const wordCount = contentText ? contentText.split(' ').length : 0;
    return {
      kind: 'article',
      article: {
        title: parsed.title?.trim() || input.feedItem?.title || null,
        authors: parsed.byline ? [parsed.byline.trim()] : [],
        byline: parsed.byline ?? null,
        siteName: parsed.siteName ?? null,
        publishedAt: toIso(parsed.publishedTime) ?? input.feedItem?.publishedAt ?? null,
        modifiedAt: null,
        lang: parsed.lang || lang,
        excerpt: parsed.excerpt ?? null,
        leadImage: null,
        tags: [],
        contentHtml: sanitizeHtml(parsed.content),
        contentText,
        wordCount,
        readingMinutes: Math.max(1, Math.round(wordCount / 230)),
        canonicalUrl,
        attribution: null,
        access: 'free',
        contentSource: 'page',
      },
    };
  } finally {
    dom.window.close();
  }
}

function safeUrl(href: string, base: string): string | null {
  try {
    return new URL(href, base).toString();
  } catch {
    return null;
  }
}

function toIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
