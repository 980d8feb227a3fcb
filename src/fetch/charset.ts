import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { encodingForLabel, iconvName } from './encoding-labels.js';
import { parseContentType } from './http-semantics.js';
import type { CharsetSource, FetchKind } from './types.js';

/**
 * Bytes → text, the one rule set for everything newsflow reads: fetched feeds and pages, WebSub pushes, and files
 * given to `parse-feed` and `extract`. Which encoding a body is in, and who said so — WHATWG encoding sniffing,
 * adapted to feeds: BOM → Content-Type charset → XML declaration / HTML `<meta>` prescan → valid UTF-8 →
 * windows-1252. A label nobody knows is skipped, not trusted.
 *
 * Two repairs, where the label and the bytes contradict each other in a way only one reading survives:
 * - bytes that are valid UTF-8 with non-ASCII in them, labelled with any other charset, are UTF-8 (old CMSes
 *   label UTF-8 output ISO-8859-1; saved pages keep a stale `<meta charset=gb2312>`). Text in a legacy
 *   charset, single- or double-byte, is practically never valid multi-byte UTF-8 by accident (GBK's 中 is
 *   D6 D0: a UTF-8 lead byte without its continuation), so this can only fix, never break.
 * - bytes labelled UTF-8 with not one well-formed multi-byte sequence in them, and some invalid ones, are
 *   windows-1252 (the label was a template default): UTF-8 would turn every accented letter into U+FFFD.
 * Browsers obey the label in both cases; a reader of feeds has no publisher watching the page to fix it.
 */
export interface CharsetDecision {
  /** WHATWG encoding name, e.g. `utf-8`, `windows-1251`, `shift_jis`. */
  charset: string;
  source: CharsetSource;
}

/** Browsers look for `<meta charset>` in the first 1024 bytes; so do we. */
const PRESCAN_BYTES = 1024;

export function sniffCharset(
  body: Uint8Array,
  contentTypeCharset: string | undefined,
  kind: FetchKind,
): CharsetDecision {
  const bom = bomEncoding(body);
  if (bom) return { charset: bom, source: 'bom' };
  const declared = declaredCharset(body, contentTypeCharset, kind);
  if (declared) return repaired(body, declared);
  if (isUtf8(body)) return { charset: 'utf-8', source: 'utf8-valid' };
  return { charset: 'windows-1252', source: 'fallback' };
}

/** What the transport or the document itself says, in that order; undefined when nothing known is said. */
function declaredCharset(
  body: Uint8Array,
  contentTypeCharset: string | undefined,
  kind: FetchKind,
): CharsetDecision | undefined {
  if (contentTypeCharset) {
    const enc = encodingForLabel(contentTypeCharset);
    if (enc) return { charset: enc, source: 'content-type' };
  }
  if (kind === 'robots') return undefined;
  // XML without a BOM in UTF-16: "<?" with a zero byte before or after each character (XML 1.0 appendix F).
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) {
    return { charset: 'utf-16le', source: 'xml-declaration' };
  }
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) {
    return { charset: 'utf-16be', source: 'xml-declaration' };
  }
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, PRESCAN_BYTES)).toString(
    'latin1',
  );
  if (kind === 'page') {
    const meta = prescanMeta(head);
    if (meta) return { charset: meta, source: 'meta' };
  }
  const declared = xmlDeclaredEncoding(head);
  return declared ? { charset: declared, source: 'xml-declaration' } : undefined;
}

/** The two repairs of the module comment; otherwise the declaration stands. */
function repaired(body: Uint8Array, declared: CharsetDecision): CharsetDecision {
  const unicode = declared.charset === 'utf-8' || declared.charset.startsWith('utf-16');
  if (!unicode && hasNonAscii(body) && isUtf8(body)) {
    return { charset: 'utf-8', source: 'utf8-valid' };
  }
  if (declared.charset === 'utf-8' && !isUtf8(body) && !hasUtf8MultiByte(body)) {
    return { charset: 'windows-1252', source: 'fallback' };
  }
  return declared;
}

