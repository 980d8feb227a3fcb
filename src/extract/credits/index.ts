/**
 * Credit/footer detection: finds "The post … appeared first on …"-style lines at the end of the article
 * (Readability output) and of the feed item's content, cuts them, and turns them — together with the
 * head-level signals read by the metadata reader and the feed's <source> — into one attribution.
 * Works on any DOM that implements the standard Node API (lite, jsdom, linkedom); HTML strings are parsed
 * into the lite DOM.
 */
import { parseLiteDocument } from '../content/dom/parse.js';
import { isSiteLikeName } from '../metadata/authors.js';
import { absoluteUrl, hostOf, sameSite } from '../metadata/dom.js';
import type { Attribution, FeedItemHints } from '../types.js';
import {
  findTrailingCredit,
  linkRoleFor,
  matchCreditText,
  normalizeCreditText,
  MAX_CREDIT_LENGTH,
  type CreditMatch,
} from './patterns.js';

export { matchCreditText, findTrailingCredit, type CreditMatch, type CreditMethod } from './patterns.js';

/** What the page's own metadata says, as far as attribution needs it (a subset of PageMetadata). */
export interface PageSignals {
  /** Head-level signals, best first (cross-domain canonical, syndication-source, original-source, isBasedOn). */
  signals?: Attribution[] | undefined;
  siteName?: string | null | undefined;
  canonicalUrl?: string | null | undefined;
}

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

export interface FoundCredit extends CreditMatch {
  where: 'page' | 'feed';
  /** The credit names the page's own site: an original's own feed footer, not a copy. */
  self: boolean;
}

const BLOCK_SELECTOR =
  'p, div, li, blockquote, section, article, footer, aside, figcaption, h1, h2, h3, h4, h5, h6, td, dd, pre';
