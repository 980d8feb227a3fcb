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

import { siteOf } from '../../shared/site.js';

export interface BoilerplateOptions {
  /** The article's title: a heading repeating it is not content. */
  title?: string | null;
  /** Called with each removal (rule, text): for debugging a site and for tests. */
  trace?: ((rule: string, text: string) => void) | undefined;
  /** The page's address: "more stories" lists link to the same site. */
  pageUrl?: string | undefined;
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
  'main',
]);
/** A div holding any of these (at any depth) is a container, judged by its blocks, not a paragraph. */
const BLOCK_SELECTOR = Array.from(BLOCKS).join(', ');

/**
 * Recirculation modules ("related posts", "most read", "recommended"): other stories' teasers, each maybe
 * with an excerpt long enough to read like a paragraph. Also matched as the start of a run-together token
 * ("relatedlinks", "recommendedarticles").
 */
const RECIRC_LIST = [
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
];
const RECIRC_WORDS = new Set(RECIRC_LIST);

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
  ...RECIRC_LIST,
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
  'tooltip',
  'popover',
  'hovercard',
  'rollover',
  'nav',
  'navigation',
  'menu',
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
const RECIRC_PAIRS = new Set(['more stories', 'most read', 'most popular', 'also read', 'read more']);

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

const RECIRC_PREFIX = /^(?:related|recommended|mostread|mostpopular|morestories)[a-z]{3,}$/;

export function classWords(el: Element): {
  strong: boolean;
  weak: boolean;
  recirc: boolean;
  author: boolean;
} {
  const attr = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase();
  if (attr.length < 2) return { strong: false, weak: false, recirc: false, author: false };
  let strong = false;
  let weak = false;
  let recirc = false;
  let author = false;
  for (const token of attr.split(/\s+/)) {
    if (!token) continue;
    // "vc_cta3": numbered variants of a name are the name.
    const parts = token
      .split(/[-_:]+/)
      .filter(Boolean)
      .map(p => p.replace(/(?<=[a-z])\d+$/, ''));
    for (const word of [token, ...parts]) {
      if (CLASS_WORDS.has(word)) {
        if (WEAK_WORDS.has(word)) weak = true;
        else strong = true;
      }
      if (RECIRC_WORDS.has(word) || RECIRC_PREFIX.test(word)) recirc = strong = true;
      if (word === 'author' || word === 'authors' || word === 'bio') author = true;
    }
    for (const [a, b] of CLASS_PAIRS) {
      const i = parts.indexOf(a as string);
      if (i >= 0 && parts[i + 1] === b) {
        strong = true;
        if (RECIRC_PAIRS.has(`${a} ${b}`)) recirc = true;
      }
    }
  }
  return { strong, weak, recirc, author };
}

