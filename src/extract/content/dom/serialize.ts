/**
 * HTML serialization of lite-DOM nodes, following the HTML fragment serialization algorithm (as jsdom does),
 * iteratively so that a hostile, deeply nested page cannot overflow the stack.
 */
import type { ElementShape, NodeShape } from './shape.js';

const VOID = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

/** Children of these are written as they are (scripting is off, so <noscript> is not among them). */
const RAW_TEXT = new Set(['style', 'script', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

export function isVoidElement(localName: string): boolean {
  return VOID.has(localName);
}

const TEXT_TEST = /[&<>\u00a0]/;
const TEXT_RE = /[&<>\u00a0]/g;
const ATTR_TEST = /[&"<>\u00a0]/;
const ATTR_RE = /[&"<>\u00a0]/g;
const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\u00a0': '&nbsp;',
};
const escapeChar = (c: string): string => ESC[c] ?? c;

export function escapeText(s: string): string {
  return TEXT_TEST.test(s) ? s.replace(TEXT_RE, escapeChar) : s;
}

export function escapeAttr(s: string): string {
  return ATTR_TEST.test(s) ? s.replace(ATTR_RE, escapeChar) : s;
}

function openTag(el: ElementShape): string {
  const name = el.namespaceURI === 'http://www.w3.org/1999/xhtml' ? el.localName : el.tagName;
  let s = `<${name}`;
  for (const a of el.attributes) s += ` ${a.name}="${escapeAttr(a.value)}"`;
  return `${s}>`;
}

function closeTag(el: ElementShape): string {
  const name = el.namespaceURI === 'http://www.w3.org/1999/xhtml' ? el.localName : el.tagName;
  return `</${name}>`;
}

function leaf(n: NodeShape): string {
  switch (n.nodeType) {
    case 3: {
      const parent = n.parentNode as ElementShape | null;
      const data = n.textContent ?? '';
      return parent && parent.nodeType === 1 && RAW_TEXT.has(parent.localName) ? data : escapeText(data);
    }
    case 8:
      return `<!--${n.textContent ?? ''}-->`;
    case 10:
      return `<!DOCTYPE ${n.nodeName}>`;
    default:
      return '';
  }
}

/** The markup of `root`'s children (innerHTML). */
export function serializeChildren(root: NodeShape): string {
  let out = '';
  let n: NodeShape | null = root.firstChild;
  while (n) {
    if (n.nodeType === 1) {
      const el = n as ElementShape;
      out += openTag(el);
      if (VOID.has(el.localName)) {
        // no children, no end tag
      } else if (el.firstChild) {
        n = el.firstChild;
        continue;
      } else {
        out += closeTag(el);
      }
    } else {
      out += leaf(n);
    }
    // Climb until a next sibling exists, closing the elements we leave.
    while (n && !n.nextSibling) {
      n = n.parentNode;
      if (!n || n === root) return out;
      out += closeTag(n as ElementShape);
    }
    n = n ? n.nextSibling : null;
  }
  return out;
}

/** The markup of `node` itself (outerHTML). */
export function serializeNode(node: NodeShape): string {
  if (node.nodeType !== 1) return leaf(node);
  const el = node as ElementShape;
  if (VOID.has(el.localName)) return openTag(el);
  return openTag(el) + serializeChildren(el) + closeTag(el);
}
