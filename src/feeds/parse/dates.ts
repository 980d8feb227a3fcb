/**
 * Feed dates to ISO 8601 UTC. Feeds write RFC 822 with any zone name, W3CDTF with or without a zone, asctime,
 * US prose dates, localized month names and epoch numbers. A date without a zone is taken as UTC (never the
 * machine's local zone, so the result does not depend on where the poller runs). Anything unreadable is null.
 */

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

/** Month names by their lower-case prefix; longer keys win (so `juil` beats `jui`). English first, then de/fr/es/it/nl/pt. */
const MONTHS: [string, number][] = [
  ['january', 1],
  ['february', 2],
  ['march', 3],
  ['april', 4],
  ['june', 6],
  ['july', 7],
  ['august', 8],
  ['september', 9],
  ['october', 10],
  ['november', 11],
  ['december', 12],
  ['juin', 6],
  ['juil', 7],
  ['janv', 1],
  ['févr', 2],
  ['fevr', 2],
  ['sept', 9],
  ['août', 8],
  ['aout', 8],
  ['déc', 12],
  ['jan', 1],
  ['feb', 2],
  ['fév', 2],
  ['fev', 2],
  ['mar', 3],
  ['mär', 3],
  ['mrz', 3],
  ['mrt', 3],
  ['apr', 4],
  ['avr', 4],
  ['abr', 4],
  ['may', 5],
  ['mai', 5],
  ['mei', 5],
  ['mag', 5],
  ['jun', 6],
  ['giu', 6],
  ['jul', 7],
  ['lug', 7],
  ['aug', 8],
  ['ago', 8],
  ['sep', 9],
  ['set', 9],
  ['oct', 10],
  ['okt', 10],
  ['out', 10],
  ['ott', 10],
  ['nov', 11],
  ['dec', 12],
  ['dez', 12],
  ['dic', 12],
  ['ene', 1],
  ['gen', 1],
];

const MONTHS_BY_LENGTH = [...MONTHS].sort((a, b) => b[0].length - a[0].length);

function monthNumber(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  for (const [name, n] of MONTHS_BY_LENGTH) {
    if (name.length >= 3 && (w.startsWith(name) || (name.startsWith(w) && name.length > 4))) return n;
  }
  return null;
}

/** Offset in minutes east of UTC, or undefined when `zone` is not a zone we know. Empty → 0 (UTC). */
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

function build(p: Parts): string | null {
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
  return new Date(t).toISOString();
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

export function parseFeedDate(input: unknown): string | null {
  if (typeof input === 'number') return fromEpoch(input);
  if (typeof input !== 'string') return null;
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
      return build({
        year: Number(m[1]),
        month: Number(m[2] ?? m[4] ?? 1),
        day: Number(m[3] ?? m[5] ?? 1),
        hour: m[6] !== undefined ? Number(m[6]) : undefined,
        minute: m[7] !== undefined ? Number(m[7]) : undefined,
        second: m[8] !== undefined ? Number(m[8]) : undefined,
        fraction: m[9],
        offsetMinutes: offset,
      });
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
  return null;
}

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

function fromEpoch(n: number): string | null {
  // Below 1e8 s (1973) a number is not a plausible feed timestamp.
  if (!Number.isFinite(n) || n < 1e8) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
