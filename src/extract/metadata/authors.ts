/**
 * Author names as people read them: "By Jane Doe and John Roe | 9 Oct 2020" → ["Jane Doe", "John Roe"].
 * Cleaning removes what is not a name (prefixes, dates, roles, e-mail, URLs, CMS accounts) and splits lists.
 */
import { findHumanDates, type DateBounds } from './dates.js';
import { collapse, decodeEntities } from './text.js';
import { siteLabel, siteOfHost } from '../../shared/site.js';

export interface AuthorContext {
  siteName?: string | null | undefined;
  publisher?: string | null | undefined;
  host?: string | undefined;
}

/** Words that introduce a byline, in the languages newsflow sees most. */
const PREFIX_WORDS = [
  '(?:written|posted|published|reported|words|story|text|photos?|interview|compiled|edited|reviewed|created|curated|produced)\\s+(?:and\\s+\\w+\\s+)?by',
  'by',
  '(?:ein\\s+)?(?:artikel|beitrag|bericht|text|kommentar|gastbeitrag|interview)\\s*von',
  '(?:eingestellt|erstellt|verfasst|geschrieben|publiziert|veröffentlicht|gepostet|redigiert|gespeichert)\\s+von',
  'von',
  'autor(?:in|en)?',
  'author(?:s)?',
  'auteur',
  'autore',
  'autora',
  'redaktion',
  '(?:publié|écrit|rédigé)\\s+par',
  'par',
  '(?:escrito|publicado|redactado)\\s+por',
  'por',
  '(?:scritto|pubblicato)\\s+da',
  'di(?=\\s+\\S+\\s+\\S)',
  'door',
  'texto',
  'testo',
  'text',
  'from',
  '作者',
  '记者',
  '责任编辑',
  '编辑',
];
const PREFIX_RE = new RegExp(`^(?:${PREFIX_WORDS.join('|')})(?:\\s*[:：\\-–—]\\s*|\\s+)`, 'i');
/** Label-like prefixes ("Text", "Autor") introduce a byline line only with a colon: "Text: Jane Doe". */
const LABEL_WORD_RE = /^(?:autor|author|auteur|autore|autora|redaktion|text|texto|testo|from)/;
const joinPrefixes = (labels: boolean): string =>
  PREFIX_WORDS.filter(w => LABEL_WORD_RE.test(w) === labels).join('|');
/** A byline line: a prefix followed by at least one letter. */
export const BYLINE_LINE_RE = new RegExp(
  `^(?:(?:${joinPrefixes(false)})(?:\\s*[:：]\\s*|\\s+)|(?:${joinPrefixes(true)})\\s*[:：]\\s*)(?=\\p{L})`,
  'iu',
);
/** Prefixes that cannot be anything but a byline ("Geschrieben von", "Posted by", "Autor:"), unlike "von"/"by". */
export const STRONG_BYLINE_RE = new RegExp(
  `^(?:(?:${PREFIX_WORDS.filter(w => !LABEL_WORD_RE.test(w) && /\\s|作者|记者|编辑/.test(w)).join('|')})(?:\\s*[:：]\\s*|\\s+)|(?:${joinPrefixes(true)})\\s*[:：]\\s*)(?=\\p{L})`,
  'iu',
);
/** A line holding only a byline prefix ("Autor:", "Von"): the name follows on the next line. */
export const PREFIX_LINE_RE = new RegExp(`^(?:${PREFIX_WORDS.join('|')})\\s*[:：]?$`, 'i');
/** The prefix word alone is not a name ("Posted", "By", "Publiziert"). */
const PREFIX_ONLY_RE =
  /^(?:by|von|par|por|di|door|posted|published|publiziert|veröffentlicht|publié|publicado|pubblicato|written|eingestellt|erstellt|autor|author|auteur|autore|text|texto)$/i;

export const POSTED_BY_RE =
  /^(?:posted|published|updated|veröffentlicht|publiziert|erstellt|eingestellt|gespeichert|publié|publicado|pubblicato|\d).{0,60}?\s(?:by|von|par|por|door|da)\s+(\p{L}.*)$/iu;

