/**
 * Small DOM helpers restricted to what jsdom and linkedom both implement: querySelectorAll with simple
 * selectors, getAttribute, textContent, parentElement/parentNode, tagName.
 */

export function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

export function attr(el: Element, name: string): string | null {
  const v = el.getAttribute(name);
  return v === null ? null : v.trim() || null;
}

export function parentOf(el: Element): Element | null {
  const p = el.parentNode;
  return p && (p as Node).nodeType === 1 ? (p as Element) : null;
}

export function tagOf(el: Element): string {
  return (el.tagName || '').toLowerCase();
}

/** class + id of an element, lower-cased, for pattern tests. */
export function classId(el: Element): string {
  return `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase();
}

export const BOILERPLATE_RE =
  /(?:^|[\s_-])(?:comments?|comment-list|commentlist|respond|reply|replies|sidebar|widget|related|recommend(?:ed|ations)?|teaser|more-stories|read-more|popular|trending|newsletter|breadcrumbs?|site-footer|page-footer|global-footer|masthead|site-header|menu|navigation|navbar|cookie|disqus|author-bio|about-author|authorbox|author-box)(?:$|[\s_-])/;

/** Boilerplate that also occurs inside an article (comments, related links); layout words like "sidebar" do not
 * count there: article templates put the dateline in a "sidebar" column next to the text. */
export const IN_ARTICLE_BOILERPLATE_RE =
  /(?:^|[\s_-])(?:comments?|comment-list|commentlist|respond|reply|replies|related|recommend(?:ed|ations)?|teaser|more-stories|read-more|popular|trending|newsletter|disqus|author-bio|about-author|authorbox|author-box)(?:$|[\s_-])/;

/** Whether a class/id string marks boilerplate, given whether the element sits inside an <article>. */
export function isBoilerplateClass(classes: string, insideArticle: boolean): boolean {
  return insideArticle ? IN_ARTICLE_BOILERPLATE_RE.test(classes) : BOILERPLATE_RE.test(classes);
}

/**
 * True for elements inside parts of a page that carry other items' authors and dates: comments, sidebars,
 * related-story lists, navigation, site footers. Class names are only trusted on containers that do not
 * hold the page's headline: themes wrap whole pages in "navigation-container"-style divs.
 */
export function inBoilerplate(el: Element, headline: Element | null = null): boolean {
  for (let cur: Element | null = el, depth = 0; cur && depth < 40; cur = parentOf(cur), depth++) {
    const tag = tagOf(cur);
    // Inside the article itself: what lies above it is page layout.
    if (tag === 'article' || tag === 'main') return false;
    if (tag === 'body' || tag === 'html') return false;
    if (tag === 'footer' && hasAncestor(cur, 'article')) continue; // an entry footer: byline, date
    if (tag === 'nav' || tag === 'aside' || tag === 'footer') return !containsNode(cur, headline);
    if (isBoilerplateClass(classId(cur), hasAncestor(cur, 'article')) && !containsNode(cur, headline)) {
      return true;
    }
  }
  return false;
}

function hasAncestor(el: Element, tag: string): boolean {
  for (let cur = parentOf(el); cur; cur = parentOf(cur)) if (tagOf(cur) === tag) return true;
  return false;
}

function norm(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The page's headline element: the heading whose text matches the stated title (og:title, JSON-LD
 * headline, <title>), else the first <h1> outside headers and navigation, else the first <h1>.
 */
export function pickHeadline(
  doc: Document,
  titleHints: (string | null)[] = [],
  headings?: { h1: Element[]; h2: Element[]; h3: Element[] },
): Element | null {
  const byLevel = headings ?? {
    h1: Array.from(doc.querySelectorAll('h1')),
    h2: Array.from(doc.querySelectorAll('h2')),
    h3: Array.from(doc.querySelectorAll('h3')),
  };
  // A title reads "Headline | Site" or "Site - Headline": each segment may be the headline.
  const hints = new Set<string>();
  for (const hint of titleHints) {
    if (!hint) continue;
    hints.add(norm(hint));
    for (const seg of hint.split(/\s+[|–—:·-]\s+|\s+[|]\s*/)) hints.add(norm(seg));
  }
  for (const h of Array.from(hints)) if (h.length < 8) hints.delete(h);
  const matches = (t: string): boolean => {
    if (t.length < 8) return false;
    for (const hint of hints) {
      if (t === hint) return true;
      if (t.includes(hint) && hint.length >= 15) return true;
      if (hint.includes(t) && t.length >= 0.6 * hint.length) return true;
    }
    return false;
  };
  if (hints.size) {
    for (const level of [byLevel.h1, byLevel.h2, byLevel.h3]) {
      for (const h of level) {
        if (matches(norm(h.textContent ?? ''))) return h;
      }
    }
  }
  const h1s = byLevel.h1;
  return h1s.find(h => !hasAncestor(h, 'header') && !hasAncestor(h, 'nav')) ?? h1s[0] ?? null;
}

function containsNode(ancestor: Element, node: Element | null): boolean {
  if (!node) return false;
  for (let cur: Element | null = node; cur; cur = parentOf(cur)) if (cur === ancestor) return true;
  return false;
}

export function absoluteUrl(href: string | null | undefined, base: string): string | null {
  if (!href) return null;
  const h = href.trim();
  if (!h || /^(?:javascript|data|mailto|tel):/i.test(h)) return null;
  try {
    const u = new URL(h, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.toString();
  } catch {
    return null;
  }
}

// One notion of a site for the whole project (src/shared/site.ts): registrable domains from the PSL.
export { hostOf, sameSite } from '../../shared/site.js';
