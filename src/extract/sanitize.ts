import { blockElementsExcept } from '../shared/blocks.js';
import sanitize from 'sanitize-html';

/**
 * Makes HTML safe for consumers to render: sanitize-html (htmlparser2 underneath, no DOM) with an allow-list
 * of tags and attributes. No scripts, event handlers, javascript:/vbscript: or non-image data: URLs, iframes,
 * forms, styles, SVG or MathML (the namespaces where mutation XSS lives), and nothing that parses differently
 * with scripting on and off (noscript, template, xmp, noembed, noframes). Every URL is made absolute against
 * the page address and must be http(s), mailto or tel; links get rel="noopener noreferrer nofollow".
 *
 * Why this is safe without a browser-grade parser: the output is written by the sanitizer itself, token by
 * token — only allowed tags, only allowed attributes with quoted values in which `& < > "` are escaped, text
 * with `& < >` escaped, no comments — and no allowed tag switches a browser's tokenizer out of ordinary HTML
 * (no raw-text, RCDATA or foreign-content element is allowed). So however htmlparser2 read a hostile input,
 * the output can only parse into allowed elements and attributes; where htmlparser2 reads malformed markup
 * differently from a browser, the difference is in what content survives, never in what can run.
 *
 * Until 2026-12 this was DOMPurify on a jsdom window: a third of an extraction's time (jsdom builds each node
 * slowly) and jsdom loaded into every extraction thread. DOMPurify + jsdom stay as the reference in tests
 * (tests/unit/extract/sanitize-differential.test.ts compares both over every page of the corpora).
 */

/**
 * Tags that survive: article HTML — every block element but forms and dialogs (shared/blocks.ts), and the
 * phrasing, media and table-column elements below. Everything else goes, its text kept unless it is in
 * DROP_CONTENT.
 */
// prettier-ignore
const ALLOWED_TAGS = [
  ...blockElementsExcept('dialog', 'form'),
  'a', 'abbr', 'acronym', 'area', 'audio', 'b', 'bdi', 'bdo', 'big', 'cite', 'code', 'col', 'colgroup', 'data',
  'del', 'dfn', 'dir', 'em', 'font', 'hgroup', 'i', 'img', 'ins', 'kbd', 'label', 'legend', 'map', 'mark', 'menu',
  'meter', 'nobr', 'output', 'picture', 'progress', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'search', 'small',
  'source', 'span', 'strike', 'strong', 'sub', 'sup', 'time', 'track', 'tt', 'u', 'var', 'video', 'wbr',
];

/**
 * Removed tags whose content goes with them: code, styles, embedded documents, form controls, foreign
 * content, and every element htmlparser2 reads as raw text (script, style, textarea, title, xmp) — the raw
 * text of a removed raw-text element would otherwise be copied out unescaped.
 */
const DROP_CONTENT = [
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'plaintext',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'select',
  'option',
  'datalist',
  'button',
  'svg',
  'math',
  'head',
  'dialog',
];

/** Void elements, written as `<br />`. */
const VOID = ['area', 'br', 'col', 'hr', 'img', 'source', 'track', 'wbr'];

/** Attributes worth keeping in article HTML; everything else is dropped (in precleanContent and here). */
const KEEP_ATTRS = [
  'href',
  'src',
  'srcset',
  'sizes',
  'alt',
  'title',
  'width',
  'height',
  'colspan',
  'rowspan',
  'scope',
  'headers',
  'datetime',
  'cite',
  'lang',
  'dir',
  'id',
  'start',
  'reversed',
  'type',
  'poster',
  'controls',
  'abbr',
  'align',
  'valign',
];
const KEEP_ATTR_SET = new Set(KEEP_ATTRS);

const URL_ATTRS = new Set(['href', 'src', 'poster', 'cite']);
const SAFE_SCHEME = /^(?:https?|mailto|tel):/i;
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|avif);base64,/i;
const LINK_REL = 'noopener noreferrer nofollow';
const SCHEMES = ['http', 'https', 'mailto', 'tel'];

const BASE_OPTIONS: sanitize.IOptions = {
  allowedTags: ALLOWED_TAGS,
  // Checked again by sanitize-html after our transform below (which already dropped the rest).
  allowedAttributes: { '*': KEEP_ATTRS, a: ['rel'], area: ['rel'] },
  nonTextTags: DROP_CONTENT,
  disallowedTagsMode: 'discard',
  selfClosing: VOID,
  allowedSchemes: SCHEMES,
  // Inline images: our transform keeps a data: URL only as an <img src> of an image type.
  allowedSchemesByTag: { img: [...SCHEMES, 'data'] },
  allowedSchemesAppliedToAttributes: [...URL_ATTRS],
  // Every URL is absolute by then; a protocol-relative one would take the consumer's scheme.
  allowProtocolRelative: false,
  // No style attribute survives, so postcss never runs.
  parseStyleAttributes: false,
  enforceHtmlBoundary: false,
};