// Phrases. Each list is anchored: it has to be (nearly) the whole of a short block. The common European
// languages are covered alongside English: the same templates ship in every language.
const LABELS = [
  'advertisement|advertising|advert|anzeige|werbung|publicidad|publicité|pubblicità|publicidade|reklama',
  'sponsored(?: content)?|gesponsert|patrocinado',
  'continue reading(?: below)?|weiterlesen|seguir leyendo|lire la suite|continua a leggere|continue lendo',
  'skip to (?:main )?content|zum inhalt springen|back to top|top|zurück|back|volver|retour|indietro|voltar',
  'share(?: this(?: article| story| post| page)?)?(?: on \\w+)?|share:|teilen|artikel teilen|compartir|partager|condividi|compartilhar|udostępnij',
  'follow us|folgen sie uns|síguenos|suivez-nous|seguici|siga-nos',
  'sign in|log ?in|anmelden|einloggen|iniciar sesión|connexion|accedi|entrar',
  'subscribe(?: now)?|abonnieren|jetzt abonnieren|suscríbete|abonnez-vous|abbonati|assine|subskrybuj',
  'read more|read next|mehr lesen|leer más|lire plus|leggi di più|leia mais|czytaj więcej',
  'more:?|see more|see also|siehe auch|ver también|voir aussi|vedi anche|veja também|zobacz też',
  'related:?|related (?:articles|stories|posts|news|content|coverage|topics|links)|verwandte artikel|ähnliche artikel|artículos relacionados|articles similaires|articoli correlati|artigos relacionados',
  'you (?:may|might) also (?:like|be interested in)|das könnte sie auch interessieren|le puede interesar|te puede interesar|vous aimerez aussi|ti potrebbe interessare|você também pode gostar',
  'recommended(?: for you| stories)?|empfohlen|recomendado|recommandé|consigliati',
  'trending(?: now)?|most (?:popular|read|viewed)|popular stories|meistgelesen|am meisten gelesen|lo más leído|les plus lus|i più letti|mais lidas',
  "don'?t miss|nicht verpassen|no te pierdas|à ne pas manquer|da non perdere|não perca",
  'newsletters?|comments?|kommentare?|comentarios?|commentaires?|commenti|leave a (?:comment|reply)|schreibe einen kommentar|deja un comentario|laisser un commentaire',
  'tags?:?|topics?:?|schlagwörter:?|themen:?|etiquetas:?|mots-clés:?|filed under:?|permalink|permalien|print|drucken|imprimir|imprimer|stampa|email|e-mail',
  'sources?:|quellen:?|quellenangaben:?|fuentes:?|références:?|referências:?',
  'release date:?|veröffentlichung|erscheinungsdatum',
  'this (?:slideshow|video|content|page) requires javascript|(?:please )?enable javascript.{0,40}|javascript is (?:required|disabled).{0,40}',
  'click to enlarge|enlarge image|zum vergrößern.{0,40}|cliquez pour agrandir|haga clic para ampliar|clicca per ingrandire',
  'mehr themen|weitere themen|más temas|plus de sujets|altri argomenti',
  'tell us what you think|what do you think\\?|sagen sie uns ihre meinung|danos tu opinión|donnez votre avis',
  "breaking(?: news)?|eilmeldung|última hora|dernière minute|ultim'ora",
];
const LABEL_ONLY = new RegExp(`^(?:${LABELS.join('|')})[\\s.…:!|»›-]*$`, 'i');

/**
 * Picture labels and credits ("Photo: …", "(Image: Getty)", "© Bild: …"). Inside a figure they are part of
 * the caption, which stays (as in Readability's output); standing alone in the text they are debris.
 */
const CREDIT_LABELS = [
  'image|photo|foto|bild|getty images|image (?:copyright|caption|source)',
  '(?:source|quelle|fuente|fonte|crédito|crédit|credit|photo(?: credit)?|foto|fotos|bild|bilder|abbildung|image|images)\\s*: .{0,60}',
  '(?:photo|foto|image|picture|bild)s? (?:by|von|de|di|par) .{0,50}',
  '\\((?:image|photo|foto|bild|quelle|source|credit|fuente):? .{0,80}\\)',
  '©\\s*(?:bild|bilder|foto|fotos|photo|photos|image|images|picture|pictures|grafik)\\b.{0,60}',
];
const CREDIT_ONLY = new RegExp(`^(?:${CREDIT_LABELS.join('|')})[\\s.…:!|»›-]*$`, 'i');

/** Short lines that start like a teaser for another story. */
const TEASER_PREFIX = new RegExp(
  `^(?:${[
    "related|read more|read also|also read|see also|see more|more|more on this|watch|listen|don'?t miss|recommended|trending",
    'lesen sie auch|lesen sie mehr|mehr zum thema|mehr dazu|auch interessant|weitere informationen|weiterlesen|siehe auch',
    'lire aussi|à lire aussi|a lire aussi|voir aussi|lire également|à voir',
    'lea también|lee también|lea más|lee más|lea|le puede interesar|te puede interesar|ver también|ver más|relacionad[oa]s?',
    'leia também|leia mais|veja também|saiba mais',
    'leggi anche|leggi anche:|vedi anche|potrebbe interessarti',
    'czytaj także|czytaj też|zobacz też|zobacz także|lees ook|bekijk ook',
  ].join('|')})(?:\\s+[^\\s:|»›>]+){0,4}\\s*[:|»›>]`,
  'i',
);

