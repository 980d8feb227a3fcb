/**
 * Credit lines that name where a text first appeared. Sources (see docs: DEDUP-NOTES §3):
 * - Yoast SEO's feed footer `The post %%POSTLINK%% appeared first on %%BLOGLINK%%.` and its translations;
 * - All in One SEO's `The post %post_link% first appeared on %site_link%.`;
 * - the Republication Tracker Tool's `This article first appeared on SITE and is republished here under …`;
 * - The Conversation's `This article is republished from The Conversation under a Creative Commons license.`;
 * - free text such as `This article was originally published on SITE.`, in English, German, French, Spanish;
 * - the line a truncated copy ends with: `Continue reading on SITE`, `Read the full story at SITE` (the link on
 *   SITE is then the original article), and a bare `Source: SITE` naming a site by its proper name.
 * A credit is a whole paragraph (or the tail of one): patterns are anchored at both ends, so the same words
 * inside prose ("the mainframe first appeared on the computing landscape") never match.
 */
import type { AttributionMethod } from '../types.js';

export type CreditMethod = Extract<
  AttributionMethod,
  'yoast-footer' | 'aioseo-footer' | 'republication-credit' | 'text-credit'
>;

export interface CreditMatch {
  method: CreditMethod;
  /** Title of the original, when the credit names it (Yoast/AIOSEO). */
  title: string | null;
  /** Name of the site credited. */
  siteName: string | null;
  /** Address of the original article, when a link survives. */
  originalUrl: string | null;
  /** Home page of the site credited, when a link survives. */
  siteUrl: string | null;
  /** The credit line as text. */
  text: string;
  /** Language of the template that matched (Yoast translations). */
  lang: string;
}

interface Pattern {
  method: CreditMethod;
  lang: string;
  re: RegExp;
  /** How links in the credit map to the original and the site (HTML mode). */
  links: 'title-then-site' | 'article-word' | 'original-article' | 'site';
  /**
   * The site must be written as a proper name (capitalized words or a domain): for the bare "Source: …"
   * forms, where "Source: company reports" names no site.
   */
  properName?: boolean;
}

// Titles and site names may contain anything but must be non-empty; the final period is optional.
// Line breaks end a credit (plain text, <br>): neither a title nor a site name spans one.
const T = '(?<title>[^\\n]+?)';
const S = '(?<site>[^\\s][^\\n]{0,120}?)';
const END = '[^\\S\\n]*[.!]?\\s*$';

/** A plugin's feed footer, "<before> <title> <middle> <site>." (Yoast and AIOSEO, in their translations). */
function footer(method: CreditMethod, lang: string, before: string, middle: string): Pattern {
  return {
    method,
    lang,
    links: 'title-then-site',
    re: new RegExp(`^${before} ${T} ${middle} ${S}${END}`, 'i'),
  };
}

/** A credit in free text naming the site, the original linked from the site's name when a link survives. */
function textCredit(lang: string, lead: string, properName = false): Pattern {
  return {
    method: 'text-credit',
    lang,
    links: 'site',
    re: new RegExp(`^(?:${lead}) ${S}${END}`, 'i'),
    properName,
  };
}

const ARTICLE_WORD = '(?:article|story|post|piece|report|essay|interview|column)';

