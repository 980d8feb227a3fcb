/**
 * Bytes → string for corpus pages (any charset): BOM, then <meta charset>/http-equiv in the first 4 KiB,
 * else UTF-8 when valid, else windows-1252. Eval-only; the pipeline decodes with its fetcher's rules.
 */
import iconv from 'iconv-lite';

export function decodeHtml(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  const head = bytes.subarray(0, 4096).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  const declared = m?.[1]?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8' && iconv.encodingExists(declared)) {
    // Pages often declare latin-1 yet are UTF-8; trust the bytes when they are valid UTF-8.
    if (!isValidUtf8(bytes)) return iconv.decode(bytes, declared);
  }
  if (isValidUtf8(bytes)) return bytes.toString('utf8');
  return iconv.decode(bytes, declared && iconv.encodingExists(declared) ? declared : 'windows-1252');
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
