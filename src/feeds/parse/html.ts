import { parseHTML } from 'linkedom';

/**
 * Small text/HTML helpers for feed fields. Named entities are looked up through linkedom's HTML parser (the
 * full HTML5 table) one name at a time and cached, so feeds never pay for a DOM per field.
 */

const entityCache = new Map<string, string | null>();
let entityDoc: { createElement(tag: string): { innerHTML: string; textContent: string | null } } | undefined;

/** The text of the HTML named entity `&name;`, or null when there is no such entity. */
export function namedEntity(name: string): string | null {
  const cached = entityCache.get(name);
  if (cached !== undefined) return cached;
  let value: string | null = null;
  if (/^[A-Za-z][A-Za-z0-9]{1,31}$/.test(name)) {
    entityDoc ??= parseHTML('<!doctype html><html><body></body></html>').document;
    const el = entityDoc.createElement('span');
    el.innerHTML = `&${name};`;
    const text = el.textContent ?? '';
    // A real entity decodes to one or two code points; "&notanentity;" decodes as "¬" + "anentity;".
    if (text !== `&${name};` && [...text].length <= 2 && !text.endsWith(';')) value = text;
  }
  if (entityCache.size < 4096) entityCache.set(name, value);
  return value;
}

/** Windows-1252 meanings of the C1 range, used by browsers for `&#128;`–`&#159;` (feeds copy them from CMSes). */
const CP1252: Record<number, number> = {
  128: 0x20ac,
  130: 0x201a,
  131: 0x0192,
  132: 0x201e,
  133: 0x2026,
  134: 0x2020,
  135: 0x2021,
  136: 0x02c6,
  137: 0x2030,
  138: 0x0160,
  139: 0x2039,
  140: 0x0152,
  142: 0x017d,
  145: 0x2018,
  146: 0x2019,
  147: 0x201c,
  148: 0x201d,
  149: 0x2022,
  150: 0x2013,
  151: 0x2014,
  152: 0x02dc,
  153: 0x2122,
  154: 0x0161,
  155: 0x203a,
  156: 0x0153,
  158: 0x017e,
  159: 0x0178,
};

/** The character a numeric reference stands for, as a browser reads it; null for references XML cannot hold. */
export function numericEntity(code: number): string | null {
  if (!Number.isFinite(code)) return null;
  const mapped = CP1252[code];
  if (mapped !== undefined) return String.fromCodePoint(mapped);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  if (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) return null;
  return String.fromCodePoint(code);
}

/** Decodes HTML character references (named with `;`, decimal, hex) in text. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, ref: string) => {
      if (ref.startsWith('#')) {
        const code =
          ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return numericEntity(code) ?? '';
      }
      return namedEntity(ref) ?? whole;
    },
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Every pattern on feed text is linear: a construct that is never closed runs to the end of the text (as it does
// in an HTML parser) instead of being searched for again from each of its openings, and no quantifier inside a
// tag can try every split of the same run of characters.
const BLOCK =
  /<\/?(?:p|div|br|hr|li|ul|ol|h[1-6]|blockquote|pre|tr|td|th|table|section|article|header|footer|figure|figcaption|dd|dt|dl)\b[^>]*(?:>|$)/gi;

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