const PATTERNS: Pattern[] = [
  // All in One SEO first: its "first appeared on" would otherwise be read as Yoast's sibling.
  footer('aioseo-footer', 'en', 'The post', 'first appeared on'),
  footer('yoast-footer', 'en', 'The post', 'appeared first on'),
  footer('yoast-footer', 'de', 'Der Beitrag', 'erschien zuerst auf'),
  footer('yoast-footer', 'fr', "L'article", 'est apparu en premier sur'),
  footer('yoast-footer', 'es', 'La entrada', 'se publicó primero en'),
  footer('yoast-footer', 'it', "L'articolo", 'proviene da'),
  footer('yoast-footer', 'pt', 'O post', 'apareceu primeiro em'),
  footer('yoast-footer', 'nl', 'Het bericht', 'verscheen eerst op'),
  {
    method: 'republication-credit',
    lang: 'en',
    links: 'article-word',
    re: new RegExp(
      `^This (?:article|story|post|piece) first appeared (?:on|in|at) ${S}(?: and is republished here under [^\\n]{3,200}?)?${END}`,
      'i',
    ),
  },
  {
    method: 'republication-credit',
    lang: 'en',
    links: 'original-article',
    re: new RegExp(
      `^This (?:article|story|piece) (?:is|was|has been) republished from ${S} under (?:a|the) Creative Commons licen[cs]e\\b[^\\n]{0,120}?${END}`,
      'i',
    ),
  },
  {
    method: 'text-credit',
    lang: 'en',
    links: 'site',
    re: new RegExp(
      `^(?:(?:A version of )?this (?:article|story|post|piece|essay|interview|column|report) (?:was|is|has been|had been) )?(?:originally|first) (?:published|posted|appeared|ran) (?:on|at|in|by) ${S}${END}`,
      'i',
    ),
  },
  {
    method: 'text-credit',
    lang: 'en',
    links: 'site',
    re: new RegExp(
      `^(?:This|The) (?:article|story|post|piece|essay) originally appeared (?:on|in|at) ${S}${END}`,
      'i',
    ),
  },
  // A truncated copy's last line. "Read more" is not one: it ends teaser boxes of this site's own stories.
  textCredit(
    'en',
    `(?:Continue|Keep) reading(?: (?:the|this) (?:full |whole |complete |original )?${ARTICLE_WORD})? (?:on|at)`,
  ),
  textCredit(
    'en',
    `Read (?:the )?(?:full|complete|whole|original|entire|rest of the) ${ARTICLE_WORD}(?: here)? (?:on|at)`,
  ),
  textCredit('en', '(?:Source|Via|Courtesy of)\\s*:', true),
  textCredit(
    'de',
    '(?:Weiterlesen|Lesen Sie weiter|Den (?:ganzen|vollständigen) (?:Artikel|Beitrag) lesen Sie) (?:auf|bei)',
  ),
  textCredit(
    'de',
    '(?:Dieser|Der) (?:Artikel|Beitrag|Text) erschien (?:zuerst|ursprünglich|erstmals) (?:auf|bei|in)',
  ),
  textCredit('de', 'Quelle\\s*:', true),
  textCredit(
    'fr',
    "(?:Lire la suite|Lire l'article (?:complet|original|en entier)|Continuer la lecture) (?:sur|dans)",
  ),
  textCredit(
    'fr',
    "(?:Cet|L') ?article a (?:d'abord |initialement |originellement )?été (?:d'abord |initialement |originellement )?publié (?:d'abord |initialement )?(?:sur|dans|par)",
  ),
  textCredit('fr', 'Source\\s*:', true),
  textCredit(
    'es',
    '(?:Sigue|Seguir|Continúa|Continuar) leyendo (?:en)|Lee (?:el artículo|la nota|la noticia) (?:completa?|original) en',
  ),
  textCredit(
    'es',
    '(?:Este|El) (?:artículo|texto) (?:fue publicado|se publicó) (?:originalmente|primero|por primera vez) en',
  ),
  textCredit('es', 'Fuente\\s*:', true),
];

/**
 * Capitalized words (a few lower-case joining words allowed, "the" first) or a domain: "Reuters", "the
 * Guardian", "invezz.com". A lower-case word alone ("Source: internal") is not taken for a site's name.
 */
const PROPER_NAME_RE =
  /^(?:the )?(?:[\p{Lu}\d][\p{L}\d&'.-]*|(?:[\p{Ll}\d-]+\.)+[\p{Ll}]{2,}(?:\/\S*)?)(?: (?:(?:of|the|and|de|del|la|le|der|die|das|für|du|des|y|et|und|for|on)(?= )|[\p{Lu}\d&][\p{L}\d&'.-]*))*$/u;

// A number that starts a "site" is a date or an issue ("12 May 2020", "2019"); a name may start with one ("9to5Mac").
const NOT_A_SITE_RE =
  /^(?:\d+(?:[\s./:-]|$)|(?:english|spanish|french|german|italian|portuguese|dutch|russian|chinese|japanese|arabic|print|hardcover|paperback|(?:the\s+)?(?:same|this|our|my|his|her)\b))/i;

/** Longest credit paragraph considered: credits are one sentence, two with a licence. */
export const MAX_CREDIT_LENGTH = 400;
/**
 * Longest raw text handed to the matcher. Normalizing only shrinks whitespace runs, so a longer text is a
 * credit only if it hides thousands of spaces or zero-width characters: not a credit, and not worth reading.
 * Every caller's cost is bounded by this, whatever a page or feed item holds.
 */
export const MAX_RAW_CREDIT_LENGTH = 16 * MAX_CREDIT_LENGTH;

/** Runs of whitespace (JavaScript's \s, newlines included) and the zero-width space pages use as a separator. */
const SPACE_RUN = /[\s\u200b]+/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201b\u2032]/g;
const DOUBLE_QUOTES = /[\u201c\u201d\u201e\u2033]/g;

