/**
 * Credit lines that syndication leaves at the end of a copy: the Yoast SEO feed footer ("The post <title>
 * appeared first on <site>.") and its translations, All in One SEO's variant, republication credits and
 * free-text "originally published on". They are evidence for attribution and noise for content keys, so
 * dedupe both reads and strips them. Only the end of a text is searched: a credit is the last thing a
 * plugin appends, and the same words inside prose ("first appeared on the market") are not credits.
 */

export type CreditMethod = 'yoast-footer' | 'aioseo-footer' | 'republication-credit' | 'text-credit';

export interface CreditLine {
  method: CreditMethod;
  /** The original's title, when the credit names one (Yoast, AIOSEO). */
  title: string | null;
  siteName: string | null;
  /** The original's address, when the credit's links survived (feed item HTML). */
  originalUrl: string | null;
  siteUrl: string | null;
  evidence: string;
}

interface Pattern {
  method: CreditMethod;
  /** Where a credit may start; the last start in the tail wins. */
  lead: RegExp;
  /** Matched against the text from a lead to the end; groups: title (optional), site. */
  body: RegExp;
  title: number | null;
  site: number;
}

const END = String.raw`[.!]?\s*$`;
/** A site name: may contain dots ("Example.com") but no sentence end. */
const SITE = String.raw`((?:[^.!?]|[.!?](?!\s)){1,100}?)`;

const PATTERNS: Pattern[] = [
  {
    method: 'yoast-footer',
    lead: /(?:The post|Der Beitrag|L['’]article|La entrada|L['’]articolo|O post)\s/g,
    body: new RegExp(
      String.raw`^(?:The post|Der Beitrag|L['’]article|La entrada|L['’]articolo|O post)\s+(.{1,300}?)\s+` +
        String.raw`(?:appeared first on|erschien zuerst auf|est apparu en premier sur|se publicó primero en|proviene da|apareceu primeiro em)\s+` +
        SITE +
        END,
      'su',
    ),
    title: 1,
    site: 2,
  },
  {
    method: 'aioseo-footer',
    lead: /The post\s/g,
    body: new RegExp(String.raw`^The post\s+(.{1,300}?)\s+first appeared on\s+` + SITE + END, 'su'),
    title: 1,
    site: 2,
  },
  {
    method: 'republication-credit',
    lead: /This (?:article|story|post)\s/g,
    body: new RegExp(
      String.raw`^This (?:article|story|post)\s+first appeared on\s+` +
        SITE +
        String.raw`(?:\s+and is republished here\b.{0,200}?)?` +
        END,
      'su',
    ),
    title: null,
    site: 1,
  },
  {
    method: 'republication-credit',
    lead: /This (?:article|story) is republished from\s/g,
    body: new RegExp(
      String.raw`^This (?:article|story) is republished from\s+(.{1,100}?)\s+under a Creative Commons licen[cs]e\.?(?:\s*Read the original (?:article|story)\.?)?\s*$`,
      'su',
    ),
    title: null,
    site: 1,
  },
  {
    method: 'text-credit',
    lead: /(?:This (?:article|story|post) (?:was|is) originally published|Originally published)\s/g,
    body: new RegExp(
      String.raw`^(?:This (?:article|story|post) (?:was|is) originally published|Originally published)\s+(?:on|at|in|by)\s+` +
        SITE +
        END,
      'su',
    ),
    title: null,
    site: 1,
  },
];

/** Characters searched at the end of a text for one credit. */
const TAIL = 600;

interface Found {
  credit: CreditLine;
  start: number;
}

/** The credit line ending `text`, if any, and where it starts; `anchors` are the links inside `text`. */
function findAtEnd(text: string, anchors: readonly Anchor[] = []): Found | null {
  const trimmed = text.replace(/\s+$/, '');
  const from = Math.max(0, trimmed.length - TAIL);
  const tail = trimmed.slice(from);
  let best: Found | null = null;
  for (const p of PATTERNS) {
    const starts: number[] = [];
    p.lead.lastIndex = 0;
    for (let m = p.lead.exec(tail); m; m = p.lead.exec(tail)) starts.push(m.index);
    for (let i = starts.length - 1; i >= 0; i--) {
      const at = starts[i] ?? 0;
      // A credit starts a sentence: at the start of the text or after whitespace.
      if (at > 0 && !/\s/.test(tail[at - 1] ?? '')) continue;
      const m = p.body.exec(tail.slice(at));
      if (!m) continue;
      const start = from + at;
      const inside = anchors.filter(a => a.start >= start && a.end <= start + m[0].length);
      if (!best || start > best.start) best = { credit: toCredit(p, m, inside), start };
      break;
    }
  }
  return best;
}

