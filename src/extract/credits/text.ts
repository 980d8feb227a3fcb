/**
 * Credits in plain text: a page's text after extraction (links gone) or a plain-text summary. Only the end of
 * a text is read, and only a bounded tail of it, so the cost does not grow with what a page holds.
 */
import { findTrailingCredit, matchCreditText, MAX_RAW_CREDIT_LENGTH, type CreditMatch } from './patterns.js';

/** Lines of plain text searched for a whole-line credit (page text dumps end with long chrome). */
const TEXT_LINES_SEARCHED = 60;
/** Credits sit at the very end: near it a credit may close a longer line. */
const TRAILING_LINES = 4;

/**
 * The credit at the end of `text`, and the text without it. A credit is one line; in a page's text, share
 * buttons, "previous post" links and sidebars may follow it. Near the end a credit may close a longer line;
 * further up only a line that is a credit counts.
 */
export function stripCreditText(text: string): { match: CreditMatch | null; text: string } {
  let seen = 0;
  let end = text.length;
  while (end > 0 && seen < TEXT_LINES_SEARCHED) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    const lineEnd = end;
    end = start - 1;
    if (!line.trim()) continue;
    seen++;
    const found = creditInLine(line, seen <= TRAILING_LINES);
    if (!found) continue;
    const kept = line.slice(0, found.index).trimEnd();
    // The lines before and after, with the credit's line replaced by what precedes the credit in it.
    const parts = [
      start > 0 ? text.slice(0, start - 1) : null,
      kept || null,
      lineEnd < text.length ? text.slice(lineEnd + 1) : null,
    ].filter((part): part is string => part !== null);
    return {
      match: found.match,
      text: parts
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
    };
  }
  return { match: null, text };
}

export interface StrippedCredits {
  text: string;
  /** Credits cut, last one first. */
  credits: CreditMatch[];
}

/**
 * Cuts up to `max` credit lines that end `text` (nothing may follow them): what dedupe removes before
 * hashing a text, so a copy and its original hash alike.
 */
export function stripTrailingCredits(text: string, max = 3): StrippedCredits {
  const credits: CreditMatch[] = [];
  let rest = text.trimEnd();
  for (let i = 0; i < max && rest; i++) {
    const start = rest.lastIndexOf('\n') + 1;
    const found = creditInLine(rest.slice(start), true);
    if (!found) break;
    credits.push(found.match);
    rest = rest.slice(0, start + found.index).trimEnd();
  }
  return { text: rest, credits };
}

/** A line that is a credit, or (when `tail`) a credit closing the line; only the line's last characters are read. */
function creditInLine(line: string, tail: boolean): { index: number; match: CreditMatch } | null {
  const whole = line.length <= MAX_RAW_CREDIT_LENGTH ? matchCreditText(line) : null;
  if (whole) return { index: 0, match: whole };
  if (!tail) return null;
  const from = Math.max(0, line.length - MAX_RAW_CREDIT_LENGTH);
  const found = findTrailingCredit(line.slice(from));
  return found ? { index: from + found.index, match: found.match } : null;
}
