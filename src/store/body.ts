import { deflateSync, inflateSync } from 'node:zlib';
import { htmlText } from '../extract/content/text.js';
import type { NormalizedArticle } from '../dedupe/article.js';

/**
 * The one codec of a story's stored body (`keys.body`), read by every reader through `decodeBody`
 * (StoryStore.get: API, CLI, consumer client, export) and written by `encodeBody` (in the extraction thread);
 * the story store stores the bytes as they are, after the decision.
 *
 * Format (docs/CONSUMING.md, "Stored bodies"):
 *   - `{…}`: JSON of the article, as written before bodies were compressed; still read.
 *   - 0x00 0x7A ('z') then a zlib stream (RFC 1950, deflate) of the article's JSON. In that JSON `contentText`
 *     is left out when it is exactly the block text of `contentHtml` (htmlText, extract/content/text.ts), so
 *     the text is stored once; a reader derives it then. A JSON document never starts with 0x00, so the two
 *     formats cannot be confused.
 * zlib rather than brotli: every consumer language has it in its standard library (Python zlib, Go
 * compress/zlib, Java Inflater), and brotli's 7 % smaller bodies (bench:memory) do not pay for that.
 */
export const BODY_MARKER = Buffer.from([0x00, 0x7a]);

/** zlib level 6: on bench:memory's bodies within 0.1 % of level 9's size, at ~0.15 ms a body. */
const LEVEL = 6;

/** A stored body never inflates past this: a corrupt or hostile value fails instead of taking the heap. */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

export class BodyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyFormatError';
  }
}

export function encodeBody(article: NormalizedArticle): Buffer {
  const stored: Partial<NormalizedArticle> = { ...article };
  if (htmlText(article.contentHtml) === article.contentText) delete stored.contentText;
  const json = Buffer.from(JSON.stringify(stored), 'utf8');
  return Buffer.concat([BODY_MARKER, deflateSync(json, { level: LEVEL })]);
}

/** The article of a stored body in either format; `contentText` filled in when it was left out. */
export function decodeBody(raw: Buffer): NormalizedArticle {
  let article: Partial<NormalizedArticle>;
  if (raw.length >= 2 && raw[0] === BODY_MARKER[0] && raw[1] === BODY_MARKER[1]) {
    let json: Buffer;
    try {
      json = inflateSync(raw.subarray(2), { maxOutputLength: MAX_DECODED_BYTES });
    } catch (err) {
      throw new BodyFormatError(`stored body does not inflate: ${(err as Error).message}`);
    }
    article = JSON.parse(json.toString('utf8')) as Partial<NormalizedArticle>;
  } else if (raw[0] === 0x7b /* { */) {
    article = JSON.parse(raw.toString('utf8')) as Partial<NormalizedArticle>;
  } else {
    throw new BodyFormatError(
      `stored body has an unknown format (first byte 0x${(raw[0] ?? 0).toString(16)})`,
    );
  }
  if (typeof article.contentText !== 'string') article.contentText = htmlText(article.contentHtml ?? '');
  return article as NormalizedArticle;
}