/** Words that make a comma/pipe part a job title, not a name. */
const ROLE_WORDS =
  /\b(?:reporter|correspondent|editor|editors|writer|contributor|contributing|journalist|columnist|photographer|producer|analyst|anchor|presenter|host|chief|senior|junior|deputy|managing|executive|associate|assistant|intern|fellow|staff|desk|bureau|redakteur(?:in)?|korrespondent(?:in)?|volontär(?:in)?|fotograf(?:in)?|journalistin|journaliste|rédacteur|rédactrice|envoyé|envoyée|spéciale?|periodista|redactor|redactora|corresponsal|giornalista|inviato|repórter|redator|professor|student|researcher|lecturer|director|ceo|founder|president|manager)\b/i;

/** CMS account names that say who clicked "publish", not who wrote. */
const ACCOUNT_RE =
  /^(?:admin|administrator|administrador|site\s*admin|webmaster|root|wordpress|wpadmin|superuser|user|guest|default|editor|author|autor|unknown|anonymous|anonym|null|undefined|none)$/i;

const NOT_A_NAME_RE =
  /\b(?:comments?|kommentare?|share|teilen|read more|weiterlesen|posted in|filed under|category|categories|tags?|min read|minutes?|lesezeit|follow|subscribe|newsletter|updated|aktualisiert|view all posts|all posts|more from|alle beiträge|profile|profil|copyright|rights reserved|cookie|designed|design by|theme by|powered by|javascript|login|log in|sign in|anmelden|home|startseite|menu|menü|search|suche)\b|©|\?|!|:\/\//i;

const SPLIT_RE = /\s*(?:;|\||•|·|、|，|\n)\s*/;
const CONJUNCTION_RE = /\s+(?:and|und|&|et|y|e|og|och)\s+/i;
const PARTICLE_RE = /^(?:von|van|de|der|den|da|di|du|del|della|la|le|zu|y|bin|al|el|dos|das|ten|ter)$/;

const SUFFIX_RE =
  /^(?:ph\.?\s?d\.?|m\.?d\.?|jr\.?|sr\.?|ii|iii|iv|mba|msc|m\.?sc\.?|b\.?a\.?|m\.?a\.?|esq\.?|dr\.?|prof\.?|rn|mph|dds|llm)$/i;

/** Any date a byline might carry; wide bounds, since here dates are only cut away. */
const ANY_DATE: DateBounds = { min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) };

const MONTH_WORDS =
  '(?:jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[eé]vr(?:ier)?|mar(?:ch|s)?|m[aä]rz|apr(?:il)?|avr(?:il)?|may|mai|june?|juin|juni|july?|juil(?:let)?|juli|aug(?:ust)?|ao[uû]t|sept?(?:ember|embre)?|oct(?:ober|obre)?|okt(?:ober)?|nov(?:ember|embre)?|dec(?:ember)?|d[eé]c(?:embre)?|dez(?:ember)?)\\.?';
const DAY_MONTH_RE = new RegExp(
  `\\s+(?:${MONTH_WORDS}\\s+\\d{1,2}(?:st|nd|rd|th)?|\\d{1,2}(?:st|nd|rd|th)?\\.?\\s+${MONTH_WORDS})(?=$|[\\s,|·•–—-]).*$`,
  'i',
);
const WEEKDAY_RE =
  /[\s,|·•–—-]+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b.*$/i;

/** Words that announce a date after a name: "Jane Doe, updated on 9 Oct", "Sara Doe Stand: 9.10.2020". */
const DATE_LEAD_RE =
  /(?:^|\s+|\s*[,|·•–—-]\s*)(?:on|am|le|el|il|op|den|vom|um|at|stand|updated|last updated|aktualisiert|published|veröffentlicht|publié|publicado|pubblicato|erschienen|posted)\s*[:：]?\s*$/i;