/** An absolute, allowed URL, or null when the value must go. `dataImage`: an inline image may stay. */
export function absolutize(value: string, base: string, dataImage = false): string | null {
  const v = value.trim();
  if (!v) return null;
  if (DATA_IMAGE.test(v)) return dataImage ? v : null;
  let url: URL;
  try {
    url = new URL(v, base);
  } catch {
    return null;
  }
  const href = url.href;
  return SAFE_SCHEME.test(href) ? href : null;
}

function absolutizeSrcset(value: string, base: string): string {
  const out: string[] = [];
  for (const candidate of value.split(/,(?=\s*\S)/)) {
    const [u, ...descriptor] = candidate.trim().split(/\s+/);
    if (!u) continue;
    const abs = absolutize(u, base);
    if (abs) out.push([abs, ...descriptor].join(' '));
  }
  return out.join(', ');
}

/** Keeps the attributes article HTML needs, with absolute URLs; marks links. Runs on every tag. */
function cleanTag(tagName: string, attribs: sanitize.Attributes, base: string): sanitize.Tag {
  const out: sanitize.Attributes = {};
  for (const name of Object.keys(attribs)) {
    if (!KEEP_ATTR_SET.has(name)) continue;
    let value = attribs[name] as string;
    if (URL_ATTRS.has(name)) {
      const abs = absolutize(value, base, tagName === 'img' && name === 'src');
      if (abs === null) continue;
      value = abs;
    } else if (name === 'srcset') {
      value = absolutizeSrcset(value, base);
      if (!value) continue;
    }
    out[name] = value;
  }
  // Where a link opens is the consumer's call (`target` is not kept); what it may do to us is ours.
  if (tagName === 'a' || tagName === 'area') out.rel = LINK_REL;
  return { tagName, attribs: out };
}

/**
 * Sanitizes an HTML string (page content or a feed item's HTML) for rendering; relative URLs are resolved
 * against `baseUrl`.
 */
export function sanitizeHtml(html: string, baseUrl = 'about:blank'): string {
  return sanitize(html, {
    ...BASE_OPTIONS,
    transformTags: { '*': (tagName, attribs) => cleanTag(tagName, attribs, baseUrl) },
  });
}

/** Inline wrappers that carry nothing once their attributes are gone. */
const UNWRAP = new Set(['span', 'font', 'center', 'o:p']);

/**
 * Trims extracted content in place before it is serialized and sanitized: drops attributes outside the
 * keep-list and unwraps attribute-less span/font wrappers. Works on any DOM (lite, linkedom, jsdom). Not
 * relied on for safety: sanitizeHtml applies the same keep-list.
 */
export function precleanContent(root: Element): void {
  const all = Array.from(root.getElementsByTagName('*'));
  for (const el of all) {
    const names = el.getAttributeNames();
    for (const name of names) if (!KEEP_ATTR_SET.has(name)) el.removeAttribute(name);
  }
  for (let i = all.length - 1; i >= 0; i--) {
    const el = all[i];
    if (!el || !UNWRAP.has(el.localName) || el.attributes.length) continue;
    const parent = el.parentNode;
    if (!parent) continue;
    while (el.firstChild) parent.insertBefore(el.firstChild, el);
    parent.removeChild(el);
  }
  collapseWhitespace(root);
}

/** Elements between which whitespace renders as nothing. */
// Whitespace inside pre is content; br and the form-ish blocks never survive sanitizing anyway.
const BLOCKY = blockElementsExcept('br', 'caption', 'center', 'dialog', 'fieldset', 'form', 'pre', 'summary');

const isBlocky = (n: ChildNode | null): boolean =>
  !n || (n.nodeType === 1 && BLOCKY.has((n as Element).localName));

/**
 * Readability's output is indented: runs of whitespace become one space, and whitespace between blocks goes
 * (less to serialize, sanitize and store); <pre> keeps its spacing.
 */
function collapseWhitespace(el: Element): void {
  for (let c = el.firstChild; c;) {
    const next = c.nextSibling;
    if (c.nodeType === 3) {
      const text = c as Text;
      if (/\S/.test(text.data)) {
        if (/\s\s|[\t\n\r\f]/.test(text.data)) text.data = text.data.replace(/[\t\n\r\f ]+/g, ' ');
      } else if (isBlocky(c.previousSibling) && isBlocky(next)) {
        el.removeChild(c);
      } else if (text.data !== ' ') {
        text.data = ' ';
      }
    } else if (c.nodeType === 1 && (c as Element).localName !== 'pre') {
      collapseWhitespace(c as Element);
    }
    c = next;
  }
}
