import { decodeHTMLStrict } from 'entities';
import { BLOCK_ELEMENTS } from '../../shared/blocks.js';

/**
 * Small text/HTML helpers for feed fields. Character references are decoded by the `entities` library (the full
 * HTML table, and numeric references as browsers read them: `&#128;`–`&#159;` in their Windows-1252 meaning,
 * NUL, surrogates and out-of-range code points as U+FFFD), the same library page metadata uses.
 */

/** C0 controls XML cannot hold (tab, LF and CR it can): a reference to one decodes to nothing. */
// eslint-disable-next-line no-control-regex -- these are exactly the characters XML forbids
const FORBIDDEN_C0 = /[\u0001-\u0008\u000b\u000c\u000e-\u001f]/g;

/** The text of the HTML named entity `&name;`, or null when there is no such entity. */
export function namedEntity(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9]{1,31}$/.test(name)) return null;
  const ref = `&${name};`;
  const text = decodeHTMLStrict(ref);
  return text === ref ? null : text;
}

/** The character a numeric reference stands for, as a browser reads it; null for references XML cannot hold. */
export function numericEntity(code: number): string | null {
  if (!Number.isInteger(code) || code < 0) return null;
  if (code > 0 && code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) return null;
  return decodeHTMLStrict(`&#${code};`);
}

/** Decodes HTML character references (named with `;`, decimal, hex) in text. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  // Only what a reference produced can be a forbidden control here: the document's own were removed earlier.
  return decodeHTMLStrict(text).replace(FORBIDDEN_C0, '');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Every pattern on feed text is linear: a construct that is never closed runs to the end of the text (as it does
// in an HTML parser) instead of being searched for again from each of its openings, and no quantifier inside a
// tag can try every split of the same run of characters.
// Block elements (shared/blocks.ts) become spaces in text.
const BLOCK = new RegExp(`<\\/?(?:${[...BLOCK_ELEMENTS].join('|')})\\b[^>]*(?:>|$)`, 'gi');

/** Visible text of an HTML fragment: tags dropped (blocks become spaces), entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  return collapse(
    decodeEntities(
      html
        .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
        .replace(/<(script|style|template)\b[^>]*(?:>[\s\S]*?(?:<\/\1\s*>|$)|$)/gi, '')
        .replace(BLOCK, ' ')
        .replace(/<\/?[A-Za-z][^>]*(?:>|$)/g, ''),
    ),
  );
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const HTML_HINT =
  /<\/?(?:a|abbr|b|big|blockquote|br|cite|code|del|div|em|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|td|tr|u|ul)\b[^>]*>|&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]+);/i;

/** Whether a field of undeclared type (RSS titles, JSON titles) holds HTML rather than plain text. */
export function looksLikeHtml(text: string): boolean {
  return HTML_HINT.test(text);
}

/** A title-like field of unknown type as text: HTML when it looks like HTML, else plain text. */
export function textOfUntyped(value: string): string {
  return looksLikeHtml(value) ? htmlToText(value) : collapse(value);
}

const VOID =
  /^(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr|basefont|bgsound|frame|keygen)$/i;

/**
 * Inline XHTML (Atom `type="xhtml"`, RSS `xhtml:body`) as an HTML fragment: the wrapping `<div>` Atom requires
 * is dropped, prefixes bound to the XHTML namespace and xmlns declarations go, and `<p/>` becomes `<p></p>`.
 */
export function xhtmlToHtml(markup: string, xhtmlPrefixes: readonly string[] = []): string {
  let out = markup;
  for (const prefix of xhtmlPrefixes) {
    if (!prefix) continue;
    const p = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`<(/?)${p}:`, 'g'), '<$1');
  }
  out = out.replace(/\sxmlns(?::[A-Za-z0-9_.-]+)?\s*=\s*("[^"<>]{0,2048}"|'[^'<>]{0,2048}')/g, '');
  out = out.replace(
    /<([A-Za-z][A-Za-z0-9]*)(\s[^<>]*)?\/>/g,
    (whole, tag: string, attrs: string | undefined) =>
      VOID.test(tag) ? whole : `<${tag}${attrs?.trimEnd() ?? ''}></${tag}>`,
  );
  const trimmed = out.trim();
  const wrapper = /^<div(?:\s[^>]*)?>([\s\S]*)<\/div>$/i.exec(trimmed);
  if (wrapper && isSingleElement(trimmed)) return wrapper[1]!.trim();
  return trimmed;
}

/** True when `markup` is one element from start to end (its first start tag closes at the very end). */
function isSingleElement(markup: string): boolean {
  let depth = 0;
  const tags = /<(\/?)div\b[^>]*?(?:(\/?)>|$)/gi;
  let m: RegExpExecArray | null;
  while ((m = tags.exec(markup))) {
    if (m[2]) continue;
    depth += m[1] ? -1 : 1;
    if (depth === 0) return m.index + m[0].length === markup.length;
  }
  return false;
}

// The attributes before a URL attribute are bounded (2 KB): a longer run is not searched for one.
const URL_ATTR =
  /(<[A-Za-z][A-Za-z0-9:-]*\s[^<>]{0,2048}?\b(?:href|src|poster|cite|data-src)\s*=\s*)(["'])([^"'<>]*)\2/g;
const SRCSET_ATTR = /(<[A-Za-z][A-Za-z0-9:-]*\s[^<>]{0,2048}?\bsrcset\s*=\s*)(["'])([^"'<>]*)\2/g;

/**
 * Makes relative href/src/srcset URLs in an HTML fragment absolute against `base`; everything else in the
 * string is left byte for byte. Returns the input when there is no base.
 */
export function absolutizeHtml(html: string, base: string | null): string {
  if (!base || !/\s(?:href|src|poster|cite|data-src|srcset)\s*=/i.test(html)) return html;
  const fix = (u: string): string => {
    const raw = u.trim();
    if (!raw || /^(?:[a-z][a-z0-9+.-]*:|#)/i.test(raw)) return u;
    try {
      return new URL(decodeEntities(raw), base).toString().replace(/&/g, '&amp;');
    } catch {
      return u;
    }
  };
  return html
    .replace(URL_ATTR, (_w, head: string, q: string, value: string) => `${head}${q}${fix(value)}${q}`)
    .replace(SRCSET_ATTR, (_w, head: string, q: string, value: string) => {
      const parts = value.split(',').map(part => {
        const [url, ...descriptor] = part.trim().split(/\s+/);
        return url ? [fix(url), ...descriptor].join(' ') : part;
      });
      return `${head}${q}${parts.join(', ')}${q}`;
    });
}
