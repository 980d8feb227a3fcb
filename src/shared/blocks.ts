/**
 * Where a block of text ends, for every reader of HTML in newsflow (feed summaries, content segmentation, word
 * counts, date scanning, boilerplate rules, the sanitizer's whitespace): the elements the HTML rendering rules
 * display as blocks, list items or table parts, plus the two voids that break a line (`br`, `hr`). Each user
 * takes this list and says what it leaves out and why (`blockElementsExcept`), so there is one vocabulary and
 * every difference from it is a decision written where it is made.
 */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/** BLOCK_ELEMENTS without `tags` (lower-case names); throws on a name that is not in it, so typos cannot hide. */
export function blockElementsExcept(...tags: string[]): ReadonlySet<string> {
  for (const t of tags) if (!BLOCK_ELEMENTS.has(t)) throw new Error(`${t} is not a block element`);
  const out = new Set(BLOCK_ELEMENTS);
  for (const t of tags) out.delete(t);
  return out;
}