function toCredit(p: Pattern, m: RegExpExecArray, anchors: readonly Anchor[]): CreditLine {
  const rawTitle = p.title ? (m[p.title] ?? null) : null;
  const rawSite = m[p.site] ?? null;
  const inEvidence = anchors;
  const title = rawTitle ? rawTitle.trim() : null;
  const siteName = rawSite ? rawSite.trim() : null;
  // The site link points at the home page; the other link is the original article.
  const home = inEvidence.find(a => isHome(a.href));
  const post =
    inEvidence.find(a => !isHome(a.href) && title !== null && a.text.trim() === title) ??
    inEvidence.find(a => !isHome(a.href));
  return {
    method: p.method,
    title: title || null,
    siteName: siteName || null,
    originalUrl: post?.href ?? null,
    siteUrl: home?.href ?? null,
    evidence: m[0].trim(),
  };
}

function isHome(href: string): boolean {
  try {
    const u = new URL(href);
    return (u.pathname === '/' || u.pathname === '') && !u.search;
  } catch {
    return false;
  }
}

/** A trailing "[…]" (WordPress's excerpt_more) or ellipsis: the text is an excerpt of a longer one. */
const EXCERPT_MARK = /\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)\s*$/u;

export interface StrippedText {
  text: string;
  /** Credits found, last one first. */
  credits: CreditLine[];
  /** The text ended with an excerpt marker once its credits were removed. */
  excerpt: boolean;
}

/** Removes up to three trailing credit lines, then a trailing excerpt marker. */
export function stripCredits(text: string): StrippedText {
  let rest = text;
  const credits: CreditLine[] = [];
  for (let i = 0; i < 3; i++) {
    const found = findAtEnd(rest);
    if (!found) break;
    credits.push(found.credit);
    rest = rest.slice(0, found.start);
  }
  const excerpt = EXCERPT_MARK.test(rest);
  if (excerpt) rest = rest.replace(EXCERPT_MARK, '');
  return { text: rest.trim(), credits, excerpt };
}

/** The credit ending a plain text (page text after extraction: links are gone). */
export function creditInText(text: string): CreditLine | null {
  return findAtEnd(text)?.credit ?? null;
}

interface Anchor {
  /** Span of the link text in the flattened text. */
  start: number;
  end: number;
  href: string;
  text: string;
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  ndash: '–',
  mdash: '—',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

/**
 * The credit ending an HTML fragment (a feed item's content or summary), with the links it carries. The
 * fragment is flattened to text while the position of every link's text is kept, so the footer's two
 * hrefs can be told apart.
 */
export function creditInHtml(html: string, baseUrl: string): CreditLine | null {
  const anchors: Anchor[] = [];
  let text = '';
  const append = (raw: string): void => {
    let piece = raw.replace(/\s+/g, ' ');
    if ((text === '' || text.endsWith(' ')) && piece.startsWith(' ')) piece = piece.slice(1);
    text += piece;
  };
  const flat = (fragment: string): string =>
    decodeEntities(fragment.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' '));
  const link = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
  let last = 0;
  for (let m = link.exec(html); m; m = link.exec(html)) {
    append(flat(html.slice(last, m.index)));
    const href = resolveHttp(decodeEntities(m[1] ?? m[2] ?? m[3] ?? ''), baseUrl);
    const start = text.length;
    append(flat(m[4] ?? ''));
    if (href) anchors.push({ start, end: text.length, href, text: text.slice(start).trim() });
    last = m.index + m[0].length;
  }
  append(flat(html.slice(last)));
  return findAtEnd(text, anchors)?.credit ?? null;
}

function resolveHttp(href: string, base: string): string | null {
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}
