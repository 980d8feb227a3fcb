/**
 * A small DOM for extraction: just what @mozilla/readability, our boilerplate pass and the metadata readers
 * use, built for speed. jsdom and linkedom create several objects per node (linkedom also a WeakMap entry and
 * a Map per node) and spend most of an extraction in the garbage collector; here a node is one object, the
 * tree a doubly linked list with child arrays cached until the next mutation.
 *
 * Trees are built by parse5 (see parse.ts), so their shape is the one the HTML standard (and jsdom) gives.
 * Not a general DOM: no events, no live collections (lists are static arrays, as in Readability's own
 * JSDOMParser), no namespaces beyond telling HTML elements from foreign ones, selectors as in select.ts.
 */
import { compileSelector, matchesSelector, type CompiledSelector } from './select.js';
import {
  COMMENT_NODE,
  DOCUMENT_FRAGMENT_NODE,
  DOCUMENT_NODE,
  ELEMENT_NODE,
  HTML_NS,
  LiteAttr,
  LiteStyle,
  TEXT_NODE,
} from './lite-parts.js';
import { serializeChildren, serializeNode } from './serialize.js';

// Node types, attributes and the style view are part of this module's surface (lite-parts.ts holds them).
export * from './lite-parts.js';

/** Parses markup into children of `context`; installed by parse.ts (keeps this module free of parse5). */
export type FragmentParser = (html: string, context: LiteElement) => LiteParent;
let fragmentParser: FragmentParser | null = null;
export function setFragmentParser(parser: FragmentParser): void {
  fragmentParser = parser;
}

/**
 * A node's document, as the node classes use it. lite-document.ts holds the one implementation (LiteDocument);
 * nodes name it through this interface so that module can build on this one without an import cycle.
 */
export interface LiteOwnerDocument extends LiteParent {
  createTextNode(data: string): LiteText;
}

export abstract class LiteNode {
  static readonly ELEMENT_NODE = ELEMENT_NODE;
  static readonly TEXT_NODE = TEXT_NODE;
  static readonly COMMENT_NODE = COMMENT_NODE;
  static readonly DOCUMENT_NODE = DOCUMENT_NODE;
  readonly ELEMENT_NODE = ELEMENT_NODE;
  readonly TEXT_NODE = TEXT_NODE;
  readonly COMMENT_NODE = COMMENT_NODE;
  readonly DOCUMENT_NODE = DOCUMENT_NODE;

  parentNode: LiteParent | null = null;
  nextSibling: LiteNode | null = null;
  previousSibling: LiteNode | null = null;

  constructor(
    public readonly nodeType: number,
    public ownerDocument: LiteOwnerDocument,
  ) {}

  abstract get nodeName(): string;
  abstract get textContent(): string | null;
  abstract set textContent(value: string | null);
  abstract cloneNode(deep?: boolean): LiteNode;

  /**
   * Readability renames elements in place instead of rebuilding them when the document says it is its own
   * JSDOMParser; our elements allow that, and it saves a node and a move of all children per renamed tag.
   */
  get __JSDOMParser__(): boolean {
    return true;
  }

  get parentElement(): LiteElement | null {
    const p = this.parentNode;
    return p && p.nodeType === ELEMENT_NODE ? (p as LiteElement) : null;
  }

  get nextElementSibling(): LiteElement | null {
    return elementAfter(this.nextSibling);
  }

  get previousElementSibling(): LiteElement | null {
    return elementBefore(this.previousSibling);
  }

  get nodeValue(): string | null {
    return null;
  }
  set nodeValue(_value: string | null) {
    // Only text and comment nodes have a value to set.
  }

  /** The first child; parents override. */
  get firstChild(): LiteNode | null {
    return null;
  }
  get lastChild(): LiteNode | null {
    return null;
  }
  get childNodes(): LiteNode[] {
    return EMPTY;
  }
  hasChildNodes(): boolean {
    return this.firstChild !== null;
  }

  remove(): void {
    this.parentNode?.removeChild(this);
  }

  contains(other: LiteNode | null): boolean {
    for (let n: LiteNode | null = other; n; n = n.parentNode) if (n === this) return true;
    return false;
  }

  getRootNode(): LiteNode {
    let n: LiteNode | null = this.parentNode;
    if (!n) return this;
    while (n.parentNode) n = n.parentNode;
    return n;
  }

