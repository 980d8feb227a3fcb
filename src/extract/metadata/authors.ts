/**
 * Author names as people read them: "By Jane Doe and John Roe | 9 Oct 2020" → ["Jane Doe", "John Roe"].
 * Cleaning removes what is not a name (prefixes, dates, roles, e-mail, URLs, CMS accounts) and splits lists.
 */
import { boundsFor, findHumanDates } from './dates.js';

export interface AuthorContext {
  siteName?: string | null | undefined;
  host?: string | undefined;
}

/** Leading words that introduce a byline, in the languages newsflow sees most. */
const PREFIX_RE =
  /^(?:(?:written|posted|published|reported|words|story|text|photos?|interview|compiled|edited|reviewed|created)\s+(?:and\s+\w+\s+)?by|by|von|vom|geschrieben\s+von|verfasst\s+von|ein\s+beitrag\s+von|autor(?:in)?|author|auteur|autore|autora|redaktion\s*:|par|publié\s+par|écrit\s+par|por|escrito\s+por|publicado\s+por|di|scritto\s+da|door|text|texto|testo|bericht|from)\s*[:：\-–—]?\s+/i;

/** Words that make a comma/pipe part a job title, not a name. */
const ROLE_WORDS =
  /\b(?:reporter|correspondent|editor|editors|writer|contributor|contributing|journalist|columnist|photographer|producer|analyst|anchor|presenter|host|chief|senior|junior|deputy|managing|executive|associate|assistant|intern|fellow|staff|desk|bureau|redakteur(?:in)?|korrespondent(?:in)?|volontär(?:in)?|fotograf(?:in)?|journalistin|journaliste|rédacteur|rédactrice|envoyé|envoyée|spéciale?|periodista|redactor|redactora|corresponsal|giornalista|inviato|repórter|redator|professor|student|researcher|lecturer|director|ceo|founder|president|manager)\b/i;

/** CMS account names that say who clicked "publish", not who wrote. */
const ACCOUNT_RE =
  /^(?:admin|administrator|administrador|site\s*admin|webmaster|root|wordpress|wpadmin|superuser|user|guest|default|editor|author|autor|unknown|anonymous|anonym|null|undefined|none)$/i;

const NOT_A_NAME_RE =
  /\b(?:comments?|kommentare?|share|teilen|read more|weiterlesen|posted in|filed under|category|categories|tags?|min read|minutes?|lesezeit|follow|subscribe|newsletter|updated|aktualisiert|published|veröffentlicht|view all posts|all posts|more from|alle beiträge|profile|profil|copyright|©|rights reserved|cookie)\b/i;

const SPLIT_RE =
  /\s*(?:;|\||•|·|\s+and\s+|\s+und\s+|\s+&\s+|\s+et\s+|\s+y\s+|\s+e\s+|\s+en\s+|\s+og\s+|\s+och\s+|\s*&amp;\s*|\n)\s*/i;

const SUFFIX_RE =
  /^(?:ph\.?\s?d\.?|m\.?d\.?|jr\.?|sr\.?|ii|iii|iv|mba|msc|m\.?sc\.?|b\.?a\.?|m\.?a\.?|esq\.?|dr\.?|prof\.?|rn|mph|dds|llm)$/i;

