/** The document and fragment nodes of the lite DOM (lite-dom.ts); the parser (parse.ts) makes documents. */
import { DOCUMENT_FRAGMENT_NODE, DOCUMENT_NODE } from './lite-parts.js';
import { LiteComment, LiteElement, LiteParent, LiteText, type LiteOwnerDocument } from './lite-dom.js';

export class LiteFragment extends LiteParent {
  constructor(doc: LiteOwnerDocument) {
    super(DOCUMENT_FRAGMENT_NODE, doc);
  }
  get nodeName(): string {
    return '#document-fragment';
  }
  cloneNode(deep = false): LiteFragment {
    const copy = new LiteFragment(this.ownerDocument);
    if (deep) for (let c = this.firstChild; c; c = c.nextSibling) copy.appendChild(c.cloneNode(true));
    return copy;
  }
}

export class LiteDocument extends LiteParent implements LiteOwnerDocument {
  /** The document's address; `baseURI` also honours `<base href>`. */
  readonly documentURI: string;
  mode: 'no-quirks' | 'quirks' | 'limited-quirks' = 'no-quirks';

  constructor(url: string) {
    // A document owns itself; `this` is not available before super(), so patch it right after.
    super(DOCUMENT_NODE, null as unknown as LiteOwnerDocument);
    this.ownerDocument = this;
    this.documentURI = url;
  }

  get nodeName(): string {
    return '#document';
  }
  get URL(): string {
    return this.documentURI;
  }

  get documentElement(): LiteElement | null {
    return this.firstElementChild;
  }
  get head(): LiteElement | null {
    return this.documentElement?.children.find(c => c.localName === 'head') ?? null;
  }
  get body(): LiteElement | null {
    return this.documentElement?.children.find(c => c.localName === 'body') ?? null;
  }

  /** As the DOM defines it: the first <title>'s text, whitespace stripped and collapsed. */
  get title(): string {
    const t = this.descendants('title', [])[0];
    return t ? (t.textContent ?? '').replace(/[\t\n\f\r ]+/g, ' ').trim() : '';
  }

  get baseURI(): string {
    const base = this.descendants('base', []).find(b => b.hasAttribute('href'));
    if (!base) return this.documentURI;
    try {
      return new URL(base.getAttribute('href') ?? '', this.documentURI).href;
    } catch {
      return this.documentURI;
    }
  }

  override get textContent(): null {
    return null;
  }
  override set textContent(_value: string | null) {
    // A document's textContent cannot be set (DOM: no-op).
  }

  createElement(name: string): LiteElement {
    return new LiteElement(name, this);
  }
  createElementNS(ns: string, name: string): LiteElement {
    return new LiteElement(name, this, ns);
  }
  createTextNode(data: string): LiteText {
    return new LiteText(data, this);
  }
  createComment(data: string): LiteComment {
    return new LiteComment(data, this);
  }
  createDocumentFragment(): LiteFragment {
    return new LiteFragment(this);
  }

  getElementById(id: string): LiteElement | null {
    return this.descendants(null, []).find(el => el.getAttribute('id') === id) ?? null;
  }

  cloneNode(deep = false): LiteDocument {
    const copy = new LiteDocument(this.documentURI);
    if (deep) for (let c = this.firstChild; c; c = c.nextSibling) copy.appendChild(c.cloneNode(true));
    return copy;
  }
}
