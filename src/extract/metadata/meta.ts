/** The page's meta tags as a map (key → values in document order) and the small helpers reading it. */
import { collapse, decodeEntities as decodeText } from './text.js';
import { indexDocument, type DocIndex } from './doc-index.js';
import { parentOf } from './dom.js';

export type MetaMap = Map<string, string[]>;

const INDEX = new WeakMap<Document, DocIndex>();

/** Indexes the document afresh: the caller may have changed it since the last index. */
export function reindex(doc: Document): void {
  INDEX.set(doc, indexDocument(doc));
}

export function indexOf(doc: Document): DocIndex {
  let idx = INDEX.get(doc);
  if (!idx) {
    idx = indexDocument(doc);
    INDEX.set(doc, idx);
  }
  return idx;
}

export function collectMeta(doc: Document): MetaMap {
  const map: MetaMap = new Map();
  for (const el of indexOf(doc).metas) {
    const key = (
      el.getAttribute('property') ??
      el.getAttribute('name') ??
      el.getAttribute('itemprop') ??
      el.getAttribute('http-equiv') ??
      ''
    )
      .trim()
      .toLowerCase();
    const value = el.getAttribute('content') ?? el.getAttribute('value');
    if (!key || value === null) continue;
    // Microdata of nested items (cited papers, reviews, related articles) is not about this page.
    if (!el.hasAttribute('name') && !el.hasAttribute('property') && inNestedItem(el)) continue;
    const v = value.replace(/\s+/g, ' ').trim();
    if (!v) continue;
    // Some pages put the same property in both name= and property=; keep each key's values in order.
    for (const k of key.split(/\s+/)) {
      const list = map.get(k);
      if (list) list.push(v);
      else map.set(k, [v]);
    }
  }
  return map;
}

function inNestedItem(el: Element): boolean {
  for (let cur = parentOf(el); cur; cur = parentOf(cur)) {
    if (cur.hasAttribute('itemscope')) return cur.hasAttribute('itemprop');
  }
  return false;
}

export function first(meta: MetaMap, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = meta.get(k)?.[0];
    if (v) return v;
  }
  return null;
}

export function all(meta: MetaMap, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) out.push(...(meta.get(k) ?? []));
  return out;
}

/** Meta content is already entity-decoded by the parser; JSON-LD and double-encoded values are not. */
export function cleanText(s: string): string {
  return collapse(decodeText(s));
}
