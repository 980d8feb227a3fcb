/**
 * Text normalization for dedupe keys. Two copies of one article must normalize to the same tokens even
 * when their publishers typeset quotes, dashes, spaces and links differently; digits are kept because
 * templated finance stories ("X price today") differ mainly in their numbers and names (`factTokens`).
 */

const QUOTES_SINGLE = /[\u2018\u2019\u201A\u201B\u2032\u02BC\u0060\u00B4]/g;
const QUOTES_DOUBLE = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const URLS = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const EMAILS = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

/** NFKC, lower case, one kind of quote and dash, URLs and e-mail addresses removed. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(QUOTES_SINGLE, "'")
    .replace(QUOTES_DOUBLE, '"')
    .replace(DASHES, '-')
    .replace(URLS, ' ')
    .replace(EMAILS, ' ');
}

/** The word tokens (letters, marks and digits) of normalized text. */
export function tokenize(text: string): string[] {
  return normalizeText(text).match(TOKEN) ?? [];
}

/** A title or publisher name as a comparable string: its tokens joined by one space. */
export function normalizeName(text: string | null | undefined): string {
  return text ? tokenize(text).join(' ') : '';
}

const NUMBER = /^\p{N}+$/u;
const UPPER_START = /^\p{Lu}/u;
const UPPER = /\p{Lu}/gu;
const LETTER = /\p{L}/u;
/** What ends a sentence (or a heading, a label) between two words: the next word may be capitalized for that alone. */
const BOUNDARY = /[.!?:;\n]/;

/** At most this many facts per text: a bound on what one signature stores. */
const MAX_FACTS = 96;

/**
 * The facts of a text that templated stories change while their wording stays: its distinct numbers (prices,
 * dates, scores) and its names — words written capitalized inside a sentence that the text never writes in
 * lower case (a company, a ticker, a place), and words of two or more capitals anywhere ("NASDAQ", "ECB").
 * Sentence-initial words are left out (their capital says nothing); so is a capitalized word the text also
 * uses in lower case ("The" after "at"). Lower-cased, sorted, at most MAX_FACTS. A copy's facts are (nearly)
 * a subset of its original's or the other way round; two reports from one template each have their own.
 */
export function factTokens(text: string, tokens: readonly string[] = tokenize(text)): string[] {
  const facts = new Set<string>();
  for (const t of tokens) if (NUMBER.test(t)) facts.add(t);
  const plain = text.normalize('NFKC').replace(URLS, ' ').replace(EMAILS, ' ');
  const names = new Set<string>();
  const lower = new Set<string>();
  let last = 0;
  for (const m of plain.matchAll(TOKEN)) {
    const w = m[0];
    const initial = last === 0 || BOUNDARY.test(plain.slice(last, m.index));
    last = m.index + w.length;
    if (w.length < 2 || !LETTER.test(w)) continue;
    if (!UPPER_START.test(w)) {
      if (w === w.toLowerCase()) lower.add(w);
      continue;
    }
    if (!initial || (w.match(UPPER)?.length ?? 0) >= 2) names.add(w.toLowerCase());
  }
  for (const n of names) if (!lower.has(n)) facts.add(n);
  return [...facts].sort().slice(0, MAX_FACTS);
}
