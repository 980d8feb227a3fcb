/**
 * The one credit module. Credit lines ("The post … appeared first on …", republication and "originally
 * published" credits) at the end of the article (Readability output), of the feed item's content and
 * summary, and of the page's text are found here, cut, and turned — with the head-level signals read by the
 * metadata reader and the feed's <source> — into one attribution (`attribution.ts`). Extraction runs it in
 * the extraction pool, under the task deadline; dedupe reads `article.attribution` and strips credits from a
 * text through `stripTrailingCredits`, never with rules of its own.
 * Works on any DOM that implements the standard Node API (lite, jsdom, linkedom); HTML strings are parsed
 * with the lite DOM. Every scan is bounded: only the last blocks, children and characters of a text are read.
 */
import { parseLiteDocument } from '../content/dom/parse.js';
import { absoluteUrl } from '../metadata/dom.js';
import type { Attribution, FeedItemHints } from '../types.js';
import { isSelfCredit, resolveAttribution, type FoundCredit, type PageSignals } from './attribution.js';
import {
  findTrailingCredit,
  linkRoleFor,
  matchCreditText,
  normalizeCreditText,
  MAX_CREDIT_LENGTH,
  MAX_RAW_CREDIT_LENGTH,
  type CreditMatch,
} from './patterns.js';
import { stripTrailingCredits } from './text.js';

export {
  matchCreditText,
  findTrailingCredit,
  normalizeCreditText,
  type CreditMatch,
  type CreditMethod,
} from './patterns.js';
export { stripCreditText, stripTrailingCredits, type StrippedCredits } from './text.js';
export {
  isSelfCredit,
  resolveAttribution,
  type AttributionContext,
  type FoundCredit,
  type PageSignals,
} from './attribution.js';

export interface CreditInput {
  /** The page's address: base for links, and "self" for credits naming the page's own site. */
  pageUrl: string;
  /** Readability output (parsed.content). */
  contentHtml?: string | null | undefined;
  /** An already-parsed content root; credits are removed from it in place. */
  contentRoot?: Element | null | undefined;
  /** The feed item: its content/summary may carry the footer; its <source> is an attribution too. */
  feedItem?: FeedItemHints | undefined;
  page?: PageSignals | undefined;
}

export interface CreditResult {
  /** Where the text comes from; null when nothing credits another site. */
  attribution: Attribution | null;
  /** contentHtml with the credit lines cut; null when none was given (a contentRoot is edited in place). */
  contentHtml: string | null;
  /** The feed item's content (content:encoded, else summary) with its footer cut; null when it has none. */
  feedContentHtml: string | null;
  /** Text of every credit line cut, page first. */
  removed: string[];
  /** Every credit found, including ones naming the page's own site (those give no attribution). */
  credits: FoundCredit[];
}

const BLOCK_SELECTOR =
  'p, div, li, blockquote, section, article, footer, aside, figcaption, h1, h2, h3, h4, h5, h6, td, dd, pre';
/** Credits sit at the very end: look at this many trailing text blocks. */
const TRAILING_BLOCKS = 4;
/** Elements looked at from the end while collecting those blocks (empty and wrapper elements included). */
const TRAILING_ELEMENTS = 200;
/** Children of one block read from its end while growing a credit's text. */
const TRAILING_CHILDREN = 64;

/**
 * Finds credits at the end of `root`, removes them from the DOM, and returns them (last block first).
 * `base` resolves relative links.
 */
export function stripCreditsInElement(root: Element, base: string): CreditMatch[] {
  const found: CreditMatch[] = [];
  for (let round = 0; round < 3; round++) {
    const blocks = trailingBlocks(root);
    let hit = false;
    for (const block of blocks) {
      const m = stripTrailingCredit(block, base);
      if (m) {
        found.push(m);
        hit = true;
        break; // the block list changed; look again from the (new) end
      }
    }
    if (!hit) break;
  }
  return found;
}

/** The last few leaf text blocks of `root` (blocks without block children), last first; `root` itself if none. */
function trailingBlocks(root: Element): Element[] {
  const all = Array.from(root.querySelectorAll(BLOCK_SELECTOR));
  const leaves: Element[] = [];
  const stop = Math.max(0, all.length - TRAILING_ELEMENTS);
  for (let i = all.length - 1; i >= stop && leaves.length < TRAILING_BLOCKS; i--) {
    const el = all[i];
    if (!el) continue;
    if (!(el.textContent ?? '').trim()) continue;
    if (el.querySelector(BLOCK_SELECTOR)) continue;
    leaves.push(el);
  }
  // Text directly inside the root after the last block ("…body<br><br>The post … appeared first on …").
  const lastChild = lastMeaningfulChild(root);
  if (lastChild && lastChild.nodeType === 3) leaves.unshift(root);
  if (leaves.length === 0) leaves.push(root);
  return leaves;
}

function lastMeaningfulChild(el: Element): ChildNode | null {
  for (let n = el.lastChild; n; n = n.previousSibling) {
    if (n.nodeType === 3 && !(n.nodeValue ?? '').trim()) continue;
    if (n.nodeType === 8) continue;
    return n;
  }
  return null;
}

