/**
 * What Readability leaves in that is not the story: share bars, "related" and "most read" lists, newsletter
 * and subscription boxes, bylines and date lines, photo credits, disclaimers, comment prompts. Readability
 * chooses the right container on most pages but keeps everything inside it; this pass removes the parts
 * that page templates mark (class/id names, which Readability was told to keep) or that read like
 * boilerplate (short blocks that are mostly links, or that say what boilerplate says).
 *
 * Every rule is written for the general case and guarded: nothing that holds a large share of the text is
 * removed, and a phrase rule only fires on short blocks.
 */

export interface BoilerplateOptions {
  /** The article's title: a heading repeating it is not content. */
  title?: string | null;
  /** Called with each removal (rule, text): for debugging a site and for tests. */
  trace?: ((rule: string, text: string) => void) | undefined;
  /** Blocks whose text this accepts are never removed (credit lines: the credits pass needs them). */
  protect?: ((text: string) => boolean) | undefined;
}

export interface BoilerplateReport {
  /** How many elements were removed, by rule. */
  removed: Record<string, number>;
}

const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'ul',
  'ol',
  'li',
  'dl',
  'table',
  'blockquote',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'figure',
  'aside',
  'nav',
  'header',
  'footer',
  'form',
  'center',
  'article',
]);

/**
 * Class/id words that name boilerplate in page templates. Matched against the parts of each class token
 * ("share-buttons" → share, buttons) and against whole tokens for run-together names ("sharedaddy").
 */
const CLASS_WORDS = new Set([
  'share',
  'sharing',
  'shares',
  'social',
  'socials',
  'sharebar',
  'sharedaddy',
  'addtoany',
  'a2a',
  'sociallinks',
  'related',
  'relatedposts',
  'yarpp',
  'recommended',
  'recommendations',
  'recirc',
  'recirculation',
  'outbrain',
  'taboola',
  'trending',
  'mostread',
  'mostpopular',
  'newsletter',
  'newsletters',
  'subscribe',
  'subscription',
  'signup',
  'optin',
  'promo',
  'promotion',
  'advert',
  'advertisement',
  'adsbygoogle',
  'ads',
  'ad',
  'dfp',
  'sponsor',
  'sponsored',
  'byline',
  'bylines',
  'dateline',
  'timestamp',
  'breadcrumb',
  'breadcrumbs',
  'tags',
  'taglist',
  'comments',
  'comment',
  'disqus',
  'toolbar',
  'print',
  'credit',
  'credits',
  'copyright',
  'disclaimer',
  'cookie',
  'cookies',
  'consent',
  'gdpr',
  'paywall',
  'author',
  'authors',
  'bio',
  'pagination',
  'pager',
  'nav',
  'navigation',
  'menu',
  'widget',
  'sidebar',
]);

/** Two-word names that are boilerplate only together ("read-more", "post-meta"). */
const CLASS_PAIRS = [
  ['read', 'more'],
  ['also', 'read'],
  ['more', 'stories'],
  ['most', 'read'],
  ['most', 'popular'],
  ['post', 'meta'],
  ['entry', 'meta'],
  ['article', 'meta'],
  ['post', 'date'],
  ['entry', 'date'],
  ['publish', 'date'],
  ['published', 'date'],
  ['updated', 'date'],
  ['sign', 'up'],
  ['inline', 'cta'],
  ['call', 'to'],
  ['cat', 'links'],
  ['tag', 'links'],
  ['post', 'tags'],
  ['entry', 'tags'],
  ['about', 'author'],
  ['author', 'box'],
  ['author', 'info'],
  ['image', 'credit'],
  ['photo', 'credit'],
];

/** Class words that only mark boilerplate on small elements: the article wrapper may carry them too. */
const WEAK_WORDS = new Set([
  'author',
  'authors',
  'bio',
  'widget',
  'print',
  'comment',
  'nav',
  'menu',
  'ad',
  'tags',
]);

