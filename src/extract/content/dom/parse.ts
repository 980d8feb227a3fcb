/**
 * Builds lite-DOM trees with parse5, the spec-conformant parser jsdom itself uses, so the tree Readability
 * sees has the same shape (implied tags, table fixes, adoption agency) as in jsdom. parse5 comes with jsdom.
 */
import { parse, parseFragment, type TreeAdapter, type TreeAdapterTypeMap, type html } from 'parse5';
import {
  LiteAttr,
  LiteComment,
  LiteElement,
  type LiteNode,
  type LiteParent,
  LiteText,
  setFragmentParser,
} from './lite-dom.js';
import { LiteDocumentType } from './lite-doctype.js';
import { LiteDocument, LiteFragment } from './lite-document.js';

type LiteMap = TreeAdapterTypeMap<
  LiteNode,
  LiteParent,
  LiteNode,
  LiteDocument,
  LiteFragment,
  LiteElement,
  LiteComment,
  LiteText,
  LiteElement,
  LiteDocumentType
>;

/** The document new nodes belong to; parsing is synchronous, so one slot per thread is enough. */
let owner: LiteDocument = new LiteDocument('about:blank');
let ownerUrl = 'about:blank';
/** parse5 builds a scratch document for fragment parsing; its nodes must still belong to the real one. */
let parsingFragment = false;
const templateContents = new WeakMap<LiteElement, LiteFragment>();

const adapter: TreeAdapter<LiteMap> = {
  createDocument: () => {
    const doc = new LiteDocument(ownerUrl);
    if (!parsingFragment) owner = doc;
    return doc;
  },
  createDocumentFragment: () => new LiteFragment(owner),
  createElement: (tagName, namespaceURI, attrs) =>
    new LiteElement(
      tagName,
      owner,
      namespaceURI,
      attrs.map(a => new LiteAttr(a.prefix ? `${a.prefix}:${a.name}` : a.name, a.value)),
    ),
  createCommentNode: data => new LiteComment(data, owner),
  createTextNode: value => new LiteText(value, owner),
  appendChild: (parent, node) => {
    parent.appendChild(node);
  },
  insertBefore: (parent, node, ref) => {
    parent.insertBefore(node, ref);
  },
  setTemplateContent: (template, content) => {
    templateContents.set(template, content);
  },
  getTemplateContent: template => {
    let content = templateContents.get(template);
    if (!content) {
      content = new LiteFragment(owner);
      templateContents.set(template, content);
    }
    return content;
  },
  setDocumentType: (doc, name, publicId, systemId) => {
    const doctype = new LiteDocumentType(name, publicId, systemId, doc);
    const existing = doc.childNodes.find(n => n.nodeType === 10);
    if (existing) doc.replaceChild(doctype, existing);
    else doc.insertBefore(doctype, doc.firstChild);
  },
  setDocumentMode: (doc, mode) => {
    doc.mode = mode;
  },
  getDocumentMode: doc => doc.mode as html.DOCUMENT_MODE,
  detachNode: node => {
    node.parentNode?.removeChild(node);
  },
  insertText: (parent, text) => {
    const last = parent.lastChild;
    if (last && last.nodeType === 3) (last as LiteText).data += text;
    else parent.appendChild(new LiteText(text, owner));
  },
  insertTextBefore: (parent, text, ref) => {
    const prev = ref.previousSibling;
    if (prev && prev.nodeType === 3) (prev as LiteText).data += text;
    else parent.insertBefore(new LiteText(text, owner), ref);
  },
  adoptAttributes: (recipient, attrs) => {
    for (const a of attrs) if (!recipient.hasAttribute(a.name)) recipient.setAttribute(a.name, a.value);
  },
  getFirstChild: node => node.firstChild,
  getChildNodes: node => node.childNodes,
  getParentNode: node => node.parentNode,
  getAttrList: el => el.attributes,
  getTagName: el => el.localName,
  getNamespaceURI: el => el.namespaceURI as html.NS,
  getTextNodeContent: node => node.data,
  getCommentNodeContent: node => node.data,
  getDocumentTypeNodeName: node => node.name,
  getDocumentTypeNodePublicId: node => node.publicId,
  getDocumentTypeNodeSystemId: node => node.systemId,
  isTextNode: (node): node is LiteText => node.nodeType === 3,
  isCommentNode: (node): node is LiteComment => node.nodeType === 8,
  isDocumentTypeNode: (node): node is LiteDocumentType => node.nodeType === 10,
  isElementNode: (node): node is LiteElement => node.nodeType === 1,
  setNodeSourceCodeLocation: () => undefined,
  getNodeSourceCodeLocation: () => undefined,
  updateNodeSourceCodeLocation: () => undefined,
};

// Scripting off, as in jsdom without runScripts: <noscript> content is parsed as elements.
const options = { treeAdapter: adapter, scriptingEnabled: false };

/** Parses a whole page into a lite DOM document whose address (and default base URL) is `url`. */
export function parseLiteDocument(html: string, url: string): LiteDocument {
  ownerUrl = url;
  try {
    return parse<LiteMap>(html, options);
  } finally {
    ownerUrl = 'about:blank';
  }
}

/** Parses markup as the children of `context` (innerHTML semantics). */
export function parseLiteFragment(html: string, context: LiteElement): LiteFragment {
  const previous = owner;
  // Every document in the lite DOM is a LiteDocument (this module makes them); nodes name it by an interface.
  owner = context.ownerDocument as LiteDocument;
  parsingFragment = true;
  try {
    return parseFragment<LiteMap>(context, html, options);
  } finally {
    parsingFragment = false;
    owner = previous;
  }
}

setFragmentParser(parseLiteFragment);
