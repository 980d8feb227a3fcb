/** Text helpers shared by the metadata readers. */
import { decodeHTMLStrict } from 'entities';

/**
 * Decodes HTML character references left in values that never went through an HTML parser (JSON-LD strings) or
 * were double-encoded ("&amp;oacute;"): the `entities` library's full HTML table, references with their `;`.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  const once = decodeHTMLStrict(s);
  return once.includes('&') ? decodeHTMLStrict(once) : once;
}

export function collapse(s: string): string {
  return s.replace(/[\s\u00a0\u200b\u200e\u200f]+/g, ' ').trim();
}
