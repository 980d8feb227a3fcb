import { stripTrailingCredits, type CreditMatch } from '../extract/credits/index.js';
import { bandKeys, shingleHashes, signature } from './minhash.js';
import { factTokens, tokenize } from './normalize.js';
import { hashKey } from './url-key.js';

export interface FingerprintOptions {
  /** Below this many tokens a text gets no content keys: stubs ("subscribe to read") look alike. */
  minTokens: number;
  /** Words in the lead hash (an excerpt copy is the first 55 words of its original). */
  leadWords: number;
  bands: number;
  rows: number;
  /**
   * Paragraph hashes (`PreparedText.paragraphs`) this text's site has used in other stories: boilerplate that reached
   * the body (an issuer's "About …", a disclaimer). They stay out of the MinHash signature, so two texts do not
   * look alike for what their site adds to every story; the body and lead hashes still cover the whole text.
   */
  shared?: ReadonlySet<string> | undefined;
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
  /** Numbers and names (normalize.ts `factTokens`): what templated stories change. */
  facts: string[];
  /** The text ended with an excerpt marker ("[…]") once its credits were removed. */
  excerpt: boolean;
  /** Credit lines cut from the end of the text (the credit module's rules), last one first. */
  credits: CreditMatch[];
  /** The text's paragraph hashes (`PreparedText.paragraphs`), for the site's boilerplate counts. */
  paragraphs: string[];
  /** Tokens of each of `paragraphs`: how much of the text two texts share verbatim, paragraph by paragraph. */
  paragraphTokens: number[];
}

/** Paragraphs shorter than this many tokens are not counted as boilerplate: "Share", "Advertisement". */
const MIN_PARAGRAPH_TOKENS = 8;
/** At most this many paragraph hashes per text: a bound on what one article writes. */
const MAX_PARAGRAPHS = 64;

/** One hash per paragraph (line) of at least MIN_PARAGRAPH_TOKENS tokens, in order, distinct. */
function paragraphsOf(text: string): { hash: string; tokens: string[] }[] {
  const out: { hash: string; tokens: string[] }[] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\n+/)) {
    const tokens = tokenize(line);
    if (tokens.length < MIN_PARAGRAPH_TOKENS) {
      out.push({ hash: '', tokens });
      continue;
    }
    const hash = hashKey(`para1:${tokens.join(' ')}`).slice(0, 16);
    out.push({ hash: seen.has(hash) || seen.size >= MAX_PARAGRAPHS ? '' : hash, tokens });
    seen.add(hash);
  }
  return out;
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

/**
 * A text read once for its content keys: credits and excerpt marker cut, tokens, paragraphs. The pipeline
 * prepares it first, looks its paragraph hashes up (the site's boilerplate, `shared`), then fingerprints it.
 */
export interface PreparedText {
  credits: CreditMatch[];
  excerpt: boolean;
  tokens: string[];
  facts: string[];
  paras: { hash: string; tokens: string[] }[];
  /** The distinct paragraph hashes, in order (what `shared` is looked up for). */
  paragraphs: string[];
}

export function prepareText(text: string): PreparedText {
  const stripped = stripTail(text);
  const paras = paragraphsOf(stripped.text);
  const tokens = tokenize(stripped.text);
  return {
    credits: stripped.credits,
    excerpt: stripped.excerpt,
    tokens,
    facts: factTokens(stripped.text, tokens),
    paras,
    paragraphs: paras.map(p => p.hash).filter(Boolean),
  };
}

export function fingerprint(input: string | PreparedText, opts: FingerprintOptions): Fingerprint {
  const { tokens, paras, paragraphs, excerpt, credits, facts } =
    typeof input === 'string' ? prepareText(input) : input;
  const paragraphTokens = paras.filter(p => p.hash).map(p => p.tokens.length);
  const base = { tokens: tokens.length, excerpt, credits, paragraphs, paragraphTokens };
  if (tokens.length < opts.minTokens) {
    return { ...base, bodyHash: null, leadHash: null, signature: null, shingles: 0, bands: [], facts: [] };
  }
  const shared = opts.shared;
  const own =
    shared && paras.some(p => p.hash && shared.has(p.hash))
      ? paras.filter(p => !(p.hash && shared.has(p.hash))).flatMap(p => p.tokens)
      : tokens;
  const exact = {
    bodyHash: hashKey(`body1:${tokens.join(' ')}`),
    leadHash:
      tokens.length >= opts.leadWords ? hashKey(`lead1:${tokens.slice(0, opts.leadWords).join(' ')}`) : null,
    facts,
  };
  // Little of its own beyond the site's boilerplate: exact keys only, no similarity to anything.
  if (own.length < opts.minTokens) return { ...base, ...exact, signature: null, shingles: 0, bands: [] };
  const shingles = shingleHashes(own);
  const sig = signature(shingles);
  return {
    ...base,
    ...exact,
    signature: sig,
    shingles: shingles.length,
    bands: bandKeys(sig, opts.bands, opts.rows),
  };
}

/** The settings content keys are computed with: the fingerprint's, without the site's boilerplate. */
export type KeySettings = Omit<FingerprintOptions, 'shared'>;

/**
 * A text's content keys computed where it was extracted (the extraction thread), before its site's boilerplate is
 * known: the paragraph hashes to look up, and the fingerprint without `shared`. Valid as it is when none of the
 * paragraphs turns out to be shared; otherwise the caller fingerprints the text again with `shared`.
 */
export interface ContentKeys {
  paragraphs: string[];
  fingerprint: Fingerprint;
}

export function contentKeys(text: string, opts: KeySettings): ContentKeys {
  const prepared = prepareText(text);
  return { paragraphs: prepared.paragraphs, fingerprint: fingerprint(prepared, opts) };
}
