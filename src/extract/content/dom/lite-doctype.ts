/** The doctype node of the lite DOM; only the parser (parse.ts) makes one. */
import { DOCUMENT_TYPE_NODE } from './lite-parts.js';
import { LiteNode, type LiteOwnerDocument } from './lite-dom.js';

export class LiteDocumentType extends LiteNode {
  constructor(
    public name: string,
    public publicId: string,
    public systemId: string,
    doc: LiteOwnerDocument,
  ) {
    super(DOCUMENT_TYPE_NODE, doc);
  }
  get nodeName(): string {
    return this.name;
  }
  get textContent(): null {
    return null;
  }
  set textContent(_value: string | null) {
    // Setting textContent on a doctype does nothing, as in the DOM.
  }
  cloneNode(): LiteDocumentType {
    return new LiteDocumentType(this.name, this.publicId, this.systemId, this.ownerDocument);
  }
}