  get isConnected(): boolean {
    return this.getRootNode() === this.ownerDocument;
  }
}

const EMPTY: LiteNode[] = [];
Object.freeze(EMPTY);

/** Text and comments: a node that is its `data`. */
abstract class LiteCharacterData extends LiteNode {
  constructor(
    public data: string,
    nodeType: number,
    doc: LiteOwnerDocument,
  ) {
    super(nodeType, doc);
  }
  get textContent(): string {
    return this.data;
  }
  set textContent(value: string | null) {
    this.data = value ?? '';
  }
  override get nodeValue(): string {
    return this.data;
  }
  override set nodeValue(value: string | null) {
    this.data = value ?? '';
  }
  get length(): number {
    return this.data.length;
  }
}

export class LiteText extends LiteCharacterData {
  constructor(data: string, doc: LiteOwnerDocument) {
    super(data, TEXT_NODE, doc);
  }
  get nodeName(): string {
    return '#text';
  }
  get wholeText(): string {
    return this.data;
  }
  cloneNode(): LiteText {
    return new LiteText(this.data, this.ownerDocument);
  }
}

export class LiteComment extends LiteCharacterData {
  constructor(data: string, doc: LiteOwnerDocument) {
    super(data, COMMENT_NODE, doc);
  }
  get nodeName(): string {
    return '#comment';
  }
  cloneNode(): LiteComment {
    return new LiteComment(this.data, this.ownerDocument);
  }
}

/** Element, Document and DocumentFragment: the nodes that hold children. */
export abstract class LiteParent extends LiteNode {
  private first: LiteNode | null = null;
  private last: LiteNode | null = null;
  private cachedNodes: LiteNode[] | null = null;
  private cachedElements: LiteElement[] | null = null;

  override get firstChild(): LiteNode | null {
    return this.first;
  }
  override get lastChild(): LiteNode | null {
    return this.last;
  }

  override get childNodes(): LiteNode[] {
    if (this.cachedNodes) return this.cachedNodes;
    const out: LiteNode[] = [];
    for (let n = this.first; n; n = n.nextSibling) out.push(n);
    this.cachedNodes = out;
    return out;
  }

  get children(): LiteElement[] {
    if (this.cachedElements) return this.cachedElements;
    const out: LiteElement[] = [];
    for (let n = this.first; n; n = n.nextSibling) {
      if (n.nodeType === ELEMENT_NODE) out.push(n as LiteElement);
    }
    this.cachedElements = out;
    return out;
  }

  get childElementCount(): number {
    return this.children.length;
  }

  get firstElementChild(): LiteElement | null {
    return elementAfter(this.first);
  }

  get lastElementChild(): LiteElement | null {
    return elementBefore(this.last);
  }

  /** Drops the cached child arrays; every mutation of this node's children calls it. */
  protected touch(): void {
    this.cachedNodes = null;
    this.cachedElements = null;
  }

  appendChild<T extends LiteNode>(node: T): T {
    return this.insertBefore(node, null);
  }

  insertBefore<T extends LiteNode>(node: T, ref: LiteNode | null): T {
    if (node.nodeType === DOCUMENT_FRAGMENT_NODE) {
      const frag = node as unknown as LiteParent;
      for (let c = frag.firstChild; c; c = frag.firstChild) this.insertBefore(c, ref);
      return node;
    }
    if (ref && ref.parentNode !== this) throw new Error('insertBefore: reference node is not a child');
    if (node === ref) return node;
    // Only a node with children can contain `this` (other than itself): without that test every insert walked the
    // whole depth, and a page of 140 000 unclosed <div>s took 53 s to parse.
    if ((node as LiteNode) === this || (node.firstChild !== null && node.contains(this))) {
      throw new Error('insertBefore: a node cannot contain itself');
    }
    node.parentNode?.removeChild(node);
    node.parentNode = this;
    node.ownerDocument =
      this.nodeType === DOCUMENT_NODE ? (this as unknown as LiteOwnerDocument) : this.ownerDocument;
    if (ref) {
      const prev = ref.previousSibling;
      node.previousSibling = prev;
      node.nextSibling = ref;
      ref.previousSibling = node;
      if (prev) prev.nextSibling = node;
      else this.first = node;
    } else {
      node.previousSibling = this.last;
      node.nextSibling = null;
      if (this.last) this.last.nextSibling = node;
      else this.first = node;
      this.last = node;
    }
    this.touch();
    return node;
  }

