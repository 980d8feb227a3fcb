// The fixed fit / validation split of every dev corpus (issue 15). A page belongs to the *fit* part when the
// first byte of SHA-256(page id) is below 128, else to the *validation* part: about half each, stable across
// runs, machines and corpus order, and independent of the page's content. Page ids are the corpora's own keys:
// aeb-dev ids, readability-pages slugs, and the URLs of dates-dev and trafilatura-dev.
//
// Rules and models are designed and trained on fit pages only; validation pages are scored, never read.
import { createHash } from 'node:crypto';

/** @typedef {'fit' | 'validation'} Part */
export const PARTS = /** @type {const} */ (['fit', 'validation']);

/** @param {string} id @returns {Part} */
export function partOf(id) {
  return createHash('sha256').update(id, 'utf8').digest()[0] < 128 ? 'fit' : 'validation';
}

/**
 * The entries of a ground-truth object that belong to `part`, as a new object (key order kept).
 * @template T
 * @param {Record<string, T>} truth
 * @param {Part} part
 * @returns {Record<string, T>}
 */
export function pick(truth, part) {
  return Object.fromEntries(Object.entries(truth).filter(([id]) => partOf(id) === part));
}
