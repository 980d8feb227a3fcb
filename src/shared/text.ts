/**
 * Text from feeds and pages is hostile: it may carry terminal escape sequences (a feed title that clears the
 * screen or rewrites the window title of whoever runs `newsflow feeds list`), control characters, and markup
 * in fields that are plain text. The one place that makes such text safe to print and to store as plain text.
 * Every pattern here is linear: no nested quantifiers, each run scanned once.
 */

/**
 * ECMA-48 escape and control sequences, in their 7-bit (ESC …) and 8-bit (C1) forms: CSI with its
 * parameters; OSC, DCS, SOS, PM and APC strings up to their terminator (BEL or ST), or to the end when
 * unterminated; any other two-character ESC sequence; a lone ESC.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const ESCAPE_SEQUENCE =
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -~]?/g;
/** C0 controls but tab and line feed, DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */
/** Line breaks and tabs, and the Unicode line/paragraph separators, for one-line output. */
const BREAKS = /[\t\n\u2028\u2029]+/g;

/** Removes terminal escape sequences and control characters; keeps tabs and line feeds. */
export function terminalSafe(s: string): string {
  return s.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** `terminalSafe`, on one line: tabs and line breaks become one space. For table cells and one-line messages. */
export function oneLine(s: string): string {
  return terminalSafe(s).replace(BREAKS, ' ');
}

/**
 * JSON text that is safe to print on a terminal, for the same value: JSON.stringify escapes C0 controls
 * (ESC included) but writes DEL, C1 controls (U+009B is CSI) and U+2028/U+2029 raw. They can only occur
 * inside JSON strings, where `\uXXXX` is the same character.
 */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Something shaped like a tag: `<` then a letter, `/`, `!` or `?`, up to the next `>` with no `<` between. */
const TAG = /<[a-zA-Z/!?][^<>]*>/g;

/**
 * A field that consumers read as plain text (title, byline, site name, author, excerpt, tag): no markup, no
 * controls, whitespace collapsed, at most `max` characters (cut at a code point, `…` appended). Text that
 * merely contains `<` ("a < b") keeps it — consumers escape plain text (docs/CONSUMING.md). Null when nothing
 * is left.
 */
export function plainText(s: string | null | undefined, max: number): string | null {
  if (!s) return null;
  // Cut long input before the scans: they are linear, but there is no reason to scan megabytes.
  let t = s.length > 4 * max + 1024 ? s.slice(0, 4 * max + 1024) : s;
  t = terminalSafe(t.replace(TAG, ' '))
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
  if (!t) return null;
  if (t.length > max) {
    let cut = max - 1;
    // Do not split a surrogate pair.
    if (/[\ud800-\udbff]/.test(t.charAt(cut - 1))) cut--;
    t = `${t.slice(0, cut).trimEnd()}…`;
  }
  return t;
}