function collapse(s: string): string {
  return s.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

function stripDatesAndTimes(s: string): string {
  let out = s;
  const dates = findHumanDates(out, boundsFor(Date.now() + 10 * 365 * 86400_000), {});
  const first = dates[0];
  // A byline reads "Name, 9 Oct 2020 10:00": the date and all that follows is not part of the name.
  if (first && first.index > 0) out = out.slice(0, first.index);
  else if (first) out = '';
  out = out.replace(/\b(?:on|am|le|el|il|op|den|vom|at|um)\s*$/i, '');
  out = out.replace(/\b\d{1,2}[:.]\d{2}\s*(?:am|pm|uhr|h)?\b.*$/i, '');
  out = out.replace(
    /\b(?:updated|aktualisiert|published|veröffentlicht|publié|publicado|pubblicato)\b.*$/i,
    '',
  );
  return out;
}

function trimPunct(s: string): string {
  return s
    .replace(/^[\s,;:|/\\\-–—·•"'“”‘’«»()[\]]+/, '')
    .replace(/[\s,;:|/\\\-–—·•"'“”‘’«»([\]]+$/, '')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
}

/** Cleans one name, or returns null when what is left is not a name. */
export function cleanOneName(raw: string, _ctx: AuthorContext = {}): string | null {
  let s = collapse(raw);
  if (!s) return null;
  if (/^(?:https?:\/\/|www\.)\S+$/i.test(s) && !/^www\.[^/]+$/i.test(s)) return null;
  s = s.replace(/\S+@\S+\.\w+/g, ' ');
  s = s.replace(/https?:\/\/\S+/g, ' ');
  s = collapse(s);
  for (let i = 0; i < 3; i++) {
    const next = s.replace(PREFIX_RE, '');
    if (next === s) break;
    s = next;
  }
  s = trimPunct(stripDatesAndTimes(s));
  if (!s) return null;
  // "Jane Doe, Senior Reporter" / "Jane Doe - Political Editor": drop the role part.
  const parts = s.split(/\s*(?:,|\s[-–—|]\s|\s\/\s)\s*/);
  if (parts.length > 1) {
    const kept = parts.filter(
      (p, i) => i === 0 || (!ROLE_WORDS.test(p) && looksLikeName(p)) || SUFFIX_RE.test(p),
    );
    if (kept.length > 0 && kept.length < parts.length) {
      s = kept.join(', ');
    }
  } else if (ROLE_WORDS.test(s) && /\s(?:of|for|at|bei|für|de|di)\s/i.test(s) === false) {
    // "Jane Doe Staff Writer": keep the name part if one comes first.
    const m =
      /^(.*?)\s+(?:(?:senior|junior|chief|staff|contributing|deputy|managing)\s+)?(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|redakteurin?|korrespondentin?)$/i.exec(
        s,
      );
    if (m?.[1] && looksLikeName(m[1])) s = m[1];
  }
  s = s.replace(/^@(?=\w)/, '');
  s = trimPunct(s);
  if (!s || s.length > 80) return null;
  if (!/\p{L}/u.test(s)) return null;
  if (ACCOUNT_RE.test(s)) return null;
  if (NOT_A_NAME_RE.test(s)) return null;
  if (s.split(' ').length > 8) return null;
  return s;
}

function sameAsHost(name: string, host: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const h = host
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/\.[a-z]+$/, '')
    .replace(/[^a-z0-9]/g, '');
  return n.length > 2 && n === h;
}

export function looksLikeName(s: string): boolean {
  const t = s.trim();
  if (!t || t.length > 60) return false;
  if (!/\p{L}/u.test(t)) return false;
  const words = t.split(/\s+/);
  if (words.length > 6) return false;
  if (NOT_A_NAME_RE.test(t)) return false;
  // A sentence ends with a full stop after a word longer than an initial.
  if (/\p{L}{3,}[.!?]$/u.test(t)) return false;
  return true;
}

/**
 * Splits and cleans author values. Accepts one byline string or a list of names (JSON-LD arrays);
 * returns unique names in order.
 */
export function cleanAuthorNames(raw: string | readonly string[], ctx: AuthorContext = {}): string[] {
  const inputs = typeof raw === 'string' ? [raw] : raw;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const collapsed = collapse(input);
    if (!collapsed) continue;
    // Strip the prefix first so "By Jane Doe and John Roe" splits into two clean names.
    let stripped = collapsed;
    for (let i = 0; i < 3; i++) {
      const next = stripped.replace(PREFIX_RE, '');
      if (next === stripped) break;
      stripped = next;
    }
    stripped = stripDatesAndTimes(stripped);
    for (const piece of splitNames(stripped)) {
      const name = cleanOneName(piece, ctx);
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
  const pieces = s.split(SPLIT_RE).filter(p => p.trim());
  const out: string[] = [];
  for (const p of pieces) {
    // Commas separate names only when every part is a multi-word name: "Jane Doe, John Roe" — not
    // "Doe, Jane" or "Jane Doe, PhD" or "Jane Doe, Berlin".
    const commaParts = p.split(/\s*,\s*/).filter(x => x);
    if (
      commaParts.length > 1 &&
      commaParts.every(
        c =>
          c.split(/\s+/).length >= 2 && c.split(/\s+/).length <= 4 && looksLikeName(c) && !ROLE_WORDS.test(c),
      )
    ) {
      out.push(...commaParts);
    } else {
      out.push(p);
    }
  }
  return out;
}

export function isAccountName(s: string): boolean {
  return ACCOUNT_RE.test(collapse(s));
}

export { sameAsHost };
