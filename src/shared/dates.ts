/**
 * Dates, one parser for feeds and pages: RFC 822/2822 with any zone name, ISO 8601 / W3CDTF with or without a
 * zone, asctime, US prose dates ("January 5, 2024 10:00 AM EST"), day-first dates with localized month names
 * ("Mittwoch, 5. März 2024 10:00 MEZ"), YYYY/MM/DD and epoch numbers. One month table (en de fr es it pt nl,
 * accents folded) and one zone table serve both this parser and the human-date finder of page metadata
 * (extract/metadata/dates.ts). A date without a zone is UTC (never the machine's local zone, so a result does
 * not depend on where the process runs). Input longer than 256 characters is not a date; every pattern is
 * anchored, so each string is scanned a bounded number of times.
 */

/** A parsed date: the instant, the calendar day as written (before any zone shift), and whether it had a time. */
export interface ParsedDate {
  /** ISO 8601 instant in UTC. Dates without a time are midnight UTC. */
  iso: string;
  /** The calendar day as written, YYYY-MM-DD. */
  day: string;
  hasTime: boolean;
  /**
   * W3CDTF allows a year ("2003") or a month ("2003-12") alone: such a value reads as its first day, and says so
   * here. Feeds take it (it is all the feed says); a page's publication date must name its day.
   */
  partial?: true;
}

/** Longer strings are not dates (a hostile feed sends 60 KB pubDates). */
export const MAX_DATE_CHARS = 256;

const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  IST: 330,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  MEZ: 60,
  MESZ: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  AST: -240,
  ADT: -180,
  NST: -210,
  NDT: -150,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  PHT: 480,
  AWST: 480,
  ICT: 420,
  WIB: 420,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