const CALL_TO_ACTION = new RegExp(
  `\\b(?:${[
    'subscribe (?:now )?to (?:our|the)|sign up (?:for|to)|sign up now|newsletters?\\b.{0,40}\\b(?:inbox|sign|subscribe)',
    'get (?:the latest|our) .{0,60}(?:inbox|newsletter)|download (?:the|our) .{0,30}apps?\\b',
    'follow (?:us|him|her|them|me)\\b.{0,30}\\bon|follow .{1,40} on (?:twitter|facebook|instagram|linkedin|youtube|tiktok)',
    'like us on facebook|join (?:our|the) .{0,40}(?:forum|community|newsletter|channel)|have a (?:news )?tip\\b',
    'this website uses cookies|we use cookies|all rights reserved|alle rechte vorbehalten|todos los derechos reservados|tous droits réservés|tutti i diritti riservati',
    'this (?:post|article|page) (?:may )?contains? affiliate|may (?:earn|receive) (?:a )?(?:commission|compensation)|advertising disclosure',
    'click here to (?:subscribe|sign up|get|download|read)|is subject to copyright|reproduced without (?:the )?(?:written )?permission',
    'for (?:reprint|licensing) (?:rights|information)|(?:must|need to) be logged in|logged in to (?:post|comment)',
    'newsletter abonnieren|jetzt (?:abonnieren|registrieren|anmelden)|artikel .{0,20}(?:teilen|empfehlen)|war (?:der|dieser) artikel (?:hilfreich|nützlich)|eingeloggt sein|nicht eingeloggt|not logged in|ohne gewähr',
    'gibt (?:nur )?die meinung de[sr] autor(?:s|in) wieder|(?:opinions?|views) expressed .{0,60}(?:are|is) (?:those|solely|the author)',
    'suscríbete|únete (?:a|al) nuestro|hazte (?:miembro|socio)|síguenos en|descarga (?:la|nuestra) app',
    '(?:channel|canal|kanal|chaîne|grupo|group|gruppe)\\b.{0,20}\\b(?:telegram|whatsapp)|(?:telegram|whatsapp)[- ]?(?:channel|kanal|canal|grupo|group|gruppe)',
    "abonnez-vous|inscrivez-vous à (?:notre|la) newsletter|suivez-nous sur|téléchargez (?:notre|l'application)",
    'iscriviti alla newsletter|seguici su|assine (?:a|nossa) newsletter|siga-nos',
    'retrieved .{0,40} from https?://|\\d+ issues for [£$€]|delivered (?:to|through) your (?:door|letterbox|inbox)',
    'for as little as [£$€₹]|use (?:the )?(?:promo |coupon |discount )?code "?[A-Z0-9]{4,}',
  ].join('|')})`,
  'i',
);

/** Agencies and picture libraries: a short line ending in one is a picture credit. */
const PICTURE_CREDIT =
  /(?:getty images|getty|shutterstock|istock(?:photo)?(?:\.com)?|reuters|afp|dpa|epa|ap photo|associated press|wenn\.com|imago(?: images)?|picture[- ]alliance|unsplash|pixabay|adobe stock|alamy|keystone|ansa|efe)\s*\)?\s*$/i;

