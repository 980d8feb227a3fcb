/**
 * Accessors for the object tree xml2js builds (explicitArray: every child is an array; a
 * text-only element without attributes is a bare string; text sits in `_`, attributes in `$`).
 */
import { capLength, FEED_LIMITS } from './limits.js';

export type XNode = string | XObject;
export interface XObject {
  _?: string;
  $?: Record<string, string>;
  [child: string]: unknown;
}

export function isObject(node: unknown): node is XObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

export function children(node: unknown, name: string): XNode[] {
  if (!isObject(node)) return [];
  const v = node[name];
  if (!Array.isArray(v)) return [];
  return v.filter((c): c is XNode => typeof c === 'string' || isObject(c));
}

export function child(node: unknown, name: string): XNode | undefined {
  return children(node, name)[0];
}

/** The first of several names that is present. */
export function childOf(node: unknown, names: readonly string[]): XNode | undefined {
  for (const n of names) {
    const c = child(node, n);
    if (c !== undefined) return c;
  }
  return undefined;
}

export function attr(node: unknown, name: string): string | undefined {
  if (!isObject(node) || !node.$) return undefined;
  const v = node.$[name];
  return typeof v === 'string' ? capLength(v, FEED_LIMITS.text) : undefined;
}

/**
 * The element's own text (CDATA included), cut to `max` (FEED_LIMITS.text unless the field is a body); '' for
 * none.
 */
export function textOf(node: unknown, max: number = FEED_LIMITS.text): string {
  if (typeof node === 'string') return capLength(node, max);
  if (isObject(node) && typeof node._ === 'string') return capLength(node._, max);
  return '';
}

/** Trimmed text of the first child called `name` that has any; null when none has. */
export function childText(node: unknown, ...names: string[]): string | null {
  for (const n of names) {
    for (const c of children(node, n)) {
      const t = textOf(c).trim();
      if (t) return t;
    }
  }
  return null;
}
