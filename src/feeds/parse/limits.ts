/**
 * How long a feed's fields may be, applied as each value is read out of the document and before anything else
 * touches it (tag stripping, entity decoding, date and URL parsing). A hostile feed sends a 120 KB title or a
 * 60 KB pubDate; real ones never come near these. Longer text is cut, a longer date is no date.
 */
export const FEED_LIMITS = {
  /** Titles, names, categories, ids, link text: anything that is not a body. Also the longest URL kept. */
  text: 8_192,
  /** Summary and content HTML of one item (a whole article fits; a feed's maxBytes bounds the sum). */
  html: 1_048_576,
  /** A date string longer than this is not a date. */
  date: 256,
} as const;

/** `value` cut to `max` UTF-16 units, never splitting a surrogate pair. */
export function capLength(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = /[\uD800-\uDBFF]/.test(value[max - 1] ?? '') ? max - 1 : max;
  return value.slice(0, cut);
}