const BYLINE_DATE_START =
  /^(?:by|von|por|par|di|door|av|written by|posted|published|updated|last updated|posted on|published on|updated on|veröffentlicht|veröffentlichung|aktualisiert|stand(?:\s*:|\s+vom)|gepubliceerd|bijgewerkt|atualizado|opublikowano|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|publication|release date|(?:auteur|autor|autore|author|autorin)\s*:)/i;

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|januari|februari|maart|mei|augustus|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|maret|agustus|desember';
const DATE_LIKE = new RegExp(
  `\\b(?:\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|(?:${MONTHS})\\.?\\s+\\d{1,2}|\\d{1,2}\\.?\\s+(?:de\\s+)?(?:${MONTHS})|\\d{1,2}:\\d{2}\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)?|\\d+\\s+(?:minutes?|hours?|days?)\\s+ago)\\b`,
  'i',
);

interface Measure {
  text: number;
  link: number;
  words: number;
  content: string;
}

/**
 * Measurements are reused until the next removal (every rule asks about the same elements many times);
 * `invalidate()` starts a new generation.
 */
let generation = 0;
const measured = new WeakMap<Element, { gen: number; m: Measure }>();
function invalidate(): void {
  generation++;
}

/** Text and link-text lengths of an element, whitespace collapsed. */
function measure(el: Element): Measure {
  const hit = measured.get(el);
  if (hit && hit.gen === generation) return hit.m;
  const content = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  let link = 0;
  for (const a of Array.from(el.getElementsByTagName('a'))) {
    link += (a.textContent ?? '').replace(/\s+/g, ' ').trim().length;
  }
  const words = content ? content.split(' ').length : 0;
  const m = { text: content.length, link: Math.min(link, content.length), words, content };
  measured.set(el, { gen: generation, m });
  return m;
}

function hasSubstantialParagraph(el: Element): boolean {
  for (const p of Array.from(el.getElementsByTagName('p'))) {
    const m = measure(p);
    if (m.words >= 25 && m.link / Math.max(1, m.text) < 0.3) return true;
  }
  return false;
}

/** Where an element sits relative to the article's body paragraphs. */
type Zone = 'head' | 'body' | 'tail';

/**
 * Splits the content into head (before the first body paragraph), body, and tail (after the last one). Body
 * paragraphs are prose: 20+ words, few of them links. Boilerplate lives mostly in the head (bylines, dates,
 * share bars) and the tail (related stories, newsletter boxes, author bios); weak evidence is only acted on
 * there, so a link-only line or a short list in the middle of a story stays unless it says what it is.
 */
function zonesOf(root: Element): (el: Element) => Zone {
  // Pre-order index and last descendant index of every element, without recursion (deep pages exist).
  const order = new Map<Element, [number, number]>();
  let i = 0;
  const stack: [Element, boolean][] = [[root, false]];
  const starts = new Map<Element, number>();
  while (stack.length) {
    const [el, done] = stack.pop() as [Element, boolean];
    if (done) {
      order.set(el, [starts.get(el) ?? 0, i - 1]);
      continue;
    }
    starts.set(el, i++);
    stack.push([el, true]);
    const kids = Array.from(el.children);
    for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k] as Element, false]);
  }
  let first: [number, number] | null = null;
  let last: [number, number] | null = null;
  const total = measure(root).text || 1;
  for (const p of Array.from(root.querySelectorAll('p, li, dd, blockquote, div'))) {
    if (p.localName === 'div' && p.querySelector(BLOCK_SELECTOR)) continue;
    const m = measure(p);
    if (m.words < 20 || m.link / Math.max(1, m.text) >= 0.3 || CALL_TO_ACTION.test(m.content)) continue;
    if (inMarkedBox(p, root, total)) continue;
    const range = order.get(p);
    if (!range) continue;
    if (!first) first = range;
    last = range;
  }
  return el => {
    const range = order.get(el);
    if (!range || !first || !last) return 'body';
    if (range[1] < first[0]) return 'head';
    if (range[0] > last[1]) return 'tail';
    return 'body';
  };
}

/**
 * Whether `p` sits in a smaller box whose class names boilerplate ("author-box", "comments"): the prose of
 * an author bio or a comment does not make the story's body reach that far.
 */
