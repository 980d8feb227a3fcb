import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { jsdom } from '../shared/lazy-jsdom.js';

/**
 * Makes HTML safe for consumers to render. DOMPurify on a jsdom window is the security boundary: no scripts,
 * event handlers, javascript:/vbscript: or non-image data: URLs, iframes, forms, styles, SVG or MathML (the
 * namespaces where mutation XSS lives), and nothing that parses differently with scripting on and off
 * (noscript, template, xmp, noembed, noframes). Every URL is made absolute against the page address and
 * must be http(s), mailto or tel; links get rel="noopener noreferrer nofollow".
 *
 * jsdom builds its nodes slowly (tens of microseconds each), so `precleanContent` first trims the content in
 * whatever DOM extraction ran on: attributes consumers cannot use go, attribute-less <span>/<font> wrappers
 * are unwrapped. That halves DOMPurify's work; it is not relied on for safety.
 */

const FORBID_TAGS = [
  'style',
  'link',
  'meta',
  'base',
  'form',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'input',
  'button',
  'textarea',
  'select',
  'option',
  'noscript',
  'template',
  'xmp',
  'noembed',
  'noframes',
  'plaintext',
  'title',
  'dialog',
];

/** Attributes worth keeping in article HTML; everything else is dropped before and by DOMPurify. */
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

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS,
  FORBID_ATTR: ['style', 'class'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  // Only absolute http(s)/mailto/tel survive; relative ones were made absolute by the hook below first.
  ALLOWED_URI_REGEXP: /^(?:https?|mailto|tel):/i,
  RETURN_TRUSTED_TYPE: false,
  // The sanitized <body> is serialized here and its document torn down (see sanitizeHtml).
  RETURN_DOM: true,
};

/** Per-thread: a jsdom window costs milliseconds to build; the base URL of the current call for the hook. */
let purifier: DOMPurify | undefined;
let purifierWindow: Window | undefined;
let currentBase = 'about:blank';

function getPurifier(): DOMPurify {
  if (purifier) return purifier;
  const { window } = new (jsdom().JSDOM)('');
  const p = createDOMPurify(window);
  purifierWindow = window as unknown as Window;
  // Resolve before DOMPurify's URI check, so relative links survive as absolute ones.
  p.addHook('uponSanitizeAttribute', (_node, data) => {
    // USE_PROFILES decides the allowed attributes; narrow them to what article HTML needs.
    if (!KEEP_ATTR_SET.has(data.attrName)) {
      data.keepAttr = false;
    } else if (URL_ATTRS.has(data.attrName)) {
      const abs = absolutize(data.attrValue, currentBase);
      if (abs === null) data.keepAttr = false;
      else data.attrValue = abs;
    } else if (data.attrName === 'srcset') {
      data.attrValue = absolutizeSrcset(data.attrValue, currentBase);
      if (!data.attrValue) data.keepAttr = false;
    }
  });
  // Where a link opens is the consumer's call (DOMPurify drops `target`); what it may do to us is ours.
  p.addHook('afterSanitizeAttributes', node => {
    if (node.nodeName === 'A') node.setAttribute('rel', 'noopener noreferrer nofollow');
  });
  purifier = p;
  return p;
}

/** The window DOMPurify parses into (created on first use); tests read its named properties. */
export function sanitizerWindow(): Window {
  getPurifier();
  return purifierWindow!;
}

/** An absolute, allowed URL, or null when the value must go. Images may keep inline data: images. */
export function absolutize(value: string, base: string): string | null {
  const v = value.trim();
  if (!v) return null;
  if (DATA_IMAGE.test(v)) return v;
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
    if (abs && !abs.startsWith('data:')) out.push([abs, ...descriptor].join(' '));
  }
  return out.join(', ');
}

/**
 * Sanitizes an HTML string (page content or a feed item's HTML) for rendering; relative URLs are resolved
 * against `baseUrl`.
 */
export function sanitizeHtml(html: string, baseUrl = 'about:blank'): string {
  const p = getPurifier();
  currentBase = baseUrl;
  try {
    const body = p.sanitize(html, CONFIG) as unknown as HTMLElement | null;
    if (!body) return '';
    const out = body.innerHTML;
    // jsdom tracks every connected element with an id or name on the window for named access (window.foo),
    // including elements of documents DOMParser made in that window, and forgets one only when it is
    // detached (jsdom#4234). DOMPurify parses each input into such a document on the long-lived purifier
    // window, so without this every sanitized page with an id stayed reachable: ~42 KB per synthetic page,
    // ~620 KB per real one (docs/PERFORMANCE.md). Detaching the tree removes its entries.
    body.ownerDocument.documentElement?.remove();
    return out;
  } finally {
    currentBase = 'about:blank';
  }
}

/** Inline wrappers that carry nothing once their attributes are gone. */
const UNWRAP = new Set(['span', 'font', 'center', 'o:p']);

/**
 * Trims extracted content in place before sanitizing: drops attributes outside the keep-list and unwraps
 * attribute-less span/font wrappers. Works on any DOM (lite, linkedom, jsdom).
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
const BLOCKY = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
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
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

const isBlocky = (n: ChildNode | null): boolean =>
  !n || (n.nodeType === 1 && BLOCKY.has((n as Element).localName));

/**
 * Readability's output is indented; every run of indentation is a text node jsdom builds at some cost. Runs of
 * whitespace become one space, and whitespace between blocks goes; <pre> keeps its spacing.
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
