/**
 * One walk over the document collecting the elements the metadata readers look at, instead of a dozen
 * querySelectorAll passes over the whole tree (each one a full walk in every DOM implementation).
 */
import { tagOf } from './dom.js';

export interface DocIndex {
  metas: Element[];
  links: Element[];
  /** <script> elements whose type mentions ld+json. */
  jsonLd: Element[];
  title: Element | null;
  h1: Element[];
  h2: Element[];
  h3: Element[];
  /** Elements with an itemprop attribute, in document order. */
  itemprops: Element[];
  addresses: Element[];
  /** <a> elements with an href or rel attribute. */
  anchors: Element[];
}

export function indexDocument(doc: Document): DocIndex {
  const idx: DocIndex = {
    metas: [],
    links: [],
    jsonLd: [],
    title: null,
    h1: [],
    h2: [],
    h3: [],
    itemprops: [],
    addresses: [],
    anchors: [],
  };
  const root = doc.documentElement;
  if (!root) return idx;
  // Iterative pre-order walk: deep pages must not overflow the stack.
  const stack: Element[] = [root];
  while (stack.length) {
    const el = stack.pop() as Element;
    const tag = tagOf(el);
    switch (tag) {
      case 'meta':
        idx.metas.push(el);
        break;
      case 'link':
        idx.links.push(el);
        break;
      case 'script':
        if ((el.getAttribute('type') ?? '').toLowerCase().includes('ld+json')) idx.jsonLd.push(el);
        break;
      case 'title':
        idx.title ??= el;
        break;
      case 'h1':
      case 'h2':
      case 'h3':
        idx[tag].push(el);
        break;
      case 'address':
        idx.addresses.push(el);
        break;
      case 'a':
        if (el.hasAttribute('href') || el.hasAttribute('rel')) idx.anchors.push(el);
        break;
      default:
        break;
    }
    if (el.hasAttribute('itemprop')) idx.itemprops.push(el);
    // Push children last-first so they pop in document order.
    for (let c = el.lastElementChild; c; c = c.previousElementSibling) stack.push(c);
  }
  return idx;
}