function classWords(el: Element): { strong: boolean; weak: boolean } {
  const attr = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase();
  if (attr.length < 2) return { strong: false, weak: false };
  let strong = false;
  let weak = false;
  for (const token of attr.split(/\s+/)) {
    if (!token) continue;
    const parts = token.split(/[-_:]+/).filter(Boolean);
    for (const word of [token, ...parts]) {
      if (CLASS_WORDS.has(word)) {
        if (WEAK_WORDS.has(word)) weak = true;
        else strong = true;
      }
    }
    for (const [a, b] of CLASS_PAIRS) {
      const i = parts.indexOf(a as string);
      if (i >= 0 && parts[i + 1] === b) strong = true;
    }
  }
  return { strong, weak };
}

// Phrases. Each list is anchored: it has to be (nearly) the whole of a short block.
const LABEL_ONLY =
  /^(?:advertisement|advertising|anzeige|publicidad|publicité|pubblicità|sponsored( content)?|continue reading( below)?|skip to (?:main )?content|share( this( article| story| post| page)?)?( on \w+)?|share:|follow us|sign in|log in|subscribe( now)?|read more|read next|more:?|see more|see also|related:?|related (?:articles|stories|posts|news|content|coverage|topics|links)|you (?:may|might) also (?:like|be interested in)|recommended( for you| stories)?|trending( now)?|most (?:popular|read|viewed)|popular stories|don'?t miss|newsletters?|comments?|leave a (?:comment|reply)|tags?:?|topics?:?|filed under:?|print|email|image|photo|getty images|source:? .{0,40}|image (?:copyright|caption|source)|photo(?: credit)?:? .{0,60}|credit:? .{0,60}|\(image: .{0,80}\)|back to top|top)$/i;

/** Short lines that start like a teaser for another story. */
const TEASER_PREFIX =
  /^(?:related|read more|read also|also read|see also|see more|more|more on this|watch|listen|don'?t miss|recommended|trending|lesen sie auch|mehr zum thema|auch interessant|lire aussi|à lire aussi|voir aussi|lea también|lee también|leia também|leggi anche)\s*[:|»›>-]/i;

const CALL_TO_ACTION =
  /\b(?:subscribe to (?:our|the)|sign up (?:for|to)|newsletters?\b.{0,40}\b(?:inbox|sign|subscribe)|get (?:the latest|our) .{0,60}(?:inbox|newsletter)|download (?:the|our) .{0,20}app|follow (?:us|him|her|them|me) on|like us on facebook|join (?:our|the) .{0,40}(?:forum|community|newsletter)|have a (?:news )?tip\b|this website uses cookies|we use cookies|all rights reserved|this (?:post|article|page) (?:may )?contains? affiliate|may earn (?:a )?commission|click here to (?:subscribe|sign up|get|download|read)|is subject to copyright|reproduced without (?:the )?(?:written )?permission|for (?:reprint|licensing) (?:rights|information))\b/i;

const BYLINE_DATE_START =
  /^(?:by|von|por|par|di|door|av|written by|posted|published|updated|last updated|posted on|published on|updated on|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)\b/i;

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre';
const DATE_LIKE = new RegExp(
  `\\b(?:\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|(?:${MONTHS})\\.?\\s+\\d{1,2}|\\d{1,2}\\.?\\s+(?:${MONTHS})|\\d{1,2}:\\d{2}\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)?|\\d+\\s+(?:minutes?|hours?|days?)\\s+ago)\\b`,
  'i',
);

/** Text and link-text lengths of an element, whitespace collapsed. */
function measure(el: Element): { text: number; link: number; words: number; content: string } {
  const content = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  let link = 0;
  for (const a of Array.from(el.getElementsByTagName('a'))) {
    link += (a.textContent ?? '').replace(/\s+/g, ' ').trim().length;
  }
  const words = content ? content.split(' ').length : 0;
  return { text: content.length, link: Math.min(link, content.length), words, content };
}

function hasSubstantialParagraph(el: Element): boolean {
  for (const p of Array.from(el.getElementsByTagName('p'))) {
    const m = measure(p);
    if (m.words >= 25 && m.link / Math.max(1, m.text) < 0.3) return true;
  }
  return false;
}

/**
 * Removes boilerplate from the article content `root` in place.
 */
export function removeBoilerplate(root: Element, opts: BoilerplateOptions = {}): BoilerplateReport {
  const removed: Record<string, number> = {};
  const drop = (el: Element, rule: string): void => {
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (opts.protect && text && protectedInside(el, opts.protect)) return;
    opts.trace?.(rule, text.slice(0, 200));
    el.parentNode?.removeChild(el);
    removed[rule] = (removed[rule] ?? 0) + 1;
  };
  const total = measure(root).text || 1;

  // 1. Template-marked parts: class/id names. Top-down, so a removed container takes its children along.
  for (const el of Array.from(root.getElementsByTagName('*'))) {
    if (!el.parentNode || !root.contains(el)) continue;
    const { strong, weak } = classWords(el);
    if (!strong && !weak) continue;
    const m = measure(el);
    const share = m.text / total;
    if (m.text === 0) {
      if (BLOCKS.has(el.localName) && !el.getElementsByTagName('img').length) drop(el, 'class-empty');
      continue;
    }
    // The article's own wrapper can carry any of these words: never remove a large share of the text.
    if (share > (strong ? 0.35 : 0.15) || hasSubstantialParagraph(el)) continue;
    if (!strong && m.words > 40) continue;
    drop(el, strong ? 'class' : 'class-weak');
  }

  // 2. Navigation leftovers.
  for (const el of Array.from(root.querySelectorAll('nav, menu'))) {
    if (root.contains(el)) drop(el, 'nav');
  }

  // 3. Link lists and link-only blocks: menus, "related" lists, tag clouds.
  for (const el of Array.from(root.querySelectorAll('ul, ol, div, section, p, dl'))) {
    if (!el.parentNode || !root.contains(el)) continue;
    const m = measure(el);
    if (m.text === 0) continue;
    const density = m.link / m.text;
    const tag = el.localName;
    if (tag === 'p') {
      if (density > 0.8 && m.words <= 20) drop(el, 'link-paragraph');
      continue;
    }
    if (m.text / total > 0.35) continue;
    if (density >= 0.6 && !hasSubstantialParagraph(el)) drop(el, `link-${tag === 'ol' ? 'ul' : tag}`);
  }

  // 4. A heading that announces boilerplate ("Related stories", "About the author") near the end of the
  //    article: it and everything after it in its container go.
  const headings = Array.from(root.querySelectorAll('h2, h3, h4, h5, h6'));
  for (const h of headings) {
    if (!h.parentNode || !root.contains(h)) continue;
    const t = (h.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (!TAIL_HEADING.test(t)) continue;
    const after = textAfter(h, root);
    if (after / total > 0.3) {
      drop(h, 'tail-heading');
      continue;
    }
    if (
      opts.protect &&
      siblingsFrom(h).some(
        n => n.nodeType === 1 && protectedInside(n as Element, opts.protect as (t: string) => boolean),
      )
    ) {
      drop(h, 'tail-heading');
      continue;
    }
    opts.trace?.('tail-section', t);
    removeFrom(h, root);
    removed['tail-section'] = (removed['tail-section'] ?? 0) + 1;
  }

  // 5. Short blocks that read like boilerplate (after 4, which needs the headings).
  for (const el of Array.from(root.querySelectorAll('p, div, li, h1, h2, h3, h4, h5, h6, dd, dt'))) {
    if (!el.parentNode || !root.contains(el)) continue;
    if (el.closest('pre, code, table, blockquote, ol')) continue;
    if (el.localName === 'div') {
      // Only leaf-ish containers: a div holding paragraphs is judged by its paragraphs.
      if (Array.from(el.children).some(c => BLOCKS.has(c.localName))) continue;
    }
    const m = measure(el);
    if (m.text === 0 || m.words > 40) continue;
    const density = m.link / m.text;
    const t = m.content;
    if (m.words <= 12 && LABEL_ONLY.test(t)) {
      drop(el, 'label');
    } else if (m.words <= 25 && TEASER_PREFIX.test(t) && density > 0.3) {
      drop(el, 'teaser');
    } else if (CALL_TO_ACTION.test(t)) {
      drop(el, 'call-to-action');
    } else if (m.words <= 15 && isBylineOrDate(t)) {
      drop(el, 'byline-date');
    } else if (m.words <= 8 && /^(?:©|\(c\)|copyright\b)/i.test(t)) {
      drop(el, 'copyright');
    }
  }

  // 6. Empty shells left behind.
  for (const el of Array.from(root.querySelectorAll('div, section, p, ul, ol, li, span, figure')).reverse()) {
    if (!el.parentNode || !root.contains(el)) continue;
    if (
      !(el.textContent ?? '').trim() &&
      !el.querySelector('img, picture, video, audio, iframe, table, hr, br')
    ) {
      el.parentNode.removeChild(el);
    }
  }
  if (opts.title) removeTitleRepeat(root, opts.title);
  return { removed };
}

const TAIL_HEADING =
  /^(?:related(?: articles| stories| posts| news| content| coverage| reading)?|you (?:may|might) also (?:like|enjoy|be interested in)|more (?:from|stories|news|on this|in|like this)\b.{0,40}|recommended(?: for you| stories| reading)?|read (?:more|next)|most (?:popular|read|viewed)|popular (?:posts|stories)|trending(?: now| stories)?|about the authors?|(?:leave a |post a )?(?:comments?|reply|responses?)|share(?: this)?(?: article| story| post)?:?|tags?:?|topics?:?|sign up .{0,60}|subscribe .{0,60}|newsletter|weitere artikel|mehr zum thema|das könnte sie auch interessieren|à lire aussi|sur le même sujet|noticias relacionadas|te puede interesar|articoli correlati|leggi anche)$/i;

function isBylineOrDate(t: string): boolean {
  if (BYLINE_DATE_START.test(t) && (DATE_LIKE.test(t) || t.split(' ').length <= 6)) return true;
  if (!DATE_LIKE.test(t)) return false;
  // Mostly a date: once dates, times, weekdays and labels are taken out, few words remain.
  const rest = t
    .replace(new RegExp(`\\b(?:${MONTHS})\\.?`, 'gi'), ' ')
    .replace(
      /\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|\b(?:am|pm|a\.m\.|p\.m\.|est|edt|cst|cdt|pst|pdt|gmt|utc|bst|cet|cest|ist)\b/gi,
      ' ',
    )
    .replace(/\b(?:updated|posted|published|last|on|at|by|and|ago|minutes?|hours?|days?)\b/gi, ' ')
    .replace(/[\d\s:;,./|()–—-]+/g, ' ')
    .trim();
  return rest.split(/\s+/).filter(w => w.length > 1).length <= 2;
}

/** Whether `el` is, or holds a block that is, protected. */
function protectedInside(el: Element, protect: (text: string) => boolean): boolean {
  const blocks = [el, ...Array.from(el.querySelectorAll('p, div, li, blockquote, section, footer, aside'))];
  return blocks.some(b => {
    const t = (b.textContent ?? '').replace(/\s+/g, ' ').trim();
    return t.length > 0 && t.length <= 600 && protect(t);
  });
}

/** Characters of text in `root` after `node` in document order. */
function textAfter(node: Element, root: Element): number {
  let n = 0;
  for (let cur: Element | null = node; cur && cur !== root; cur = cur.parentElement) {
    for (let s = cur.nextSibling; s; s = s.nextSibling) n += (s.textContent ?? '').trim().length;
  }
  return n;
}

function siblingsFrom(node: Element): ChildNode[] {
  const out: ChildNode[] = [];
  for (let cur: ChildNode | null = node; cur; cur = cur.nextSibling) out.push(cur);
  return out;
}

/** Removes `node` and everything after it inside its parent. */
function removeFrom(node: Element, _root: Element): void {
  const parent = node.parentNode;
  if (!parent) return;
  for (let cur: ChildNode | null = node; cur;) {
    const next: ChildNode | null = cur.nextSibling;
    parent.removeChild(cur);
    cur = next;
  }
}

function removeTitleRepeat(root: Element, title: string): void {
  const norm = (s: string): string => s.replace(/\s+/g, ' ').trim().toLowerCase();
  const want = norm(title);
  if (!want) return;
  const first = root.querySelector('h1, h2');
  if (first && norm(first.textContent ?? '') === want) first.parentNode?.removeChild(first);
}
