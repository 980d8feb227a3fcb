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

import { blockElementsExcept } from '../../shared/blocks.js';
import { siteOf } from '../../shared/site.js';
import { classWords } from './class-words.js';
import {
  AUTHOR_BIO,
  CALL_TO_ACTION,
  CREDIT_ONLY,
  LABEL_ONLY,
  PICTURE_CREDIT,
  TAIL_HEADING,
  TEASER_PREFIX,
  isBylineOrDate,
} from './phrases.js';

export interface BoilerplateOptions {
  /** The article's title: a heading repeating it is not content. */
  title?: string | null;
  /** Called with each removal (rule, text): for debugging a site and for tests. */
  trace?: ((rule: string, text: string) => void) | undefined;
  /** The page's address: "more stories" lists link to the same site. */
  pageUrl?: string | undefined;
  /** Blocks whose text this accepts are never removed (credit lines: the credits pass needs them). */
  protect?: ((text: string) => boolean) | undefined;
  /** Rules not applied (their names as `trace` reports them): measuring what each rule adds. */
  without?: ReadonlySet<string> | undefined;
}

export interface BoilerplateReport {
  /** How many elements were removed, by rule. */
  removed: Record<string, number>;
}

// The blocks boilerplate rules judge one by one: containers, not their lines, cells, captions or parts.
const LINES = ['address', 'br', 'hr', 'pre'];
const TABLE_PARTS = ['caption', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr'];
const PARTS = ['dd', 'details', 'dialog', 'dt', 'fieldset', 'figcaption', 'summary'];
const BLOCKS = blockElementsExcept(...LINES, ...TABLE_PARTS, ...PARTS);
/** A div holding any of these (at any depth) is a container, judged by its blocks, not a paragraph. */
const BLOCK_SELECTOR = Array.from(BLOCKS).join(', ');

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
    if (opts.without?.has(rule)) return;
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
    if (opts.without?.has('tail-section')) continue;
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