/**
 * If the end of `block` is a credit, cut it (the whole block when nothing else remains) and return it.
 * Walks the block's children from the end, growing the tail until it reads as a credit; a text node may be
 * split at a sentence boundary.
 */
function stripTrailingCredit(block: Element, base: string): CreditMatch | null {
  const children = Array.from(block.childNodes);
  const stop = Math.max(0, children.length - TRAILING_CHILDREN);
  let tail = '';
  for (let i = children.length - 1; i >= stop; i--) {
    const node = children[i];
    if (!node) continue;
    const nodeText =
      node.nodeType === 1 && (node as Element).tagName.toLowerCase() === 'br'
        ? '\n'
        : // In HTML a newline in text is a space; only <br> breaks a line. Same length: offsets stay valid.
          (node.textContent ?? '').replace(/\s/g, ' ');
    const combined = nodeText + tail;
    if (
      combined.length > MAX_RAW_CREDIT_LENGTH ||
      normalizeCreditText(combined).length > MAX_CREDIT_LENGTH + 40
    ) {
      // The credit may start inside this (long) text node, after a sentence or line break.
      if (node.nodeType === 3) return splitInsideText(block, children, i, tail, base);
      return null;
    }
    tail = combined;
    const match = matchCreditText(tail);
    if (match) {
      // Take the longest tail that still matches (the credit's first words may sit in an earlier node),
      // then check nothing before it belongs to the same sentence.
      const before = children
        .slice(0, i)
        .map(n => n.textContent ?? '')
        .join('');
      if (before.trim() && !endsSentenceOrLine(before) && !endsWithBreak(children, i)) {
        continue;
      }
      enrichFromLinks(match, children.slice(i), base);
      for (const n of children.slice(i)) n.parentNode?.removeChild(n);
      removeIfEmpty(block);
      return match;
    }
    if (node.nodeType === 3) {
      const split = splitInsideText(block, children, i, tail.slice(nodeText.length), base);
      if (split) return split;
    }
  }
  return null;
}