const MONTHS: Record<string, number> = {};
function addMonths(names: string[][]): void {
  names.forEach((variants, i) => {
    for (const v of variants) MONTHS[v] = i + 1;
  });
}
// Full names and common abbreviations, accents stripped (see foldAccents) and lower-cased.
addMonths([
  [
    'january',
    'jan',
    'januar',
    'janner',
    'janvier',
    'janv',
    'enero',
    'ene',
    'gennaio',
    'gen',
    'janeiro',
    'januari',
  ],
  [
    'february',
    'feb',
    'febr',
    'februar',
    'feber',
    'fevrier',
    'fevr',
    'fev',
    'febrero',
    'febbraio',
    'fevereiro',
    'februari',
  ],
  ['march', 'mar', 'marz', 'mrz', 'mars', 'marzo', 'marco', 'maart', 'mrt'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile'],
  ['may', 'mai', 'mayo', 'maggio', 'mag', 'maio', 'mei'],
  ['june', 'jun', 'juni', 'juin', 'junio', 'giugno', 'giu', 'junho'],
  ['july', 'jul', 'juli', 'juillet', 'juil', 'julio', 'luglio', 'lug', 'julho'],
  ['august', 'aug', 'aout', 'agosto', 'ago', 'augustus'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre', 'settembre', 'set', 'setembro'],
  ['october', 'oct', 'oktober', 'okt', 'octobre', 'octubre', 'ottobre', 'ott', 'outubro', 'out'],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro'],
  ['december', 'dec', 'dezember', 'dez', 'decembre', 'diciembre', 'dic', 'dicembre', 'dezembro'],
]);
const MONTH_NAMES = Object.keys(MONTHS).sort((a, b) => b.length - a.length);

/** Month names, longest first, for regex alternations (page text). */
export const MONTH_ALT = MONTH_NAMES.join('|');

export function foldAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

/** The month a word names ("März", "Sept.", "juillet"), or null. Exact names first, then a known prefix. */
export function monthNumber(word: string): number | null {
  const w = foldAccents(word).toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  const exact = MONTHS[w];
  if (exact) return exact;
  for (const name of MONTH_NAMES) {
    if (name.length >= 3 && (w.startsWith(name) || (name.startsWith(w) && name.length > 4))) {
      return MONTHS[name]!;
    }
  }
  return null;
}

/** Minutes east of UTC, or an IANA zone name (its offset depends on the date), or undefined when unknown. */
function zoneOffset(raw: string): Offset | undefined {
  // "+0000 (UTC)", "GMT+0100 (Central European Standard Time)": the parenthesized name is commentary.
  const z = raw.replace(/\s*\(.*\)\s*$/, '').trim();
  if (z === '') return 0;
  const whole = zoneToken(z);
  if (whole !== undefined) return whole;
  // "+0000 GMT", "EST5EDT"-like tails: the first token decides.
  const first = z.split(/\s+/)[0] ?? '';
  return first !== z ? zoneToken(first) : undefined;
}

function zoneToken(z: string): Offset | undefined {
  const named = ZONES[z.toUpperCase()];
  if (named !== undefined) return named;

  const m = /^(?:UTC|GMT|UT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(z);
  if (m) {
    const hours = Number(m[2]);
    const minutes = m[3] ? Number(m[3]) : 0;
    if (hours > 14 || minutes > 59) return undefined;
    return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // POSIX-style "EST5EDT", "CET-1CEST": the standard-time name leads.
  const posix = /^([A-Za-z]{3,4})[+-]?\d/.exec(z);
  if (posix && ZONES[posix[1]!.toUpperCase()] !== undefined) return ZONES[posix[1]!.toUpperCase()];
  if (/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+$/.test(z) && ianaOffset(z, Date.now()) !== undefined) return z;
  // Military single letters other than Z are unreliable (RFC 2822 §4.3): treat them as UTC.
  if (/^[A-IK-Y]$/i.test(z)) return 0;
  return undefined;
}

type Offset = number | string;

const ianaFormatters = new Map<string, Intl.DateTimeFormat | null>();

/** Offset in minutes of an IANA zone (Europe/Berlin) at an instant, from the runtime's ICU data. */
function ianaOffset(zone: string, at: number): number | undefined {
  let fmt = ianaFormatters.get(zone);
  if (fmt === undefined) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      fmt = null;
    }
    if (ianaFormatters.size < 512) ianaFormatters.set(zone, fmt);
  }
  if (!fmt) return undefined;
  const name = fmt.formatToParts(at).find(p => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(name);
  if (!m) return undefined;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

function twoDigitYear(y: string): number {
  const n = Number(y);
  if (y.length > 2) return n;
  return n < 50 ? 2000 + n : 1900 + n;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: number | undefined;
  minute?: number | undefined;
  second?: number | undefined;
  fraction?: string | undefined;
  ampm?: string | undefined;
  offsetMinutes: Offset;
}

function build(p: Parts): ParsedDate | null {
  let hour = p.hour ?? 0;
  const minute = p.minute ?? 0;
  let second = p.second ?? 0;
  if (p.ampm) {
    const pm = p.ampm.toLowerCase().startsWith('p');
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (p.year < 1000 || p.year > 9999) return null;
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31) return null;
  if (hour > 24 || minute > 59 || second > 60) return null;
  if (hour === 24 && (minute > 0 || second > 0)) return null;
  if (second === 60) second = 59;
  const ms = p.fraction ? Math.round(Number(`0.${p.fraction}`) * 1000) : 0;
  const utc = Date.UTC(p.year, p.month - 1, p.day, hour, minute, second, Math.min(ms, 999));
  // Date.UTC rolls 31 February over into March: reject dates that do not exist.
  const check = new Date(Date.UTC(p.year, p.month - 1, p.day));
  if (check.getUTCMonth() !== p.month - 1) return null;
  let t: number;
  if (typeof p.offsetMinutes === 'number') t = utc - p.offsetMinutes * 60_000;
  else {
    // Wall time in an IANA zone: take its offset at the UTC reading, then again at the corrected instant (DST).
    const first = utc - (ianaOffset(p.offsetMinutes, utc) ?? 0) * 60_000;
    t = utc - (ianaOffset(p.offsetMinutes, first) ?? 0) * 60_000;
  }
  if (!Number.isFinite(t)) return null;
  const day = `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return { iso: new Date(t).toISOString(), day, hasTime: p.hour !== undefined };
}

const TIME = String.raw`(\d{1,2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?|\.(\d{2})(?:\.(\d{2}))?)?\s*([ap]\.?m\.?(?![a-z]))?`;

const ISO = new RegExp(
  String.raw`^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?|(\d{2})(\d{2}))?` +
    String.raw`(?:(?:T|\s+|T\s*)(\d{1,2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?` +
    String.raw`\s*(Z|UTC|GMT|UT|[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5}|[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+)?$`,
  'i',
);

/** "Tue, 10 Jun 2003 04:00:00 GMT", "10-Jun-03 4:00 EST", "Mittwoch, 5. März 2024 10:00 MEZ". */
const RFC822 = new RegExp(
  String.raw`^(?:[^\d\s,]+\.?,?\s*)?(\d{1,2})\.?[\s\-/]+([^\d\s,.\-/]+)\.?,?[\s\-/]+(\d{2,4})` +
    String.raw`(?:(?:\s+|T|,\s*|\s*-\s*|\s+at\s+)${TIME})?\s*(.*)$`,
  'i',
);

/** "January 5, 2024 10:00 AM EST", "Fri Jan 05 2024 10:00:00 GMT+0000 (UTC)", "Jan 5 2024". */
const US = new RegExp(
  String.raw`^(?:[^\d\s,]+\.?,?\s+)?([^\d\s,.]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})` +
    String.raw`(?:(?:\s+|,\s*|\s+at\s+|T)${TIME})?\s*(.*)$`,
  'i',
);

/** asctime: "Fri Jan  5 10:00:00 2024" (zone optional, before or after the year). */
const ASCTIME = new RegExp(
  String.raw`^(?:[^\d\s,]+\.?,?\s+)?([^\d\s,.]+)\s+(\d{1,2})\s+${TIME}\s+(?:([A-Z]{2,5}|[+-]\d{4})\s+)?(\d{4})\s*(.*)$`,
  'i',
);

/** "2024/01/05 10:00:00", "2024.01.05" */
const YMD = new RegExp(String.raw`^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:(?:\s+|T)${TIME})?\s*(.*)$`, 'i');

/** A feed's date as an ISO 8601 instant in UTC; null when it is not a date. */
export function parseFeedDate(input: unknown): string | null {
  return parseDate(input)?.iso ?? null;
}

/** Any date string (or epoch number) this module reads; null when it is not one. */
export function parseDate(input: unknown): ParsedDate | null {
  if (typeof input === 'number') return fromEpoch(input);
  if (typeof input !== 'string' || input.length > MAX_DATE_CHARS) return null;
  const s = input
    .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!s) return null;
  if (/^\d{9,13}$/.test(s)) return fromEpoch(Number(s));
  if (/^\d{8}$/.test(s)) {
    return build({
      year: Number(s.slice(0, 4)),
      month: Number(s.slice(4, 6)),
      day: Number(s.slice(6, 8)),
      offsetMinutes: 0,
    });
  }

  let m = ISO.exec(s);
  if (m) {
    const offset = zoneOffset(m[10] ?? '');
    if (offset !== undefined) {
      const partial = m[3] === undefined && m[5] === undefined;
      const d = build({
        year: Number(m[1]),
        month: Number(m[2] ?? m[4] ?? 1),
        day: Number(m[3] ?? m[5] ?? 1),
        hour: m[6] !== undefined ? Number(m[6]) : undefined,
        minute: m[7] !== undefined ? Number(m[7]) : undefined,
        second: m[8] !== undefined ? Number(m[8]) : undefined,
        fraction: m[9],
        offsetMinutes: offset,
      });
      return d && partial ? { ...d, partial: true } : d;
    }
  }

  m = RFC822.exec(s);
  if (m) {
    const month = monthNumber(m[2]!);
    const offset = zoneOffset(m[11] ?? '');
    if (month && offset !== undefined) {
      return build({
        year: twoDigitYear(m[3]!),
        month,
        day: Number(m[1]),
        ...time(m, 4),
        offsetMinutes: offset,
      });
    }
  }

  m = US.exec(s);
  if (m) {
    const month = monthNumber(m[1]!);
    const offset = zoneOffset(m[11] ?? '');
    if (month && offset !== undefined) {
      return build({ year: Number(m[3]), month, day: Number(m[2]), ...time(m, 4), offsetMinutes: offset });
    }
  }

  m = ASCTIME.exec(s);
  if (m) {
    const month = monthNumber(m[1]!);
    const offset = zoneOffset(`${m[10] ?? ''} ${m[12] ?? ''}`.trim());
    if (month && offset !== undefined) {
      return build({ year: Number(m[11]), month, day: Number(m[2]), ...time(m, 3), offsetMinutes: offset });
    }
  }

  m = YMD.exec(s);
  if (m) {
    const offset = zoneOffset(m[11] ?? '');
    if (offset !== undefined) {
      return build({
        year: Number(m[1]),
        month: Number(m[2]),
        day: Number(m[3]),
        ...time(m, 4),
        offsetMinutes: offset,
      });
    }
  }

  // Last, an ISO date-time at the start of a longer value ("2021-03-04T05:06:07+01:00 (CET)", "2020-10-09 und
  // mehr"): page metadata carries such values; the date and time read are what the value begins with.
  m = ISO_PREFIX.exec(s);
  if (m) {
    const offset = m[7] ? zoneOffset(m[7]) : 0;
    if (offset !== undefined) {
      return build({
        year: Number(m[1]),
        month: Number(m[2]),
        day: Number(m[3]),
        hour: m[4] !== undefined ? Number(m[4]) : undefined,
        minute: m[5] !== undefined ? Number(m[5]) : undefined,
        second: m[6] !== undefined ? Number(m[6]) : undefined,
        offsetMinutes: offset,
      });
    }
  }
  return null;
}

const ISO_PREFIX =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?/i;

/** Reads the 7 groups of TIME starting at index `i`. */
function time(
  m: RegExpExecArray,
  i: number,
): Pick<Parts, 'hour' | 'minute' | 'second' | 'fraction' | 'ampm'> {
  if (m[i] === undefined) return {};
  return {
    hour: Number(m[i]),
    minute: m[i + 1] !== undefined ? Number(m[i + 1]) : m[i + 4] !== undefined ? Number(m[i + 4]) : 0,
    second: m[i + 2] !== undefined ? Number(m[i + 2]) : m[i + 5] !== undefined ? Number(m[i + 5]) : 0,
    fraction: m[i + 3],
    ampm: m[i + 6]?.replace(/\./g, ''),
  };
}

function fromEpoch(n: number): ParsedDate | null {
  // Below 1e8 s (1973) a number is not a plausible timestamp.
  if (!Number.isFinite(n) || n < 1e8) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString();
  return { iso, day: iso.slice(0, 10), hasTime: true };
}
