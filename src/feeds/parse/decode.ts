import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/**
 * Bytes of a feed read from a file (`parse-feed`) to text. The fetcher decodes what it downloads; this covers the
 * same ground for local files: BOM → Content-Type charset → XML declaration → UTF-8 validity → windows-1252.
 * Two feed-specific repairs: valid UTF-8 that declares a single-byte charset is read as UTF-8 (old CMSes label
 * UTF-8 output ISO-8859-1), and "UTF-8" that has no valid multi-byte sequence at all is read as windows-1252.
 */
export interface DecodedText {
  text: string;
  charset: string;
  source: 'bom' | 'content-type' | 'xml-declaration' | 'utf8-valid' | 'fallback';
}

/** Labels the WHATWG Encoding Standard maps elsewhere: ISO-8859-1 and ASCII are windows-1252 in practice. */
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  l1: 'windows-1252',
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  gb2312: 'gbk',
  'x-gbk': 'gbk',
  'ks_c_5601-1987': 'euc-kr',
  'x-euc-jp': 'euc-jp',
  'utf-16': 'utf-16le',
  unicode: 'utf-16le',
  utf8: 'utf-8',
};

function normalizeLabel(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const l = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (!l) return undefined;
  const name = ALIASES[l] ?? l;
  return iconv.encodingExists(name) ? name : undefined;
}

function isSingleByte(charset: string): boolean {
  return /^(?:windows-125\d|iso-8859-\d+|koi8-[ru]|macintosh|cp\d+|ibm\d+)$/.test(charset);
}

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return m?.[2];
}

export function decodeFeedBytes(body: Buffer, contentType?: string): DecodedText {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return { text: body.subarray(3).toString('utf8'), charset: 'utf-8', source: 'bom' };
  }
  if (body[0] === 0xff && body[1] === 0xfe) {
    return { text: iconv.decode(body.subarray(2), 'utf-16le'), charset: 'utf-16le', source: 'bom' };
  }
  if (body[0] === 0xfe && body[1] === 0xff) {
    return { text: iconv.decode(body.subarray(2), 'utf-16be'), charset: 'utf-16be', source: 'bom' };
  }
  // UTF-16 without a BOM still starts with "<" followed or preceded by a zero byte.
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) {
    return { text: iconv.decode(body, 'utf-16le'), charset: 'utf-16le', source: 'xml-declaration' };
  }
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) {
    return { text: iconv.decode(body, 'utf-16be'), charset: 'utf-16be', source: 'xml-declaration' };
  }

  const valid = isUtf8(body);
  const fromHeader = normalizeLabel(charsetFromContentType(contentType));
  const head = body.subarray(0, 1024).toString('latin1');
  const decl = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"']*)\1/i.exec(head)?.[2];
  let fromDecl = normalizeLabel(decl);
  // A declaration we could read in ASCII cannot be UTF-16.
  if (fromDecl?.startsWith('utf-16')) fromDecl = 'utf-8';

  const declared = fromHeader ?? fromDecl;
  const source = fromHeader ? 'content-type' : 'xml-declaration';
  if (declared && declared !== 'utf-8') {
    if (valid && isSingleByte(declared) && hasNonAscii(body)) {
      return { text: body.toString('utf8'), charset: 'utf-8', source: 'utf8-valid' };
    }
    return { text: iconv.decode(body, declared), charset: declared, source };
  }
  if (valid) {
    return { text: body.toString('utf8'), charset: 'utf-8', source: declared ? source : 'utf8-valid' };
  }
  if (!hasUtf8MultiByte(body)) {
    return { text: iconv.decode(body, 'windows-1252'), charset: 'windows-1252', source: 'fallback' };
  }
  return { text: body.toString('utf8'), charset: 'utf-8', source: declared ? source : 'fallback' };
}

function hasNonAscii(body: Buffer): boolean {
  for (const b of body) if (b >= 0x80) return true;
  return false;
}

/** Whether the bytes contain at least one well-formed UTF-8 multi-byte sequence. */
function hasUtf8MultiByte(body: Buffer): boolean {
  for (let i = 0; i < body.length - 1; i++) {
    const b = body[i]!;
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) continue;
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const c = body[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) ok = false;
    }
    if (ok) return true;
  }
  return false;
}
