import { stripTrailingCredits, type CreditMatch } from '../extract/credits/index.js';
import { bandKeys, shingleHashes, signature } from './minhash.js';
import { numberTokens, tokenize } from './normalize.js';
import { hashKey } from './url-key.js';

export interface FingerprintOptions {
  /** Below this many tokens a text gets no content keys: stubs ("subscribe to read") look alike. */
  minTokens: number;
  /** Words in the lead hash (an excerpt copy is the first 55 words of its original). */
  leadWords: number;
  bands: number;
  rows: number;
}

/** The content keys of one text, computed once per article before the store decision. */
export interface Fingerprint {
  tokens: number;
  bodyHash: string | null;
  leadHash: string | null;
  signature: Uint32Array | null;
  /** Distinct word shingles: the set size the containment estimate needs. */
  shingles: number;
  bands: string[];
  numbers: string[];
  /** The text ended with an excerpt marker ("[…]") once its credits were removed. */
  excerpt: boolean;
  /** Credit lines cut from the end of the text (the credit module's rules), last one first. */
  credits: CreditMatch[];
}

/** A trailing "[…]" (WordPress's excerpt_more) or ellipsis: the text is an excerpt of a longer one. */
const EXCERPT_MARK = /(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)$/u;

/** The text without its trailing credit lines and excerpt marker. */
function stripTail(text: string): { text: string; credits: CreditMatch[]; excerpt: boolean } {
  const { text: rest, credits } = stripTrailingCredits(text);
  const m = EXCERPT_MARK.exec(rest.slice(-16));
  if (!m) return { text: rest.trim(), credits, excerpt: false };
  return { text: rest.slice(0, rest.length - m[0].length).trim(), credits, excerpt: true };
}

export function fingerprint(text: string, opts: FingerprintOptions): Fingerprint {
  const stripped = stripTail(text);
  const tokens = tokenize(stripped.text);
  const base = { tokens: tokens.length, excerpt: stripped.excerpt, credits: stripped.credits };
  if (tokens.length < opts.minTokens) {
    return { ...base, bodyHash: null, leadHash: null, signature: null, shingles: 0, bands: [], numbers: [] };
  }
  const shingles = shingleHashes(tokens);
  const sig = signature(shingles);
  return {
    ...base,
    bodyHash: hashKey(`body1:${tokens.join(' ')}`),
    leadHash:
      tokens.length >= opts.leadWords ? hashKey(`lead1:${tokens.slice(0, opts.leadWords).join(' ')}`) : null,
    signature: sig,
    shingles: shingles.length,
    bands: bandKeys(sig, opts.bands, opts.rows),
    numbers: numberTokens(tokens),
  };
}