/** Lines of plain text searched for a whole-line credit (page text dumps end with long chrome). */
const TEXT_LINES_SEARCHED = 60;
/** Credits sit at the very end: look at this many trailing text blocks. */
const TRAILING_BLOCKS = 4;

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
  for (let i = all.length - 1; i >= 0 && leaves.length < TRAILING_BLOCKS; i--) {
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
  let tail = '';
  for (let i = children.length - 1; i >= 0; i--) {
    const node = children[i];
    if (!node) continue;
    const nodeText =
      node.nodeType === 1 && (node as Element).tagName.toLowerCase() === 'br'
        ? '\n'
        : // In HTML a newline in text is a space; only <br> breaks a line. Same length: offsets stay valid.
          (node.textContent ?? '').replace(/\s/g, ' ');
    const combined = nodeText + tail;
    if (normalizeCreditText(combined).length > MAX_CREDIT_LENGTH + 40) {
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
      if (before.trim() && !/[.!?…:"')\]]\s*$|\n\s*$/.test(before) && !endsWithBreak(children, i)) {
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
  const found = findTrailingCredit(value.replace(/\s/g, ' ') + tail);
  if (!found || found.index === 0 || found.index >= value.length) return null;
  enrichFromLinks(found.match, children.slice(i + 1), base);
  node.nodeValue = value.slice(0, found.index).replace(/\s+$/, '');
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

/** Parses an HTML fragment into a root element (the lite DOM extraction runs on: no window, parse5's tree). */
function parseFragment(html: string): { root: Element; serialize: () => string } {
  const document = parseLiteDocument(
    `<!DOCTYPE html><html><head></head><body><div id="nf-credit-root">${html}</div></body></html>`,
    'about:blank',
  ) as unknown as Document;
  const root = document.getElementById('nf-credit-root') ?? document.body;
  return { root: root, serialize: () => (root as unknown as Element).innerHTML };
}

function isSelfCredit(c: CreditMatch, pageUrl: string, page: PageSignals | undefined): boolean {
  if (c.siteUrl) return sameSite(c.siteUrl, pageUrl);
  if (c.originalUrl) return sameSite(c.originalUrl, pageUrl);
  if (!c.siteName) return false;
  return isSiteLikeName(c.siteName, { siteName: page?.siteName ?? null, host: hostOf(pageUrl) ?? undefined });
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
    const frag = parseFragment(input.contentHtml);
    const found = stripCreditsInElement(frag.root, input.pageUrl);
    for (const m of found) {
      credits.push({ ...m, where: 'page', self: isSelfCredit(m, input.pageUrl, input.page) });
    }
    contentHtml = found.length ? frag.serialize() : input.contentHtml;
  }

  let feedContentHtml: string | null = null;
  const feedHtml = input.feedItem?.contentHtml ?? input.feedItem?.summaryHtml ?? null;
  if (feedHtml) {
    const frag = parseFragment(feedHtml);
    const found = stripCreditsInElement(frag.root, input.pageUrl);
    for (const m of found) {
      credits.push({ ...m, where: 'feed', self: isSelfCredit(m, input.pageUrl, input.page) });
    }
    feedContentHtml = found.length ? frag.serialize() : feedHtml;
  }
  // The summary may carry the footer when the content does not (Yoast adds it to both).
  const summary = input.feedItem?.contentHtml ? input.feedItem.summaryHtml : null;
  if (summary) {
    const frag = parseFragment(summary);
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

function resolveAttribution(credits: FoundCredit[], input: CreditInput): Attribution | null {
  const foreign = credits.filter(c => !c.self);
  const best = foreign[0];
  const signals = input.page?.signals ?? [];
  if (best) {
    let originalUrl = best.originalUrl;
    if (!originalUrl) {
      // Another credit or a head signal may carry the link the first credit lost.
      const sameName = foreign.find(
        c =>
          c.originalUrl &&
          c.siteName &&
          best.siteName &&
          c.siteName.toLowerCase() === best.siteName.toLowerCase(),
      );
      originalUrl = sameName?.originalUrl ?? null;
    }
    if (!originalUrl && best.siteName) {
      const signal = signals.find(s => {
        const host = hostOf(s.originalUrl);
        return host && best.siteName && isSiteLikeName(best.siteName, { host });
      });
      originalUrl = signal?.originalUrl ?? null;
    }
    return {
      originalUrl,
      originalPublisher: best.siteName,
      method: best.method,
      evidence: best.text,
      originalTitle: best.title,
    };
  }
  const signal = signals[0];
  if (signal) return signal;
  const source = input.feedItem?.source;
  if (source && (source.title || source.url)) {
    // RSS <source url> names the channel (a feed), not the article: keep it as evidence only.
    const sourceUrl = source.url ? absoluteUrl(source.url, input.pageUrl) : null;
    if (!sourceUrl || !sameSite(sourceUrl, input.pageUrl)) {
      return {
        originalUrl: null,
        originalPublisher: source.title?.trim() || hostOf(sourceUrl) || null,
        method: 'feed-source',
        evidence: `<source url="${source.url ?? ''}">${source.title ?? ''}</source>`,
      };
    }
  }
  return null;
}

/**
 * Text-only variant for plain summaries or contentText: the credit at the end of `text`, and the text
 * without it.
 */
export function stripCreditText(text: string): { match: CreditMatch | null; text: string } {
  // A credit is one line; in a page's text, share buttons, "previous post" links and sidebars may follow
  // it. Near the end a credit may close a longer line; further up only a line that is a credit counts.
  const lines = text.split('\n');
  let seen = 0;
  for (let i = lines.length - 1; i >= 0 && seen < TEXT_LINES_SEARCHED; i--) {
    const line = lines[i] ?? '';
    if (!line.trim()) continue;
    seen++;
    const whole = matchCreditText(line);
    const found = whole
      ? { index: 0, match: whole }
      : seen <= TRAILING_BLOCKS
        ? findTrailingCredit(line)
        : null;
    if (!found) continue;
    const kept = line.slice(0, found.index).replace(/\s+$/, '');
    const rest = [...lines.slice(0, i), ...(kept ? [kept] : []), ...lines.slice(i + 1)];
    return {
      match: found.match,
      text: rest
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
    };
  }
  return { match: null, text };
}
