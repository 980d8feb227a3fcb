/**
 * Text normalization for dedupe keys. Two copies of one article must normalize to the same tokens even
 * when their publishers typeset quotes, dashes, spaces and links differently; digits are kept because
 * templated finance stories ("X price today") differ mainly in their numbers.
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

/** Distinct number tokens, sorted: the facts a templated story changes from one day to the next. */
export function numberTokens(tokens: readonly string[], cap = 64): string[] {
  const set = new Set<string>();
  for (const t of tokens) if (NUMBER.test(t)) set.add(t);
  return [...set].sort().slice(0, cap);
}