  removeChild<T extends LiteNode>(node: T): T {
    if (node.parentNode !== this) throw new Error('removeChild: not a child of this node');
    const { previousSibling: prev, nextSibling: next } = node;
    if (prev) prev.nextSibling = next;
    else this.first = next;
    if (next) next.previousSibling = prev;
    else this.last = prev;
    node.parentNode = null;
    node.previousSibling = null;
    node.nextSibling = null;
    this.touch();
    return node;
  }

  replaceChild<T extends LiteNode>(node: LiteNode, old: T): T {
    if (old.parentNode !== this) throw new Error('replaceChild: not a child of this node');
    if (node === old) return old;
    const next = old.nextSibling === node ? node.nextSibling : old.nextSibling;
    this.removeChild(old);
    this.insertBefore(node, next);
    return old;
  }

  append(...nodes: (LiteNode | string)[]): void {
    for (const n of nodes) this.appendChild(typeof n === 'string' ? this.ownerDocument.createTextNode(n) : n);
  }

  prepend(...nodes: (LiteNode | string)[]): void {
    const ref = this.first;
    for (const n of nodes) {
      this.insertBefore(typeof n === 'string' ? this.ownerDocument.createTextNode(n) : n, ref);
    }
  }

  /** Removes every child. */
  protected clear(): void {
    for (let n = this.first; n;) {
      const next = n.nextSibling;
      n.parentNode = null;
      n.previousSibling = null;
      n.nextSibling = null;
      n = next;
    }
    this.first = null;
    this.last = null;
    this.touch();
  }

  get textContent(): string | null {
    return collectText(this);
  }
  set textContent(value: string | null) {
    this.clear();
    if (value) this.appendChild(new LiteText(value, this.ownerDocument));
  }

  /** Descendant elements in document order, optionally only those named `localName` (lower case). */
  protected descendants(localName: string | null, out: LiteElement[]): LiteElement[] {
    for (let n = this.first; n; n = following(n, this)) {
      if (n.nodeType !== ELEMENT_NODE) continue;
      const el = n as LiteElement;
      if (localName === null || el.localName === localName) out.push(el);
    }
    return out;
  }

  getElementsByTagName(name: string): LiteElement[] {
    return this.descendants(name === '*' ? null : name.toLowerCase(), []);
  }

  getElementsByClassName(names: string): LiteElement[] {
    const wanted = names.split(/\s+/).filter(Boolean);
    return this.descendants(null, []).filter(el => {
      const cls = ` ${el.className} `;
      return wanted.every(w => cls.includes(` ${w} `));
    });
  }

  querySelectorAll(selector: string): LiteElement[] {
    const compiled = compileSelector(selector);
    const simpleTags = compiled.tagList;
    if (simpleTags) {
      // "p, pre, article": one walk in document order, as a real querySelectorAll returns them.
      const out: LiteElement[] = [];
      for (const el of this.descendants(null, [])) if (simpleTags.has(el.localName)) out.push(el);
      return out;
    }
    return this.descendants(null, []).filter(el => matchesSelector(el, compiled));
  }

  querySelector(selector: string): LiteElement | null {
    const compiled = compileSelector(selector);
    return this.descendants(null, []).find(el => matchesSelector(el, compiled)) ?? null;
  }
}

/** The first element at or after `n` among its siblings. */
function elementAfter(n: LiteNode | null): LiteElement | null {
  while (n && n.nodeType !== ELEMENT_NODE) n = n.nextSibling;
  return n as LiteElement | null;
}

/** The first element at or before `n` among its siblings. */
function elementBefore(n: LiteNode | null): LiteElement | null {
  while (n && n.nodeType !== ELEMENT_NODE) n = n.previousSibling;
  return n as LiteElement | null;
}

function collectText(root: LiteParent): string {
  let out = '';
  for (let n = root.firstChild; n; n = following(n, root)) {
    if (n.nodeType === TEXT_NODE) out += (n as LiteText).data;
  }
  return out;
}

/** The node after `n` in document order, inside `root` (into an element's children first); null at the end. */
function following(n: LiteNode, root: LiteNode): LiteNode | null {
  if (n.nodeType === ELEMENT_NODE) {
    const child = n.firstChild;
    if (child) return child;
  }
  let m: LiteNode | null = n;
  while (m && !m.nextSibling) {
    m = m.parentNode;
    if (m === root) return null;
  }
  return m ? m.nextSibling : null;
}