function inMarkedBox(p: Element, root: Element, total: number): boolean {
  for (let cur = p.parentElement; cur && cur !== root; cur = cur.parentElement) {
    const { strong, weak } = classWords(cur);
    if ((strong || weak) && measure(cur).text / total < 0.35) return true;
  }
  return false;
}

/** "[Read: …]" or "… [VIDEO]": bracketed lines and lines tagged with a bracketed kind are teasers. */
const TEASER_SHAPE =
  /^\[.*\]$|\[(?:video|videos|insight|reaction|pictures?|photos?|gallery|galerie|live|poll|analysis|latest|watch|listen|podcast)\]\s*\|?$/i;

const TEASER_TAG =
  /\[(?:video|videos|insight|reaction|pictures?|photos?|gallery|galerie|live|poll|analysis|latest|watch|listen|podcast)\]/gi;

/** An unrendered WordPress shortcode ("[button link=…]Send us your review[/button]"): template debris. */
const SHORTCODE = /^\[([a-z_-]+)(?:\s[^\]]*)?\].{0,200}\[\/\1\]$/i;

/** Most items of the list read like headlines (four words or more). */
function hasHeadlineItems(list: Element): boolean {
  const items = Array.from(list.children).filter(c => c.localName === 'li');
  if (!items.length) return false;
  const long = items.filter(li => measure(li).words >= 4).length;
  return long * 2 >= items.length;
}

/**
 * A list whose every item is one link to another story of the same site, with headline-length text: "more
 * stories". Links elsewhere are the story's own references (a changelog's bug list, sources) and stay.
 */
function isHeadlineList(list: Element, pageUrl: string | undefined): boolean {
  const items = Array.from(list.children).filter(c => c.localName === 'li');
  if (!items.length) return false;
  const site = siteOf(pageUrl);
  return items.every(li => {
    const links = Array.from(li.getElementsByTagName('a'));
    if (links.length !== 1) return false;
    const href = (links[0] as Element).getAttribute('href') ?? '';
    if (!href || href.startsWith('#')) return false;
    if (site && siteOf(safeResolve(href, pageUrl)) !== site) return false;
    const m = measure(li);
    return m.words >= 4 && m.words <= 25 && m.link / Math.max(1, m.text) > 0.9;
  });
}

function safeResolve(href: string, base: string | undefined): string | null {
  try {
    return new URL(href, base).href;
  } catch {
    return null;
  }
}

/** Most links point into this page ("#section"): a table of contents or footnote index. */
function isInPageIndex(el: Element): boolean {
  const links = Array.from(el.getElementsByTagName('a'));
  if (links.length < 2) return false;
  const inPage = links.filter(a => (a.getAttribute('href') ?? '').startsWith('#')).length;
  return inPage * 2 > links.length;
}

export interface ContentShape {
  /** Blocks of prose: 20+ words, under 30% of them link text. */
  proseBlocks: number;
  /** Share of the text that is link text. */
  linkShare: number;
}

/** How the content reads: prose, or a list of links (a section front, a search result, a tag page). */
export function contentShape(root: Element): ContentShape {
  invalidate();
  let proseBlocks = 0;
  for (const p of Array.from(root.querySelectorAll('p, li, dd, blockquote, div'))) {
    if (p.localName === 'div' && p.querySelector(BLOCK_SELECTOR)) continue;
    const m = measure(p);
    if (m.words >= 20 && m.link / Math.max(1, m.text) < 0.3) proseBlocks++;
  }
  const all = measure(root);
  return { proseBlocks, linkShare: all.text ? all.link / all.text : 0 };
}

/** "Jane Doe is a reporter for …": the author box at the end of a story. */
const AUTHOR_BIO =
  /^\p{Lu}[\p{L}'’.-]+(?: \p{Lu}[\p{L}'’.-]+){0,3} (?:is|was) (?:a|an|the) .{0,200}?\b(?:writer|reporter|journalist|editor|correspondent|contributor|blogger|author|photographer|columnist|producer|freelancer|native)\b/u;

const sameText = (a: string, b: string): boolean =>
  a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

