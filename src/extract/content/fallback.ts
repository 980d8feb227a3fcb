/**
 * When Readability picks the wrong box. On pages whose story is a few short paragraphs, Readability's
 * scoring can prefer a longer box elsewhere: the author's bio, a newsletter form, the article header. Such a
 * choice is recognisable (the box says what it is), and the page usually names its story container (an
 * `articleBody`, an `entry-content`, an `<article>`); when that container holds text Readability left out,
 * it is the better content.
 */
import { classWords } from './class-words.js';
import { countWords } from './text.js';

/**
 * Tags and class/id parts of boxes that are never the story itself. (Not every boilerplate word: story
 * containers carry "share" or "read-more" in their names often enough.)
 */
const NOT_STORY_TAGS = new Set(['header', 'footer', 'aside', 'nav', 'form']);
const NOT_STORY_PARTS = new Set([
  'header',
  'footer',
  'sidebar',
  'form',
  'widget',
  'author',
  'authors',
  'bio',
  'comment',
  'comments',
  'newsletter',
  'subscribe',
  'signup',
  'related',
  'promo',
  'cookie',
  'consent',
  'nav',
  'navigation',
  'menu',
]);

const collapse = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * Why Readability's content looks like the wrong box, or null when it does not: the element holding most
 * of it is a header, footer, sidebar, form or a class-marked box (author, comments, newsletter …).
 */
export function implausibleContent(root: Element): string | null {
  let top: Element = root;
  while (top.children.length === 1 && !collapse(ownText(top))) top = top.children[0] as Element;
  const total = collapse(top.textContent).length;
  if (!total) return null;
  let main: Element = top;
  let best = 0;
  for (const child of Array.from(top.children)) {
    const n = collapse(child.textContent).length;
    if (n > best) [main, best] = [child, n];
  }
  // The box Readability chose, else the child of it that holds most of the text.
  const boxes = best >= total * 0.6 ? [top, main] : [top];
  for (const box of boxes) {
    const why = notStory(box);
    if (why) return why;
  }
  return null;
}

function notStory(box: Element): string | null {
  if (NOT_STORY_TAGS.has(box.localName)) return `<${box.localName}>`;
  const attr = `${box.getAttribute('class') ?? ''} ${box.getAttribute('id') ?? ''}`.toLowerCase();
  if (attr.split(/[\s_:-]+/).some(p => NOT_STORY_PARTS.has(p))) return `box "${attr.trim()}"`;
  const size = collapse(box.textContent).length;
  for (const form of Array.from(box.getElementsByTagName('form'))) {
    if (collapse(form.textContent).length * 2 >= size) return 'a form';
  }
  return null;
}

function ownText(el: Element): string {
  let t = '';
  for (const c of Array.from(el.childNodes)) if (c.nodeType === 3) t += (c as Text).data;
  return t;
}

/** Class/id names CMSs give the story's container. */
const STORY_NAME =
  /^(?:(?:entry|post|article|story|single|news)[-_]?(?:content|body|text)|articlebody|articletext|storybody)$/;

/**
 * The page's own story container: `itemprop=articleBody`, a CMS-named content box or an `<article>`, the
 * one with the most text, outside navigation, asides, footers and class-marked boxes; null when none has
 * at least `minWords` words.
 */
export function storyContainer(doc: Document, minWords = 30): Element | null {
  const body = doc.body;
  if (!body) return null;
  let best: Element | null = null;
  let bestWords = minWords - 1;
  for (const el of Array.from(body.getElementsByTagName('*'))) {
    if (!isStoryNamed(el)) continue;
    if (el.parentElement?.closest('nav, aside, footer, form')) continue;
    const words = countWords(collapse(el.textContent));
    if (words <= bestWords || inMarkedBox(el)) continue;
    [best, bestWords] = [el, words];
  }
  return best;
}

function isStoryNamed(el: Element): boolean {
  if (el.localName === 'article') return true;
  if (/\barticleBody\b/.test(el.getAttribute('itemprop') ?? '')) return true;
  const attr = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase();
  return attr.split(/\s+/).some(t => STORY_NAME.test(t));
}

/** A class-marked box (comments, related posts, an author box) tight around `el`; page wrappers do not count. */
function inMarkedBox(el: Element): boolean {
  const size = collapse(el.textContent).length;
  let cur: Element | null = el;
  for (let up = 0; cur && up < 3 && cur.localName !== 'body'; up++, cur = cur.parentElement) {
    if (collapse(cur.textContent).length > size * 2) break;
    const { strong, weak } = classWords(cur);
    if (strong || weak) return true;
  }
  return false;
}

/**
 * Whether `container` holds the story Readability missed: at most a third of its paragraphs (or of its
 * opening text, when it has no paragraphs) are in Readability's text.
 */
export function missedByReadability(container: Element, readabilityText: string): boolean {
  const have = collapse(readabilityText);
  const paragraphs = Array.from(container.querySelectorAll('p, li, h2, h3, h4'))
    .map(p => collapse(p.textContent))
    .filter(t => t.split(' ').length >= 3);
  if (!paragraphs.length) return !have.includes(collapse(container.textContent).slice(0, 120));
  const found = paragraphs.filter(t => have.includes(t)).length;
  return found * 3 <= paragraphs.length;
}

/**
 * What Readability's own cleaning would have taken out of a container it did not choose: forms and their
 * controls, asides, navigation and footers (a story container's footer holds its meta: tags, author box).
 */
export function cleanContainer(container: Element): void {
  for (const el of Array.from(
    container.querySelectorAll('form, aside, nav, footer, button, input, select, textarea, label'),
  )) {
    el.parentNode?.removeChild(el);
  }
}