function hasNonAscii(body: Uint8Array): boolean {
  for (const b of body) if (b >= 0x80) return true;
  return false;
}

/** Whether the bytes hold at least one well-formed UTF-8 multi-byte sequence. */
function hasUtf8MultiByte(body: Uint8Array): boolean {
  for (let i = 0; i < body.length - 1; i++) {
    const b = body[i]!;
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) continue;
    let ok = true;
    for (let k = 1; k <= need && ok; k++) {
      const c = body[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) ok = false;
    }
    if (ok) return true;
  }
  return false;
}

export interface DecodedText extends CharsetDecision {
  text: string;
}

/**
 * Sniff and decode in one step, for bytes that did not come through the fetcher (files, WebSub pushes):
 * `contentType` is the whole header value, when there is one.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, kind: FetchKind): DecodedText {
  const decision = sniffCharset(body, parseContentType(contentType).charset, kind);
  return { ...decision, text: decodeBytes(body, decision.charset) };
}

function bomEncoding(b: Uint8Array): string | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  return undefined;
}

export class CharsetDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CharsetDecodeError';
  }
}

/** Decodes with iconv-lite (BOM stripped); throws CharsetDecodeError for an encoding it cannot decode. */
export function decodeBytes(body: Buffer, charset: string): string {
  if (charset === 'x-user-defined') {
    // WHATWG: ASCII stays, bytes 0x80-0xFF map to U+F780-U+F7FF.
    let out = '';
    for (const byte of body) out += String.fromCharCode(byte < 0x80 ? byte : 0xf700 + byte);
    return out;
  }
  const name = iconvName(charset);
  // Most pages: Node's own UTF-8 decoder, the one iconv-lite calls through a StringDecoder (the same text,
  // replacement characters included), without the stream wrapper that cost ~3 % of extraction's CPU.
  if (name === 'utf-8') {
    const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    return body.toString('utf8', bom);
  }
  if (!name || !iconv.encodingExists(name)) throw new CharsetDecodeError(`no decoder for charset ${charset}`);
  return iconv.decode(body, name);
}

/**
 * In an ASCII-compatible prefix a declared UTF-16 is a lie (we could read the declaration), so WHATWG maps it to
 * UTF-8; x-user-defined in a `<meta>` means windows-1252.
 */
function fromInBandLabel(label: string): string | undefined {
  const enc = encodingForLabel(label);
  if (!enc) return undefined;
  if (enc === 'utf-16be' || enc === 'utf-16le') return 'utf-8';
  if (enc === 'x-user-defined') return 'windows-1252';
  return enc;
}