export class LiteElement extends LiteParent {
  tagName: string;
  localName: string;
  readonly attributes: LiteAttr[];
  /** Readability keeps its scores here; declared so every element has the same shape. */
  readability?: { contentScore: number } | undefined;

  constructor(
    name: string,
    doc: LiteOwnerDocument,
    public readonly namespaceURI: string = HTML_NS,
    attributes: LiteAttr[] = [],
  ) {
    super(ELEMENT_NODE, doc);
    const html = namespaceURI === HTML_NS;
    this.localName = html ? name.toLowerCase() : name;
    this.tagName = html ? this.localName.toUpperCase() : name;
    this.attributes = attributes;
  }

  get nodeName(): string {
    return this.tagName;
  }

  getAttribute(name: string): string | null {
    const attrs = this.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i] as LiteAttr;
      if (a.name === name) return a.value;
    }
    if (name !== name.toLowerCase()) return this.getAttribute(name.toLowerCase());
    return null;
  }

  hasAttribute(name: string): boolean {
    return this.getAttribute(name) !== null;
  }

  hasAttributes(): boolean {
    return this.attributes.length > 0;
  }

  getAttributeNames(): string[] {
    return this.attributes.map(a => a.name);
  }

  setAttribute(name: string, value: string): void {
    const lower = this.namespaceURI === HTML_NS ? name.toLowerCase() : name;
    const v = String(value);
    for (const a of this.attributes) {
      if (a.name === lower) {
        a.value = v;
        return;
      }
    }
    this.attributes.push(new LiteAttr(lower, v));
  }

  setAttributeNode(attr: LiteAttr): void {
    this.setAttribute(attr.name, attr.value);
  }

  removeAttribute(name: string): void {
    const lower = this.namespaceURI === HTML_NS ? name.toLowerCase() : name;
    const i = this.attributes.findIndex(a => a.name === lower);
    if (i >= 0) this.attributes.splice(i, 1);
  }

  get id(): string {
    return this.getAttribute('id') ?? '';
  }
  set id(value: string) {
    this.setAttribute('id', value);
  }
  get className(): string {
    return this.getAttribute('class') ?? '';
  }
  set className(value: string) {
    this.setAttribute('class', value);
  }
  get classList(): { contains(name: string): boolean; readonly length: number } {
    const names = this.className.split(/\s+/).filter(Boolean);
    return { contains: (name: string) => names.includes(name), length: names.length };
  }
  /** Reflected as written: Readability only tests these for presence and data: prefixes. */
  get src(): string {
    return this.getAttribute('src') ?? '';
  }
  get srcset(): string {
    return this.getAttribute('srcset') ?? '';
  }
  get href(): string {
    return this.getAttribute('href') ?? '';
  }
  get title(): string {
    return this.getAttribute('title') ?? '';
  }
  get style(): LiteStyle {
    return new LiteStyle(this);
  }
  get hidden(): boolean {
    return this.hasAttribute('hidden');
  }

  get innerHTML(): string {
    return serializeChildren(this);
  }
  set innerHTML(html: string) {
    this.clear();
    if (!html) return;
    if (!fragmentParser) throw new Error('lite-dom: no fragment parser installed');
    this.appendChild(fragmentParser(html, this));
  }

  get outerHTML(): string {
    return serializeNode(this);
  }

  get innerText(): string {
    return this.textContent ?? '';
  }

  matches(selector: string): boolean {
    return matchesSelector(this, compileSelector(selector));
  }

  closest(selector: string): LiteElement | null {
    const compiled: CompiledSelector = compileSelector(selector);
    if (matchesSelector(this, compiled)) return this;
    for (let el = this.parentElement; el; el = el.parentElement) {
      if (matchesSelector(el, compiled)) return el;
    }
    return null;
  }

  cloneNode(deep = false): LiteElement {
    const copy = new LiteElement(
      this.localName,
      this.ownerDocument,
      this.namespaceURI,
      this.attributes.map(a => a.cloneNode()),
    );
    // Readability may have renamed this element in place: copy the names as they are now.
    copy.localName = this.localName;
    copy.tagName = this.tagName;
    if (deep) for (let c = this.firstChild; c; c = c.nextSibling) copy.appendChild(c.cloneNode(true));
    return copy;
  }
}
