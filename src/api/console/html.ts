/**
 * HTML built by a tagged template that escapes every interpolated value, so a page cannot forget to: a value is
 * trusted only when it is a SafeHtml this module made (another template, or `raw` for markup sanitized
 * elsewhere). Escaping covers both text and quoted attribute values (`&<>"'` and the backtick).
 */

export class SafeHtml {
  // A private field makes the class nominal: an object literal of the same shape is not a SafeHtml.
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, c => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup already made safe by its producer (the pipeline's sanitizer): the one way around escaping. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * An address fit for href: only http(s) (a feed or page may name `javascript:` or `data:` URLs), else null and
 * the caller shows it as text.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** An outside link (no referrer), or the address as plain text when it is not http(s). */
export function extLink(url: string | null | undefined, label?: HtmlValue): SafeHtml {
  const href = safeHref(url);
  const text = label ?? url ?? '';
  return href ? html`<a href="${href}" rel="noreferrer noopener">${text}</a>` : html`<span>${text}</span>`;
}
