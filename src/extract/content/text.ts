import { blockElementsExcept } from '../../shared/blocks.js';
import { parseLiteDocument } from './dom/parse.js';

/**
 * Plain text of extracted content. Unlike `textContent`, block elements become line breaks, so the last word
 * of one paragraph does not run into the first word of the next ("end.Next"). Figure captions stay, as in
 * Readability's output (picture credits inside them are removed by the boilerplate pass); `skipCaptions`
 * leaves them out for consumers that want the running text only.
 */

// Text boundaries for word counts; figcaption is skipped (SKIP), table sections add nothing their rows do not.
const BLOCK = blockElementsExcept('center', 'figcaption', 'tbody', 'tfoot', 'thead');

/** Elements whose text is not part of the article's text. */
const SKIP = new Set(['figcaption', 'script', 'style', 'template', 'noscript']);

export interface TextOptions {
  /** Leave figure captions out (default false). */
  skipCaptions?: boolean;
}

/** Text of `root` with one line per block, whitespace collapsed, no empty lines. */
export function blockText(root: Node, opts: TextOptions = {}): string {
  const skipCaptions = opts.skipCaptions ?? false;
  const parts: string[] = [];
  // Iterative walk: hostile pages nest deeper than the call stack.
  let c: Node | null = root.firstChild;
  while (c) {
    let descend = false;
    if (c.nodeType === 3) {
      parts.push((c as Text).data);
    } else if (c.nodeType === 1) {
      const name = (c as Element).localName;
      if (!(SKIP.has(name) && (skipCaptions || name !== 'figcaption'))) {
        if (BLOCK.has(name)) parts.push('\n');
        descend = c.firstChild !== null;
      }
    }
    if (descend) {
      c = c.firstChild;
      continue;
    }
    if (c.nodeType === 1 && BLOCK.has((c as Element).localName)) parts.push('\n');
    while (c && c !== root && !c.nextSibling) {
      c = c.parentNode;
      if (c && c !== root && c.nodeType === 1 && BLOCK.has((c as Element).localName)) parts.push('\n');
    }
    c = c && c !== root ? c.nextSibling : null;
  }
  return normalizeText(parts.join(''));
}

/**
 * The plain text of stored, sanitized body HTML: what `contentText` is whenever the stored body leaves it out
 * (src/store/body.ts stores it only when this does not reproduce it). Markup is read as a body's children.
 */
export function htmlText(html: string): string {
  const body = parseLiteDocument(`<!DOCTYPE html><html><head></head><body>${html}`, 'about:blank').body;
  return body ? blockText(body as unknown as Node) : '';
}

/** Collapses runs of spaces inside lines and drops empty lines. */
export function normalizeText(text: string): string {
  return text
    .replace(/[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+/g, ' ')
    .replace(/ ?[\r\n][\s]*/g, '\n')
    .trim();
}

const WORD = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;
/** Scripts written without spaces between words: count characters instead. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/gu;

/** Words in `text`; CJK and Thai characters count ~2 per word, as they carry no spaces. */
export function countWords(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = cjk ? text.replace(CJK, ' ') : text;
  return (rest.match(WORD)?.length ?? 0) + Math.ceil(cjk / 2);
}

/**
 * Whitespace-separated tokens: a cheap word count for whole pages (the interstitial and not-an-article
 * checks), where `countWords`' Unicode classes would cost more than they tell.
 */
export function roughWordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 160;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

/** Reading time at 230 words a minute, at least one minute. */
export function readingMinutes(words: number): number {
  return Math.max(1, Math.round(words / 230));
}
