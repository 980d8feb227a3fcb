/**
 * The leaves of the lite DOM (lite-dom.ts): node type numbers, attributes and the inline-style view — what
 * needs no node class.
 */
export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const COMMENT_NODE = 8;
export const DOCUMENT_NODE = 9;
export const DOCUMENT_TYPE_NODE = 10;
export const DOCUMENT_FRAGMENT_NODE = 11;

export const HTML_NS = 'http://www.w3.org/1999/xhtml';

export class LiteAttr {
  constructor(
    public name: string,
    public value: string,
  ) {}
  get localName(): string {
    return this.name;
  }
  get nodeName(): string {
    return this.name;
  }
  cloneNode(): LiteAttr {
    return new LiteAttr(this.name, this.value);
  }
}

/** The inline style attribute read as a declaration map; Readability asks for `display` and `visibility`. */
export class LiteStyle {
  constructor(private readonly el: { getAttribute(name: string): string | null }) {}
  getPropertyValue(name: string): string {
    const css = this.el.getAttribute('style');
    if (!css) return '';
    let value = '';
    for (const decl of css.split(';')) {
      const i = decl.indexOf(':');
      if (i > 0 && decl.slice(0, i).trim().toLowerCase() === name) {
        value = decl
          .slice(i + 1)
          .replace(/!important/i, '')
          .trim()
          .toLowerCase();
      }
    }
    return value;
  }
  get display(): string {
    return this.getPropertyValue('display');
  }
  get visibility(): string {
    return this.getPropertyValue('visibility');
  }
}