function stripDatesAndTimes(s: string): string {
  let out = s;
  const first = findHumanDates(out, ANY_DATE, {})[0];
  if (first) {
    // "11.12.2019 - Jane Doe": the date leads; "Jane Doe, 9 Oct 2020 10:00": the date and what follows go.
    out = first.index === 0 ? out.slice(first.end) : out.slice(0, first.index);
  }
  out = out.replace(/(?:^|\s)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b.*$/, '');
  // A date without a year ("March 18", "18. März") or a weekday after the name.
  out = out.replace(DAY_MONTH_RE, '').replace(WEEKDAY_RE, '');
  out = out.replace(/(?:^|\s)\d{1,2}[:.]\d{2}\s*(?:am|pm|uhr|h)?(?:\s.*)?$/i, '');
  out = out.replace(/(?:^|[\s,|])(?:datum|date|fecha|data|dated)\s*[:：].*$/i, '');
  for (let i = 0; i < 2; i++) out = out.replace(DATE_LEAD_RE, '');
  out = out.replace(/\s(?:updated|aktualisiert|veröffentlicht|publié|publicado|pubblicato)\b.*$/i, '');
  return out;
}

function trimPunct(s: string): string {
  return s
    .replace(/^[\s,;:|/\\\-–—·•"'“”‘’«»()[\]*]+/, '')
    .replace(/[\s,;:|/\\\-–—·•"'“”‘’«»([\]*]+$/, '')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
}

function stripPrefixes(s: string): string {
  let out = s;
  for (let i = 0; i < 3; i++) {
    const next = out.replace(PREFIX_RE, '');
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Cleans one name, or returns null when what is left is not a name. */
export function cleanOneName(raw: string): string | null {
  let s = collapse(decodeEntities(raw));
  if (!s) return null;
  if (/^(?:https?:\/\/)\S+$/i.test(s)) return null;
  s = s.replace(/\S+@\S+\.\w+/g, ' ');
  s = s.replace(/https?:\/\/\S+/g, ' ');
  s = collapse(s);
  s = trimPunct(stripDatesAndTimes(stripPrefixes(s)));
  if (!s) return null;
  // "Jane Doe, Senior Reporter" / "Jane Doe - Political Editor" / "Jane Doe, ACLU Speech Project": what
  // follows a name is a role or an affiliation, except a suffix ("PhD"). "Doe, Jane" (surname first, as in
  // citation_author) stays as written.
  const parts = s.split(/\s*(?:,|\s[-–—|]\s|\s\/\s)\s*/);
  const surnameFirst =
    parts.length === 2 && /,/.test(s) && !/\s/.test(parts[0] ?? ' ') && !SUFFIX_RE.test(parts[1] ?? '');
  if (
    parts.length > 1 &&
    !surnameFirst &&
    looksLikePersonName(parts[0] ?? '') &&
    !ROLE_WORDS.test(parts[0] ?? '')
  ) {
    s = parts.filter((p, i) => i === 0 || SUFFIX_RE.test(p)).join(', ');
  } else if (ROLE_WORDS.test(s)) {
    // "Jane Doe Staff Writer": keep the name part if one comes first.
    const m =
      /^(.*?)\s+(?:(?:senior|junior|chief|staff|contributing|deputy|managing)\s+)?(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|redakteurin?|korrespondentin?)$/i.exec(
        s,
      );
    if (m?.[1] && looksLikeName(m[1]) && !ROLE_WORDS.test(m[1])) s = m[1];
  }
  // "Jane Doe/SP-X": a person with the agency that distributed the piece.
  const agency = /^(.+?)\s*\/\s*[\p{L}-]{1,10}$/u.exec(s);
  if (agency?.[1] && looksLikePersonName(agency[1])) s = agency[1];
  s = s.replace(/^@(?=\w)/, '');
  s = trimPunct(s);
  if (!s || s.length > 80) return null;
  if (!/\p{L}/u.test(s)) return null;
  if (ACCOUNT_RE.test(s) || PREFIX_ONLY_RE.test(s)) return null;
  // "Mein Motto: Fazit" is a headline, not a name.
  if (/[:：]/.test(s)) return null;
  // A name does not start with a conjunction or preposition: "und Netzphilosophin Jane Doe" is a phrase.
  if (/^(?:und|and|et|mit|with|the|of|for|für|in|im|auf|sowie|plus)\s/.test(s)) return null;
  if (NOT_A_NAME_RE.test(s)) return null;
  if (s.split(' ').length > 7) return null;
  return s;
}

export function looksLikeName(s: string): boolean {
  const t = s.trim();
  if (!t || t.length > 60) return false;
  if (!/\p{L}/u.test(t)) return false;
  const words = t.split(/\s+/);
  if (words.length > 6) return false;
  if (NOT_A_NAME_RE.test(t)) return false;
  // "Mein Motto: Fazit" is a headline, not a name.
  if (/[:：]/.test(t)) return false;
  // A sentence ends with a full stop after a word longer than an initial.
  if (/\p{L}{3,}[.!?]$/u.test(t)) return false;
  return true;
}

/** Two to four words, each starting with a capital letter (or a particle): how bare names look. */
export function looksLikePersonName(s: string): boolean {
  const t = s.trim();
  if (!looksLikeName(t)) return false;
  if (/[,;:]/.test(t)) return false;
  // Chinese, Japanese and Korean names are two to four characters without spaces.
  if (/^[\p{Script=Han}\p{Script=Hangul}]{2,4}$/u.test(t)) return true;
  const words = t.split(/\s+/);
  if (words.length < 2 || words.length > 4) return false;
  return words.every(
    w => /^\p{Lu}/u.test(w) || /^(?:von|van|de|der|den|da|di|du|del|la|le|zu|y|bin|al|el)$/.test(w),
  );
}

/**
 * Splits and cleans author values. Accepts one byline string or a list of names (JSON-LD arrays);
 * returns unique names in order.
 */
export function cleanAuthorNames(raw: string | readonly string[]): string[] {
  const inputs = typeof raw === 'string' ? [raw] : raw;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const collapsed = collapse(decodeEntities(input));
    if (!collapsed) continue;
    // "Posted on 9 Oct 2020 by Jane Doe": the name follows the last "by".
    const posted = POSTED_BY_RE.exec(collapsed);
    const source = posted?.[1] ?? collapsed;
    // Strip the prefix and dates first so "By Jane Doe and John Roe, 9 Oct" splits into two clean names.
    const stripped = stripDatesAndTimes(stripPrefixes(source));
    for (const piece of splitNames(stripped)) {
      const name = cleanOneName(piece);
      if (!name) continue;
      const key = name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(name);
    }
  }
  return out;
}

function splitNames(s: string): string[] {
  const out: string[] = [];
  // "Jane Doe (with John Roe)": the parenthesis names a co-author.
  const text = s.replace(/\s*\((?:with|avec|mit|con|com|met)\s+([^)]+)\)/gi, ', $1');
  for (const piece of text.split(SPLIT_RE)) {
    if (!piece.trim()) continue;
    // A list: "Jane Doe, Energy Correspondent, John Roe and Ann Poe". Split when every item is a name, an
    // agency credited alongside ("Jane Doe, NDR") or a role (dropped).
    const items = piece.split(LIST_SEPARATOR_RE).filter(x => x.trim());
    if (items.length > 1) {
      const names = items.filter(c => !isRole(c));
      if (
        names.length > 0 &&
        names.some(c => !isAgency(c)) &&
        names.every(c => isListedName(c) || isAgency(c))
      ) {
        out.push(...names);
        continue;
      }
    }
    // "and" without commas joins two names ("Ela and Bob"), and also words inside organisation names
    // ("Landesanstalt für Wald und Forstwirtschaft"): split only when no part reads as a phrase.
    const parts = piece.split(CONJUNCTION_RE);
    if (parts.length > 1 && !piece.includes(',') && !parts.some(isPhrase)) out.push(...parts);
    else out.push(piece);
  }
  return out;
}

const LIST_SEPARATOR_RE = /\s*,\s*(?:(?:and|und|&|et|y|e)\s+)?|\s+(?:and|und|&|et|y|e|og|och)\s+|\s+\/\s+/i;

function isPhrase(part: string): boolean {
  return part.split(/\s+/).some(w => /^\p{Ll}/u.test(w) && !PARTICLE_RE.test(w));
}

function isRole(part: string): boolean {
  return ROLE_WORDS.test(part) && !looksLikePersonName(part.replace(ROLE_WORDS, '').trim());
}

/** An all-caps short part is an agency or broadcaster credited alongside a person: "Jane Doe, NDR". */
function isAgency(part: string): boolean {
  return /^\p{Lu}{2,6}$/u.test(part.trim()) && !SUFFIX_RE.test(part.trim());
}

/** A name in a list: a person-like name, or one capitalised word when the list also has full names. */
function isListedName(part: string): boolean {
  return looksLikePersonName(part) && !ROLE_WORDS.test(part) && !isOrganisationName(part);
}

export function isAccountName(s: string): boolean {
  return ACCOUNT_RE.test(collapse(s));
}

export function squash(s: string): string {
  return foldForCompare(s).replace(/[^\p{L}\p{N}]/gu, '');
}

function foldForCompare(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

const ORGANISATION_RE =
  /(?<![\p{L}-])(?:gmbh|ag|se|e\.\s?v\.|ev|kg|ltd|llc|inc|corp|plc|s\.a\.|verlag|institut|institute|landesanstalt|bundesamt|ministerium|ministry|department|university|universität|hochschule|agency|agentur|association|verband|verein|stiftung|foundation|council|office|press office|pressestelle|redaktion|newsroom|news desk|editorial)(?![\p{L}-])/iu;

/**
 * True for the name of an institution ("Bayerische Landesanstalt für Wald und Forstwirtschaft", "Example
 * GmbH", "Redaktion"): a person named elsewhere on the page is the better author.
 */
export function isOrganisationName(name: string): boolean {
  return ORGANISATION_RE.test(name);
}

/**
 * True when a "name" is really the site: its name, its publisher, or its domain ("tagesschau.de",
 * "Motorsport-Total.com"). Pages put these in author fields when no person is credited.
 */
export function isSiteLikeName(name: string, ctx: AuthorContext): boolean {
  const n = squash(name);
  if (!n) return false;
  if (/^[\w.-]+\.(?:[a-z]{2}|com|org|net|info|news|online|media)$/i.test(name.trim())) return true;
  for (const site of [ctx.siteName, ctx.publisher]) {
    if (!site) continue;
    const s = squash(site);
    if (s && (s === n || (n.length >= 4 && s.includes(n)) || (s.length >= 4 && n.includes(s)))) return true;
  }
  for (const site of [ctx.siteName, ctx.publisher]) {
    // "LN" for "Lübecker Nachrichten".
    const words = (site ?? '').split(/[\s-]+/).filter(w => /^\p{Lu}/u.test(w));
    if (
      words.length >= 2 &&
      /^\p{Lu}{2,5}$/u.test(name.trim()) &&
      words.map(w => w[0]).join('') === name.trim()
    ) {
      return true;
    }
  }
  if (ctx.host) {
    // "Deutsche Welle (www.dw.com)": a name carrying the site's own domain.
    const domain = siteOfHost(ctx.host);
    if (domain?.includes('.') && name.toLowerCase().includes(domain)) return true;
    // "Live Science" on livescience.com, "BBC" on news.bbc.co.uk: the registrable domain without its suffix.
    const core = squash(siteLabel(ctx.host) ?? '');
    if (core.length >= 3 && (n === core || (n.length >= 4 && core.includes(n)) || n.includes(core))) {
      return true;
    }
  }
  return false;
}
