/**
 * Date parsing for publication metadata. Two kinds of input:
 * - machine-readable values (meta content, datetime attributes, JSON-LD): the one date parser, shared/dates.ts;
 * - human-written dates in bylines and URLs, in the languages newsflow sees most (en de fr es it pt nl + CJK),
 *   found here with the shared month table.
 * Every parse keeps the calendar day as the publisher wrote it (`day`) besides the UTC instant (`iso`):
 * a page stamped 00:30+02:00 was published on that day locally, the day before in UTC.
 */

import { foldAccents, MONTH_ALT, monthNumber, parseDate, type ParsedDate } from '../../shared/dates.js';

export { foldAccents };
export type { ParsedDate } from '../../shared/dates.js';

export interface DateBounds {
  /** Epoch ms; later dates are rejected (a page cannot be published in the future). */
  max: number;
  /** Epoch ms; earlier dates are rejected as implausible for web pages. */
  min: number;
}

/** The web had no dated news pages before this; earlier values are template junk or birthdays. */
export const MIN_PLAUSIBLE = Date.UTC(1995, 0, 1);
/** Publishers' clocks and time zones run ahead of ours by up to a day. */
const FUTURE_SLACK_MS = 36 * 3600 * 1000;

export function boundsFor(nowMs: number): DateBounds {
  return { min: MIN_PLAUSIBLE, max: nowMs + FUTURE_SLACK_MS };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function build(
  y: number,
  m: number,
  d: number,
  time: { h: number; mi: number; s: number; offsetMin: number | null } | null,
  bounds: DateBounds,
): ParsedDate | null {
  if (!validYmd(y, m, d)) return null;
  const day = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  let ms = Date.UTC(y, m - 1, d);
  if (time) {
    if (time.h > 24 || time.mi > 59 || time.s > 60) return null;
    ms += ((time.h * 60 + time.mi) * 60 + time.s) * 1000 - (time.offsetMin ?? 0) * 60_000;
  }
  // The day as written is what must be plausible; the instant only has to be representable.
  const dayMs = Date.UTC(y, m - 1, d);
  if (dayMs < bounds.min || dayMs > bounds.max) return null;
  return { iso: new Date(ms).toISOString(), day, hasTime: time !== null };
}

/** Parses an ISO 8601 date/date-time (the common machine-readable form); other forms are null. */
export function parseIso(s: string, bounds: DateBounds): ParsedDate | null {
  if (!/^\s*\d{4}-?\d/.test(s)) return null;
  return withinBounds(parseDate(s.trim()), bounds);
}

/**
 * Parses a machine-readable date value (meta content, datetime attributes, JSON-LD) with the one date parser
 * (shared/dates.ts: ISO 8601, RFC 2822, epoch numbers and the rest), then as a human-written date.
 */
export function parseMachineDate(value: string | null | undefined, bounds: DateBounds): ParsedDate | null {
  if (!value) return null;
  const s = value.trim();
  if (!s) return null;
  const parsed = parseDate(s);
  if (parsed) return withinBounds(parsed, bounds);
  return parseHumanDate(s, bounds, {});
}

/** A day within the plausible range (the day as written; the instant only has to be representable). */
function withinBounds(d: ParsedDate | null, bounds: DateBounds): ParsedDate | null {
  // A year or a month alone is no publication date.
  if (!d || d.partial) return null;
  const [y, m, day] = d.day.split('-').map(Number) as [number, number, number];
  const dayMs = Date.UTC(y, m - 1, day);
  return dayMs < bounds.min || dayMs > bounds.max ? null : d;
}

export interface HumanDateContext {
  /** Month-first for ambiguous n/n/yyyy (US English); otherwise day-first. */
  monthFirst?: boolean;
}

const TIME_AFTER_RE =
  /^[\s,|@-]*(?:um|at|a las|alle|à|as|às|om|-)?\s*(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?/i;

interface RawMatch {
  y: number;
  m: number;
  d: number;
  index: number;
  end: number;
}

function year4(y: string): number {
  const n = Number(y);
  if (y.length === 4) return n;
  return n + (n < 70 ? 2000 : 1900);
}

const TEXT_PATTERNS: {
  re: RegExp;
  pick: (g: string[], ctx: HumanDateContext) => [number, number, number] | null;
}[] = [
  // 2020-10-09, 2020/10/09, 2020.10.09, 2020年10月9日, 2020. 10. 9.
  {
    re: /(?<![\d.])(\d{4})\s?(?:[-/.]|年|\.\s)\s?(\d{1,2})\s?(?:[-/.]|月|\.\s)\s?(\d{1,2})(?!\d)/g,
    pick: g => [Number(g[1]), Number(g[2]), Number(g[3])],
  },
  // 09.10.2020, 9. 10. 2020 (day first everywhere dots are used)
  {
    re: /(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2}(?![\d.]))(?!\d)/g,
    pick: g => [year4(g[3] ?? ''), Number(g[2]), Number(g[1])],
  },
  // 09/10/2020, 9-10-2020 (ambiguous: month-first in US English)
  {
    re: /(?<![\d/.-])(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?![\d/-])/g,
    pick: (g, ctx) => {
      const a = Number(g[1]);
      const b = Number(g[2]);
      const y = Number(g[3]);
      if (a > 12) return [y, b, a];
      if (b > 12) return [y, a, b];
      return ctx.monthFirst ? [y, a, b] : [y, b, a];
    },
  },
  // 9 October 2020, 9. Oktober 2020, 9 de octubre de 2020, 9th Oct, 2020, 09 Oct 2020
  {
    re: new RegExp(
      `(?<![\\d])(\\d{1,2})(?:st|nd|rd|th|er|º|°|\\.)?\\s*(?:de\\s+|of\\s+)?(${MONTH_ALT})\\.?,?\\s*(?:de\\s+|del\\s+)?(\\d{4})(?!\\d)`,
      'gi',
    ),
    pick: g => {
      const m = monthNumber(g[2] ?? '');
      return m ? [Number(g[3]), m, Number(g[1])] : null;
    },
  },
  // October 9, 2020, Oct. 9th 2020
  {
    re: new RegExp(`\\b(${MONTH_ALT})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`, 'gi'),
    pick: g => {
      const m = monthNumber(g[1] ?? '');
      return m ? [Number(g[3]), m, Number(g[2])] : null;
    },
  },
];

/** Every date written in `text`, in order of appearance (earliest position first). */
export function findHumanDates(
  text: string,
  bounds: DateBounds,
  ctx: HumanDateContext,
): (ParsedDate & { index: number; end: number })[] {
  const folded = foldAccents(text);
  const raw: RawMatch[] = [];
  for (const p of TEXT_PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(folded); m; m = p.re.exec(folded)) {
      const ymd = p.pick(
        [...m].map(x => x ?? ''),
        ctx,
      );
      if (!ymd) continue;
      raw.push({ y: ymd[0], m: ymd[1], d: ymd[2], index: m.index, end: m.index + m[0].length });
    }
  }
  raw.sort((a, b) => a.index - b.index || b.end - a.end);
  const out: (ParsedDate & { index: number; end: number })[] = [];
  let lastEnd = -1;
  for (const r of raw) {
    if (r.index < lastEnd) continue; // overlapping matches: keep the first, longest
    const t = TIME_AFTER_RE.exec(folded.slice(r.end, r.end + 24));
    let time: { h: number; mi: number; s: number; offsetMin: null } | null = null;
    if (t) {
      let h = Number(t[1]);
      const ampm = (t[4] ?? '').toLowerCase().replace(/\./g, '');
      if (ampm === 'pm' && h < 12) h += 12;
      if (ampm === 'am' && h === 12) h = 0;
      time = { h, mi: Number(t[2]), s: Number(t[3] ?? 0), offsetMin: null };
    }
    const parsed = build(r.y, r.m, r.d, time, bounds) ?? build(r.y, r.m, r.d, null, bounds);
    if (!parsed) continue;
    out.push({ ...parsed, index: r.index, end: r.end });
    lastEnd = r.end;
  }
  return out;
}

/** The first human-written date in `text`. */
export function parseHumanDate(text: string, bounds: DateBounds, ctx: HumanDateContext): ParsedDate | null {
  const found = findHumanDates(text, bounds, ctx)[0];
  if (!found) return null;
  return { iso: found.iso, day: found.day, hasTime: found.hasTime };
}

/**
 * A date in the URL path: /2020/10/09/, /2020-10-09-slug, /20201009/. Only full dates count: a /2020/10/
 * archive path says the month, not the day.
 */
export function dateFromUrl(url: string, bounds: DateBounds): ParsedDate | null {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  const patterns = [
    /(?:^|[/_-])((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=$|[/_.-])/,
    /(?:^|[/_-])((?:19|20)\d{2})(\d{2})(\d{2})(?=$|[/_.-])/,
  ];
  for (const re of patterns) {
    const m = re.exec(path);
    if (!m) continue;
    const r = build(Number(m[1]), Number(m[2]), Number(m[3]), null, bounds);
    if (r) return r;
  }
  return null;
}