/** The text ends a sentence or a line (trailing spaces aside): what may stand before a credit. */
function endsSentenceOrLine(text: string): boolean {
  const t = text.trimEnd();
  return /[.!?…:"')\]]$/.test(t) || text.slice(t.length).includes('\n');
}

function endsWithBreak(children: ChildNode[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const n = children[j];
    if (!n) continue;
    if (n.nodeType === 3 && !(n.nodeValue ?? '').trim()) continue;
    return n.nodeType === 1 && (n as Element).tagName.toLowerCase() === 'br';
  }
  return true;
}

/** The credit starts inside text node `children[i]`: cut the node at that sentence boundary. */
function splitInsideText(
  block: Element,
  children: ChildNode[],
  i: number,
  tail: string,
  base: string,
): CreditMatch | null {
  const node = children[i];
  if (!node || node.nodeType !== 3) return null;
  const value = node.nodeValue ?? '';
  // Only the last characters can hold the start of a credit that ends the block.
  const from = Math.max(0, value.length - MAX_RAW_CREDIT_LENGTH);
  const found = findTrailingCredit(value.slice(from).replace(/\s/g, ' ') + tail);
  const index = found ? from + found.index : -1;
  if (!found || index === 0 || index >= value.length) return null;
  enrichFromLinks(found.match, children.slice(i + 1), base);
  node.nodeValue = value.slice(0, index).trimEnd();
  for (const n of children.slice(i + 1)) n.parentNode?.removeChild(n);
  removeIfEmpty(block);
  return found.match;
}

function removeIfEmpty(block: Element): void {
  if ((block.textContent ?? '').trim()) {
    // Drop <br>s left dangling at the end.
    for (let n = block.lastChild; n; n = block.lastChild) {
      const isBr = n.nodeType === 1 && (n as Element).tagName.toLowerCase() === 'br';
      const isBlank = n.nodeType === 3 && !(n.nodeValue ?? '').trim();
      if (!isBr && !isBlank) break;
      block.removeChild(n);
    }
    return;
  }
  if (block.querySelector('img, video, audio, picture, iframe')) return;
  block.parentNode?.removeChild(block);
}

/** Reads the credit's links: Yoast/AIOSEO link title then site; the Republication Tracker links the word "article". */
function enrichFromLinks(match: CreditMatch, nodes: ChildNode[], base: string): void {
  const anchors: Element[] = [];
  for (const n of nodes) {
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    if (el.tagName.toLowerCase() === 'a') anchors.push(el);
    anchors.push(...Array.from(el.querySelectorAll('a')));
  }
  const links = anchors
    .map(a => ({
      text: normalizeCreditText(a.textContent ?? ''),
      href: absoluteUrl(a.getAttribute('href'), base),
    }))
    .filter((l): l is { text: string; href: string } => !!l.href);
  if (links.length === 0) return;
  const same = (a: string | null, b: string | null): boolean =>
    !!a && !!b && a.toLowerCase() === b.toLowerCase();
  const siteLink = links.find(l => same(l.text, match.siteName));
  switch (linkRoleFor(match)) {
    case 'title-then-site': {
      const titleLink =
        links.find(l => same(l.text, match.title)) ?? (links.length >= 2 ? links[0] : undefined);
      match.originalUrl = titleLink?.href ?? match.originalUrl;
      match.siteUrl =
        (siteLink ?? (links.length >= 2 ? links[links.length - 1] : undefined))?.href ?? match.siteUrl;
      break;
    }
    case 'article-word': {
      const articleLink = links.find(l => /^(?:article|story|post|piece)$/i.test(l.text));
      match.originalUrl = articleLink?.href ?? match.originalUrl;
      match.siteUrl = (siteLink ?? links.find(l => l !== articleLink))?.href ?? match.siteUrl;
      break;
    }
    case 'original-article': {
      const original = links.find(l => /original/i.test(l.text));
      match.originalUrl = original?.href ?? match.originalUrl;
      match.siteUrl = (siteLink ?? links.find(l => l !== original))?.href ?? match.siteUrl;
      break;
    }
    case 'site': {
      const link = siteLink ?? links[links.length - 1];
      if (!link) break;
      // A link to a page deeper than the home page is the original article itself.
      if (isDeepLink(link.href)) match.originalUrl = link.href;
      else match.siteUrl = link.href;
      break;
    }
  }
}

function isDeepLink(href: string): boolean {
  try {
    const u = new URL(href);
    return u.pathname.replace(/\/+$/, '') !== '' || u.search !== '';
  } catch {
    return false;
  }
}

/**
 * Parses an HTML fragment into a root element with the lite DOM extraction itself uses (parse5, linear; a
 * linkedom parse of 100 KB of "<" took seconds).
 */
function parseFragment(html: string, base: string): { root: Element; serialize: () => string } {
  const doc = parseLiteDocument('<!DOCTYPE html><html><head></head><body><div></div></body></html>', base);
  const root = doc.body?.firstElementChild as unknown as Element;
  // innerHTML semantics: a stray "</div>" in the fragment cannot close the root and leave the end outside it.
  root.innerHTML = html;
  return { root, serialize: () => root.innerHTML };
}

/**
 * Detects and cuts credit lines in the page content and the feed item's content, and resolves the
 * attribution: a credit naming another site (page first, then feed), else a head signal (cross-domain
 * canonical, syndication-source, original-source, JSON-LD isBasedOn), else the feed item's <source>.
 */
export function detectCredits(input: CreditInput): CreditResult {
  const credits: FoundCredit[] = [];
  const removed: string[] = [];

  let contentHtml: string | null = null;
  if (input.contentRoot) {
    for (const m of stripCreditsInElement(input.contentRoot, input.pageUrl)) {
      credits.push({ ...m, where: 'page', self: isSelfCredit(m, input.pageUrl, input.page) });
    }
  } else if (input.contentHtml) {
    const frag = parseFragment(input.contentHtml, input.pageUrl);
    const found = stripCreditsInElement(frag.root, input.pageUrl);
    for (const m of found) {
      credits.push({ ...m, where: 'page', self: isSelfCredit(m, input.pageUrl, input.page) });
    }
    contentHtml = found.length ? frag.serialize() : input.contentHtml;
  }

  let feedContentHtml: string | null = null;
  const feedHtml = input.feedItem?.contentHtml ?? input.feedItem?.summaryHtml ?? null;
  if (feedHtml) {
    const frag = parseFragment(feedHtml, input.pageUrl);
    const found = stripCreditsInElement(frag.root, input.pageUrl);
    for (const m of found) {
      credits.push({ ...m, where: 'feed', self: isSelfCredit(m, input.pageUrl, input.page) });
    }
    feedContentHtml = found.length ? frag.serialize() : feedHtml;
  }
  // The summary may carry the footer when the content does not (Yoast adds it to both).
  const summary = input.feedItem?.contentHtml ? input.feedItem.summaryHtml : null;
  if (summary) {
    const frag = parseFragment(summary, input.pageUrl);
    for (const m of stripCreditsInElement(frag.root, input.pageUrl)) {
      credits.push({ ...m, where: 'feed', self: isSelfCredit(m, input.pageUrl, input.page) });
    }
  }
  for (const c of credits) removed.push(c.text);

  return {
    attribution: resolveAttribution(credits, input),
    contentHtml,
    feedContentHtml,
    removed,
    credits,
  };
}

/**
 * Adds the credit that ends the article's text, when the block pass did not cut it (a credit split over
 * odd markup), as evidence after the page's and the feed item's credits, and resolves the attribution
 * again. The text is not changed; dedupe strips trailing credits before hashing it.
 */
export function withTextCredit(result: CreditResult, text: string, input: CreditInput): CreditResult {
  const match = stripTrailingCredits(text, 1).credits[0];
  if (!match || result.credits.some(c => c.text === match.text)) return result;
  const credits: FoundCredit[] = [
    ...result.credits,
    { ...match, where: 'text', self: isSelfCredit(match, input.pageUrl, input.page) },
  ];
  return { ...result, credits, attribution: resolveAttribution(credits, input) };
}