/**
 * One kind of quote; each run of spaces (zero-width ones included) becomes one space; a line break swallows
 * the spaces and blank lines around it; trimmed. Regular expressions without backtracking: linear whatever the
 * text holds (a loop over characters cost ~3 % of extraction's CPU).
 */
export function normalizeCreditText(s: string): string {
  const collapsed = s.replace(SPACE_RUN, run => (run.includes('\n') ? '\n' : ' '));
  const a = collapsed.length > 0 && (collapsed[0] === ' ' || collapsed[0] === '\n') ? 1 : 0;
  const last = collapsed[collapsed.length - 1];
  const b = collapsed.length > a && (last === ' ' || last === '\n') ? collapsed.length - 1 : collapsed.length;
  return collapsed.slice(a, b).replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"');
}

function stripQuotes(s: string): string {
  return s.replace(/^["'«»„“”]+|["'«»„“”]+$/g, '').trim();
}

/** "Example Blog on March 3, 2020" / "Example Blog (https://…)": the site's name without what follows it. */
function cleanSite(site: string): { name: string | null; url: string | null } {
  let s = site.trim();
  let url: string | null = null;
  const urlMatch = /https?:\/\/[^\s)>\]]+/.exec(s);
  if (urlMatch) {
    url = urlMatch[0].replace(/[.,;]+$/, '');
    s = s.replace(urlMatch[0], ' ');
  }
  s = s
    .replace(/\s+(?:on|am|in)\s+(?:\w+\s+)?\d{1,4}(?:[\s,./-]+\w+){0,3}$/i, '')
    .replace(/\s*[([]\s*[)\]]\s*/g, ' ')
    .replace(/\s+(?:and is republished here.*|under a Creative Commons.*)$/i, '')
    .replace(/\s*[.,:;]+$/, '')
    .trim();
  s = stripQuotes(s);
  return { name: s && /\p{L}/u.test(s) ? s : null, url };
}

/**
 * Matches one paragraph's text against the credit templates. The whole text must be the credit.
 */
export function matchCreditText(text: string): CreditMatch | null {
  if (text.length > MAX_RAW_CREDIT_LENGTH) return null;
  const t = normalizeCreditText(text);
  if (!t || t.length > MAX_CREDIT_LENGTH) return null;
  for (const p of PATTERNS) {
    const m = p.re.exec(t);
    if (!m?.groups) continue;
    const site = cleanSite(m.groups.site ?? '');
    if (!site.name && !site.url) continue;
    // "first published on 12 May 2020" names a date, "originally published in Spanish" a language.
    if (site.name && !site.url && NOT_A_SITE_RE.test(site.name)) continue;
    // A site's name is a name, not a clause: "a small forum before the redesign, which …" is prose.
    // Separators are not words: "Autoracing | F1 | Indy | MotoGP" is a name with its sections, not a clause.
    const nameWords = site.name?.split(' ').filter(w => !/^[|•·–—-]$/.test(w)) ?? [];
    if (site.name && (nameWords.length > 8 || /,\s/.test(site.name))) continue;
    if (
      p.properName &&
      !site.url &&
      !(site.name && site.name.split(' ').length <= 5 && PROPER_NAME_RE.test(site.name))
    ) {
      continue;
    }
    const title = m.groups.title ? stripQuotes(m.groups.title) : null;
    return {
      method: p.method,
      title: title || null,
      siteName: site.name,
      originalUrl: p.method === 'text-credit' && site.url ? site.url : null,
      siteUrl: p.method === 'text-credit' ? null : site.url,
      text: t,
      lang: p.lang,
    };
  }
  return null;
}

export function linkRoleFor(match: CreditMatch): Pattern['links'] {
  for (const p of PATTERNS) if (p.method === match.method && p.re.test(match.text)) return p.links;
  return 'site';
}

const SENTENCE_START_RE = /(?:[.!?…"')\]]\s+|\n\s*)(?=\S)/g;

/**
 * A credit at the end of a longer text (a scraped copy where the footer ran into the last paragraph, or a
 * plain-text feed summary): the longest tail, starting at a sentence or line boundary, that is a credit.
 */
export function findTrailingCredit(text: string): { index: number; match: CreditMatch } | null {
  const limit = Math.max(0, text.length - MAX_CREDIT_LENGTH - 20);
  SENTENCE_START_RE.lastIndex = limit;
  const starts: number[] = limit === 0 ? [0] : [];
  for (let m = SENTENCE_START_RE.exec(text); m; m = SENTENCE_START_RE.exec(text)) {
    starts.push(m.index + m[0].length);
  }
  for (const start of starts) {
    if (start >= text.length) continue;
    const match = matchCreditText(text.slice(start));
    if (match) return { index: start, match };
  }
  return null;
}