/** `<?xml version="1.0" encoding="windows-1251"?>` at the start of the document. */
export function xmlDeclaredEncoding(head: string): string | undefined {
  const decl = /^\s*<\?xml\s([^>]*?)\?>/.exec(head);
  if (!decl) return undefined;
  const enc = /\bencoding\s*=\s*(["'])([^"']*)\1/i.exec(decl[1] ?? '');
  return enc?.[2] ? fromInBandLabel(enc[2]) : undefined;
}

const WS = new Set(['\t', '\n', '\f', '\r', ' ']);

/**
 * WHATWG "prescan a byte stream to determine its encoding" over a latin1 view of the first 1024 bytes:
 * skips comments and other tags (with their attributes, so a `>` inside a quoted value does not fool it) and
 * returns the encoding of the first `<meta charset>` / `<meta http-equiv=content-type content="…charset=…">`.
 */
export function prescanMeta(s: string): string | undefined {
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 2);
      if (end < 0) return undefined;
      i = end + 3;
      continue;
    }
    if (/^<meta[\t\n\f\r /]/i.test(s.slice(i, i + 6))) {
      i += 6;
      const seen = new Set<string>();
      let gotPragma = false;
      let needPragma: boolean | undefined;
      let charset: string | undefined;
      for (;;) {
        const attr = getAttribute(s, i);
        if (!attr) break;
        i = attr.next;
        if (seen.has(attr.name)) continue;
        seen.add(attr.name);
        if (attr.name === 'http-equiv' && attr.value === 'content-type') gotPragma = true;
        else if (attr.name === 'content' && charset === undefined) {
          const c = charsetFromContent(attr.value);
          if (c !== undefined) {
            charset = c;
            needPragma = true;
          }
        } else if (attr.name === 'charset') {
          charset = attr.value;
          needPragma = false;
        }
      }
      i++;
      if (needPragma === undefined || (needPragma && !gotPragma) || charset === undefined) continue;
      const enc = fromInBandLabel(charset);
      if (enc) return enc;
      continue;
    }
    if (
      s[i] === '<' &&
      (/[A-Za-z]/.test(s[i + 1] ?? '') || (s[i + 1] === '/' && /[A-Za-z]/.test(s[i + 2] ?? '')))
    ) {
      while (i < n && !WS.has(s[i]!) && s[i] !== '>') i++;
      for (;;) {
        const attr = getAttribute(s, i);
        if (!attr) break;
        i = attr.next;
      }
      i++;
      continue;
    }
    if (s.startsWith('<!', i) || s.startsWith('</', i) || s.startsWith('<?', i)) {
      const end = s.indexOf('>', i);
      if (end < 0) return undefined;
      i = end + 1;
      continue;
    }
    i++;
  }
  return undefined;
}

interface Attr {
  name: string;
  value: string;
  next: number;
}

/** WHATWG "get an attribute" (names and values lower-cased). Undefined at `>` or the end of the prefix. */
function getAttribute(s: string, start: number): Attr | undefined {
  let i = start;
  const n = s.length;
  while (i < n && (WS.has(s[i]!) || s[i] === '/')) i++;
  if (i >= n || s[i] === '>') return undefined;
  let name = '';
  for (;;) {
    if (i >= n) return undefined;
    const c = s[i]!;
    if (c === '=' && name !== '') {
      i++;
      break;
    }
    if (WS.has(c)) {
      while (i < n && WS.has(s[i]!)) i++;
      if (s[i] !== '=') return { name, value: '', next: i };
      i++;
      break;
    }
    if (c === '/' || c === '>') return { name, value: '', next: i };
    name += c.toLowerCase();
    i++;
  }
  while (i < n && WS.has(s[i]!)) i++;
  if (i >= n) return undefined;
  const q = s[i]!;
  if (q === '"' || q === "'") {
    const end = s.indexOf(q, i + 1);
    if (end < 0) return undefined;
    return { name, value: s.slice(i + 1, end).toLowerCase(), next: end + 1 };
  }
  if (q === '>') return { name, value: '', next: i };
  let value = '';
  while (i < n && !WS.has(s[i]!) && s[i] !== '>') value += s[i++]!.toLowerCase();
  if (i >= n) return undefined;
  return { name, value, next: i };
}

/** WHATWG "extracting a character encoding from a meta element" (`text/html; charset=koi8-r`). */
export function charsetFromContent(content: string): string | undefined {
  const s = content.toLowerCase();
  let i = 0;
  for (;;) {
    const at = s.indexOf('charset', i);
    if (at < 0) return undefined;
    i = at + 'charset'.length;
    while (WS.has(s[i] ?? '')) i++;
    if (s[i] !== '=') continue;
    i++;
    while (WS.has(s[i] ?? '')) i++;
    const q = s[i];
    if (q === '"' || q === "'") {
      const end = s.indexOf(q, i + 1);
      return end < 0 ? undefined : s.slice(i + 1, end);
    }
    if (i >= s.length) return undefined;
    let end = i;
    while (end < s.length && !WS.has(s[end]!) && s[end] !== ';') end++;
    return s.slice(i, end);
  }
}