/** "CLICK HERE TO GET THE APP", "RANDY ANDY": shouted lines are headlines of other stories or calls to act. */
function isShouting(t: string): boolean {
  const letters = t.replace(/[^\p{L}]/gu, '');
  return letters.length >= 12 && letters === letters.toUpperCase() && letters !== letters.toLowerCase();
}

/**
 * Removes boilerplate from the article content `root` in place.
 */
export function removeBoilerplate(root: Element, opts: BoilerplateOptions = {}): BoilerplateReport {
  const removed: Record<string, number> = {};
  // Elements that stood right before something this pass removed: a heading left at the end announced it.
  const announcedRemoved = new WeakSet<Element>();
  const drop = (el: Element, rule: string): void => {
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (opts.protect && text && protectedInside(el, opts.protect)) return;
    opts.trace?.(rule, text.slice(0, 200));
    const before = el.previousElementSibling;
    if (before) announcedRemoved.add(before);
    el.parentNode?.removeChild(el);
    invalidate();
    removed[rule] = (removed[rule] ?? 0) + 1;
  };
  invalidate();
  const total = measure(root).text || 1;
  let zone = zonesOf(root);
  const edge = (el: Element): boolean => zone(el) !== 'body';

  // 1. Template-marked parts: class/id names. Top-down, so a removed container takes its children along.
  for (const el of Array.from(root.getElementsByTagName('*'))) {
    if (!el.parentNode || !root.contains(el)) continue;
    const { strong, weak, recirc, author } = classWords(el);
    if (!strong && !(weak && edge(el))) continue;
    const m = measure(el);
    const share = m.text / total;
    if (m.text === 0) {
      if (BLOCKS.has(el.localName) && !el.getElementsByTagName('img').length) drop(el, 'class-empty');
      continue;
    }
    // The article's own wrapper can carry any of these words: never remove a large share of the text.
    // Other stories' teasers, and a small box or an author box after the story, hold prose too: for them
    // only the share guards.
    const tailBox = zone(el) === 'tail' && (!strong || author);
    if (share > (strong ? 0.35 : 0.15) || (!recirc && !tailBox && hasSubstantialParagraph(el))) continue;
    // Weak words mark small boxes; at the tail, an author box may hold a bio of a few sentences.
    if (!strong && m.words > (zone(el) === 'tail' ? 150 : 40)) continue;
    drop(el, strong ? 'class' : 'class-weak');
  }

  // 2. Navigation leftovers.
  for (const el of Array.from(root.querySelectorAll('nav, menu'))) {
    if (root.contains(el)) drop(el, 'nav');
  }

  // Template-marked boxes are gone: the story's body may end earlier than it seemed.
  zone = zonesOf(root);

  // 3. Link lists and link-only blocks: menus, "related" lists, tag clouds. In the body only when the line
  //    says it is a teaser (or shouts like one).
  for (const el of Array.from(root.querySelectorAll('ul, ol, div, section, p, dl'))) {
    if (!el.parentNode || !root.contains(el)) continue;
    // Tables are data; a table of contents (links to this page's own anchors) is part of the document.
    if (el.closest('table') || isInPageIndex(el)) continue;
    const m = measure(el);
    if (m.text === 0) continue;
    const density = m.link / m.text;
    const tag = el.localName;
    if (tag === 'p') {
      // Several teasers run together with <br>s, each tagged "[VIDEO]", "[INSIGHT]"…
      if (density >= 0.6 && (m.content.match(TEASER_TAG) ?? []).length >= 2) {
        drop(el, 'teaser-run');
        continue;
      }
      if (SHORTCODE.test(m.content)) {
        drop(el, 'shortcode');
        continue;
      }
      if (density <= 0.8 || m.words > 20) continue;
      if (
        edge(el) ||
        TEASER_PREFIX.test(m.content) ||
        TEASER_SHAPE.test(m.content) ||
        isShouting(m.content)
      ) {
        drop(el, 'link-paragraph');
      }
      continue;
    }
    if (m.text / total > 0.35) continue;
    if (!edge(el)) {
      // In the body only a list of other stories' headlines goes: every item one link to another page.
      if ((tag === 'ul' || tag === 'ol') && isHeadlineList(el, opts.pageUrl)) {
        dropListTitle(el, opts.pageUrl, drop);
        drop(el, 'headline-list');
      }
      continue;
    }
    if (density < 0.6 || hasSubstantialParagraph(el)) continue;
    // Lists: other stories' headlines, not a short run of one-word links (a product list, a glossary).
    if ((tag === 'ul' || tag === 'ol') && !hasHeadlineItems(el)) continue;
    if (tag === 'ul' || tag === 'ol') dropListTitle(el, opts.pageUrl, drop);
    drop(el, `link-${tag === 'ol' ? 'ul' : tag}`);
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
    invalidate();
    removed['tail-section'] = (removed['tail-section'] ?? 0) + 1;
  }

  // 5. Short blocks that read like boilerplate (after 4, which needs the headings).
  for (const el of Array.from(
    root.querySelectorAll('p, div, li, h1, h2, h3, h4, h5, h6, dd, dt, figcaption, figcaption > span'),
  )) {
    if (!el.parentNode || !root.contains(el)) continue;
    if (el.closest('pre, code, table, blockquote, ol')) continue;
    if (el.localName === 'div') {
      // Only leaf-ish containers: a div holding paragraphs is judged by its paragraphs.
      if (Array.from(el.children).some(c => BLOCKS.has(c.localName))) continue;
    }
    const m = measure(el);
    if (m.text === 0 || m.words > 90) continue;
    const density = m.link / m.text;
    const t = m.content;
    if (m.words > 40) {
      if (zone(el) === 'tail' && AUTHOR_BIO.test(t)) drop(el, 'author-bio');
      continue;
    }
    if (m.words <= 12 && LABEL_ONLY.test(t)) {
      drop(el, 'label');
    } else if (m.words <= 12 && CREDIT_ONLY.test(t) && !el.closest('figure, figcaption')) {
      drop(el, 'credit-label');
    } else if (m.words <= 25 && TEASER_PREFIX.test(t) && density > 0.3) {
      drop(el, 'teaser');
    } else if (CALL_TO_ACTION.test(t) && (edge(el) || m.words <= 15)) {
      drop(el, 'call-to-action');
    } else if (m.words <= 15 && edge(el) && isBylineOrDate(t)) {
      drop(el, 'byline-date');
    } else if (m.words <= 8 && edge(el) && /^(?:©|\(c\)|copyright\b)/i.test(t)) {
      drop(el, 'copyright');
    } else if (m.words <= 8 && PICTURE_CREDIT.test(t) && !el.closest('figure, figcaption')) {
      // A caption keeps its credit (captions stay, as in Readability's output); a credit line on its own goes.
      drop(el, 'picture-credit');
    } else if (zone(el) === 'tail' && AUTHOR_BIO.test(t)) {
      drop(el, 'author-bio');
    } else if (zone(el) === 'head' && opts.title && sameText(t, opts.title)) {
      drop(el, 'title-repeat');
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
  // 7. The content does not end in an announcement: a line ending in a colon ("More on this topic:"), or a
  //    heading whose section this pass removed. What it announced is gone or was never part of the article.
  for (let i = 0; i < 3; i++) {
    const last = lastTextBlock(root);
    if (!last || !isAnnouncement(last)) break;
    if (!/[:：]$/.test(measure(last).content) && !followedByRemoved(last, root, announcedRemoved)) break;
    drop(last, 'trailing-heading');
  }
  return { removed };
}

const HEADING = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** A short heading, or a short line that ends in a colon: it introduces what follows. */
function isAnnouncement(el: Element): boolean {
  const m = measure(el);
  if (HEADING.has(el.localName)) return m.words <= 12;
  return m.words <= 8 && /[:：]$/.test(m.content);
}

/** Whether `el` (or the container it ends) stood right before an element the pass removed. */
function followedByRemoved(el: Element, root: Element, removedAfter: WeakSet<Element>): boolean {
  for (let cur: Element | null = el; cur && cur !== root; cur = cur.parentElement) {
    if (removedAfter.has(cur)) return true;
    if (cur.parentElement?.lastElementChild !== cur) return false;
  }
  return false;
}

/**
 * The title of a list of this site's other stories ("More from us:", an <h3> "Most read"), when it stands
 * right before the list. Lists of links elsewhere (recommendations, sources) may be the article's own.
 */
function dropListTitle(
  list: Element,
  pageUrl: string | undefined,
  drop: (el: Element, rule: string) => void,
): void {
  const prev = list.previousElementSibling;
  if (!prev || prev.getElementsByTagName('img').length || !isAnnouncement(prev)) return;
  const site = siteOf(pageUrl);
  const links = Array.from(list.getElementsByTagName('a'));
  const same = links.filter(a => siteOf(safeResolve(a.getAttribute('href') ?? '', pageUrl)) === site).length;
  if (site && same * 2 > links.length) drop(prev, 'list-title');
}

/** The block holding the last piece of text in `root` (its closest block ancestor), or null. */
function lastTextBlock(root: Element): Element | null {
  let text: Node | null = null;
  // Iterative walk from the end: deep pages exist.
  let c: Node | null = root.lastChild;
  while (c) {
    if (c.nodeType === 3 && /\S/.test((c as Text).data)) {
      text = c;
      break;
    }
    if (c.nodeType === 1 && c.lastChild) {
      c = c.lastChild;
      continue;
    }
    while (c && c !== root && !c.previousSibling) c = c.parentNode;
    c = c && c !== root ? c.previousSibling : null;
  }
  for (let el = text?.parentElement ?? null; el && el !== root; el = el.parentElement) {
    if (BLOCKS.has(el.localName) || HEADING.has(el.localName)) return el;
  }
  return null;
}

const TAIL_HEADING =
  /^(?:related(?: articles| stories| posts| news| content| coverage| reading)?|you (?:may|might) also (?:like|enjoy|be interested in)|more (?:from|stories|news|on this|in|like this)\b.{0,40}|recommended(?: for you| stories| reading)?|read (?:more|next)|most (?:popular|read|viewed)|popular (?:posts|stories)|trending(?: now| stories)?|about the authors?|(?:leave a |post a )?(?:comments?|reply|responses?)|share(?: this)?(?: article| story| post)?:?|tags?:?|topics?:?|sign up .{0,60}|subscribe .{0,60}|newsletter|weitere artikel|mehr zum thema|das könnte sie auch interessieren|à lire aussi|sur le même sujet|noticias relacionadas|te puede interesar|articoli correlati|leggi anche)[\s.…:!|»›-]*$/i;

/**
 * Whether a short block's text says what boilerplate says (a label, a picture credit, a call to action, a
 * byline or date line, a teaser, an author bio), whatever its position: for text found outside the content.
 */
export function readsLikeBoilerplate(t: string): boolean {
  const words = t.split(' ').length;
  return (
    (words <= 12 && (LABEL_ONLY.test(t) || CREDIT_ONLY.test(t))) ||
    (words <= 8 && PICTURE_CREDIT.test(t)) ||
    (words <= 25 && TEASER_PREFIX.test(t)) ||
    (words <= 25 && BYLINE_DATE_START.test(t)) ||
    (words <= 20 && DATE_LIKE.test(t)) ||
    // "Site | 04.05.2015 • Updated … | By …": a meta line strung together with separators.
    (t.match(/\s[|•·]\s/g) ?? []).length >= 2 ||
    CALL_TO_ACTION.test(t) ||
    AUTHOR_BIO.test(t) ||
    /^(?:©|\(c\)|copyright\b)/i.test(t)
  );
}

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
