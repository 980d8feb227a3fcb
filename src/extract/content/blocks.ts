/**
 * The content as a list of text blocks, and what each block looks like, for the block classifier
 * (classifier.ts). A block is the text whose nearest block-level ancestor is one element: a paragraph, a
 * list item, a heading, a cell — or the loose text of a container that also holds blocks. Every piece of
 * text belongs to exactly one block, so deciding block by block decides the whole text.
 *
 * Features describe the general case — size, link density, tag and its context, the template's class/id
 * vocabulary (a short fixed list of English template words, not the page's language), position, sentence
 * shape — and say nothing about one site. The model weighting them is trained on the fit parts of the dev
 * corpora only (eval/extract/train-blocks.mjs).
 */
import { blockElementsExcept } from '../../shared/blocks.js';
import { siteOf } from '../../shared/site.js';

/** Elements that start a block of their own. */
// Segmentation into blocks: line breaks (br, hr) split no block, and a dialog is never article text.
const BLOCK_TAGS = blockElementsExcept('br', 'dialog', 'hr', 'tfoot');
/** Text inside these is not article text (as in text.ts); their blocks are not built. */
const SKIP_TAGS = new Set(['script', 'style', 'template', 'noscript']);

export interface Block {
  /** The element the block's text belongs to. */
  el: Element;
  /** The block's own text nodes (not those of nested blocks). */
  texts: Text[];
  /** Whitespace-collapsed text. */
  text: string;
  words: number;
  /** Characters of link text among `text`'s. */
  linkChars: number;
  /** Links to the page's own site, and to other sites. */
  sameSiteLinks: number;
  otherSiteLinks: number;
  /** Characters of content text before this block. */
  offset: number;
  /** Whether `el` holds other blocks (the block is then only its loose text). */
  loose: boolean;
}

export interface Segmentation {
  blocks: Block[];
  /** All characters of block text. */
  totalChars: number;
  /** Text and link characters under each element (whitespace-collapsed). */
  sizes: WeakMap<Element, { chars: number; link: number; blocks: number }>;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ');

/** Splits `root` into blocks in document order. Iterative: hostile pages nest deeper than the stack. */
export function segmentBlocks(root: Element, pageUrl?: string): Segmentation {
  const site = siteOf(pageUrl);
  const blocks: Block[] = [];
  const sizes = new WeakMap<Element, { chars: number; link: number; blocks: number }>();
  // Open elements, innermost last: element, the block it owns (if any), its link depth.
  const owners: { el: Element; block: Block | null }[] = [{ el: root, block: null }];
  let linkDepth = 0;
  let offset = 0;
  const path: Element[] = [root];
  const gapAfter = new WeakSet<Block>();
  const blockOf = (): Block => {
    const top = owners[owners.length - 1] as { el: Element; block: Block | null };
    if (!top.block) {
      top.block = {
        el: top.el,
        texts: [],
        text: '',
        words: 0,
        linkChars: 0,
        sameSiteLinks: 0,
        otherSiteLinks: 0,
        offset,
        loose: false,
      };
      blocks.push(top.block);
    }
    return top.block;
  };
  const addSize = (chars: number, link: number): void => {
    for (const el of path) {
      const s = sizes.get(el);
      if (s) {
        s.chars += chars;
        s.link += link;
      } else sizes.set(el, { chars, link, blocks: 0 });
    }
  };

  let c: Node | null = root.firstChild;
  const exit = (el: Element): void => {
    path.pop();
    if (el.localName === 'a') linkDepth--;
    const top = owners[owners.length - 1];
    if (top && top.el === el) {
      owners.pop();
      if (top.block) {
        for (const p of path) {
          const s = sizes.get(p);
          if (s) s.blocks++;
          else sizes.set(p, { chars: 0, link: 0, blocks: 1 });
        }
      }
    }
  };
  while (c) {
    let descend = false;
    if (c.nodeType === 3) {
      const data = (c as Text).data;
      if (/\S/.test(data)) {
        const b = blockOf();
        b.texts.push(c as Text);
        let piece = collapse(data);
        if (gapAfter.delete(b)) piece = ` ${piece}`;
        b.text += piece;
        if (linkDepth > 0) b.linkChars += piece.trim().length;
        offset += piece.length;
        addSize(piece.length, linkDepth > 0 ? piece.trim().length : 0);
      }
    } else if (c.nodeType === 1) {
      const el = c as Element;
      const name = el.localName;
      if (!SKIP_TAGS.has(name)) {
        if (name === 'a') {
          const href = el.getAttribute('href') ?? '';
          if (href && !href.startsWith('#') && !/^(?:javascript|mailto|tel):/i.test(href)) {
            const b = blockOf();
            if (site && siteOf(safeResolve(href, pageUrl)) === site) b.sameSiteLinks++;
            else b.otherSiteLinks++;
          }
        }
        if (BLOCK_TAGS.has(name)) {
          // The enclosing block's text continues after this one: "lead <p>…</p> tail" reads "lead tail".
          const outer = owners[owners.length - 1]?.block;
          if (outer) gapAfter.add(outer);
          owners.push({ el, block: null });
        }
        if (name === 'a') linkDepth++;
        path.push(el);
        descend = c.firstChild !== null;
        if (!descend) exit(el);
      }
    }
    if (descend) {
      c = c.firstChild;
      continue;
    }
    while (c && c !== root && !c.nextSibling) {
      c = c.parentNode;
      if (c && c !== root && c.nodeType === 1) exit(c as Element);
    }
    c = c && c !== root ? c.nextSibling : null;
  }
  let totalChars = 0;
  for (const b of blocks) {
    b.text = b.text.trim();
    b.words = b.text ? b.text.split(' ').length : 0;
    b.linkChars = Math.min(b.linkChars, b.text.length);
    b.loose = (sizes.get(b.el)?.blocks ?? 0) > 0;
    totalChars += b.text.length;
  }
  return { blocks: blocks.filter(b => b.text.length > 0), totalChars, sizes };
}

function safeResolve(href: string, base: string | undefined): string | null {
  try {
    return new URL(href, base).href;
  } catch {
    return null;
  }
}
