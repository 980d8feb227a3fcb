import { decodeEntities, escapeHtml, namedEntity, numericEntity } from './html.js';

/**
 * Makes feed "XML" well-formed before the strict parser sees it, without changing what a valid document says.
 * Real feeds break XML in a handful of ways, and each would otherwise fail the whole feed:
 * - bytes before the prolog (BOM, whitespace, PHP warnings), control characters XML forbids;
 * - HTML entities (`&nbsp;`, `&eacute;`), DTD-declared entities, bare `&` (`AT&T`, `?a=1&b=2`), bare `<`;
 * - unquoted or valueless attributes, `<enclosure …>` never closed, truncated documents, junk after the root;
 * - markup left unescaped inside text elements (`<description><p>…</p></description>`) and inline XHTML
 *   content: both are captured verbatim (as CDATA marked `data-nf-raw`) because an object tree loses their order;
 * - namespace prefixes that are not the usual ones (`<a:feed xmlns:a="http://www.w3.org/2005/Atom">`): element
 *   and attribute names are rewritten to canonical prefixes by namespace URI (see `canonicalName`).
 * Comments and the DOCTYPE are dropped.
 */
export interface PreparedXml {
  text: string;
  /** Canonical name of the root element, or null when there is none. */
  root: string | null;
  /** Document prefix → canonical prefix ('' = unprefixed) for prefixes bound to namespaces we know. */
  prefixes: ReadonlyMap<string, string>;
  /** Element and attribute names are upper- or mixed-case where the specs write them in lower case. */
  foldCase: boolean;
  /** Prefixes bound to the XHTML namespace in the document (stripped from captured XHTML). */
  xhtmlPrefixes: readonly string[];
}

export const RAW_MARKER = 'data-nf-raw';

const NS_ATOM10 = 'http://www.w3.org/2005/Atom';
const NS_ATOM03 = 'http://purl.org/atom/ns#';
const NS_XHTML = 'http://www.w3.org/1999/xhtml';

/** Namespace URI → canonical prefix. Atom's becomes '' in Atom documents (see prepareXml). */
const KNOWN_NS: Record<string, string> = {
  [NS_ATOM10]: 'atom',
  [NS_ATOM03]: 'atom',
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://rssnamespace.org/feedburner/ext/1.0': 'feedburner',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  [NS_XHTML]: 'xhtml',
};

/** Text elements whose content is captured verbatim when it holds markup (by canonical name). */
const RAW_CANDIDATES = new Set([
  'content',
  'summary',
  'title',
  'subtitle',
  'tagline',
  'rights',
  'copyright',
  'info',
  'description',
  'content:encoded',
  'xhtml:body',
  'body',
  'atom:content',
  'atom:summary',
  'atom:title',
]);

/** Elements that never have content; feeds sometimes forget the `/` of `<enclosure … />`. */
const EMPTY_ELEMENTS = new Set(['enclosure', 'media:thumbnail', 'itunes:image', 'atom:link']);
const EMPTY_IN_ATOM = new Set(['link', 'category']);

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/** The camelCase names of RSS/Atom and common modules, for case-folding shouting documents. */
const CAMEL: Record<string, string> = Object.fromEntries(
  [
    'lastBuildDate',
    'pubDate',
    'managingEditor',
    'webMaster',
    'skipHours',
    'skipDays',
    'textInput',
    'isPermaLink',
    'feedburner:origLink',
    'rdf:RDF',
    'xmlUrl',
    'htmlUrl',
  ].map(n => [n.toLowerCase(), n]),
);
const NAME = /^[A-Za-z_][\w.:-]*/;

export function prepareXml(input: string): PreparedXml {
  // eslint-disable-next-line no-control-regex -- NUL padding before the document is junk too
  let text = input.replace(/^[\uFEFF\s\u0000]+/, '');
  const decl = text.indexOf('<?xml');
  if (decl > 0 && decl < 8192) text = text.slice(decl);
  else if (!text.startsWith('<')) {
    const lt = text.indexOf('<');
    text = lt >= 0 ? text.slice(lt) : '';
  }
  // XML 1.0 forbids C0 controls other than tab/CR/LF, lone surrogates and U+FFFE/U+FFFF.
  text = text.replace(
    // eslint-disable-next-line no-control-regex -- these are exactly the characters XML forbids
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '',
  );

  const namespaces = new Map<string, string>();
  // Bounded values: an unclosed quote is not searched for again from every later xmlns.
  for (const m of text.matchAll(
    /\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(?:"([^"\n]{0,2048})"|'([^'\n]{0,2048})')/g,
  )) {
    const prefix = m[1] ?? '';
    if (!namespaces.has(prefix)) namespaces.set(prefix, (m[2] ?? m[3])!.trim());
  }
  const rootQName = rootElementName(text);
  const rootPrefix = rootQName?.includes(':') ? rootQName.split(':')[0]! : '';
  const rootNs = namespaces.get(rootPrefix);
  const isAtomDoc =
    rootNs === NS_ATOM10 || rootNs === NS_ATOM03 || /^(?:[\w.-]+:)?feed$/.test(rootQName ?? '');

  const prefixes = new Map<string, string>();
  const xhtmlPrefixes: string[] = [];
  for (const [prefix, uri] of namespaces) {
    if (!prefix) continue;
    if (uri === NS_XHTML) xhtmlPrefixes.push(prefix);
    let canonical = KNOWN_NS[uri];
    if (canonical === undefined) continue;
    if (isAtomDoc && (uri === NS_ATOM10 || uri === NS_ATOM03)) canonical = '';
    if (canonical !== prefix) prefixes.set(prefix, canonical);
  }
  // Feeds from the 1990s sometimes shout (<RSS><CHANNEL><ITEM>): fold them to the spec's spelling.
  const rootLocal = rootQName?.split(':').pop() ?? '';
  const foldCase = /^(?:rss|channel|feed)$/i.test(rootLocal) && rootLocal !== rootLocal.toLowerCase();
  const canonicalName = nameProcessor(prefixes, foldCase);

  const out = new Scanner(text, canonicalName, isAtomDoc).run();
  return {
    text: out.text,
    root: rootQName ? canonicalName(rootQName) : null,
    prefixes,
    foldCase,
    xhtmlPrefixes,
  };
}

/** Prefix-aware name rewriting for the parser's tag and attribute name processors. */
export function nameProcessor(
  prefixes: ReadonlyMap<string, string>,
  foldCase = false,
): (name: string) => string {
  return (raw: string) => {
    const name = foldCase ? (CAMEL[raw.toLowerCase()] ?? raw.toLowerCase()) : raw;
    const colon = name.indexOf(':');
    if (colon < 0) return name;
    const prefix = name.slice(0, colon);
    if (prefix === 'xml' || prefix === 'xmlns') return name;
    const to = prefixes.get(prefix);
    if (to === undefined) return name;
    return to ? `${to}:${name.slice(colon + 1)}` : name.slice(colon + 1);
  };
}

/** The most characters internal-subset entities may add to one document, whatever its size. */
const MAX_ENTITY_EXPANSION = 1_000_000;
/** An unquoted attribute value, matched in place (sticky) rather than on a copy of the rest of the document. */
const UNQUOTED = /[^\s>]*/y;

class Scanner {
  private out = '';
  private i = 0;
  private readonly stack: string[] = [];
  /** Where each open element's start tag begins in `out`, to drop an item cut off by a truncated download. */
  private readonly starts: number[] = [];
  private readonly entities = new Map<string, string>();
  private rootClosed = false;
  /**
   * Characters internal-subset entities may still expand to: no more than the document itself, and 1 MB at
   * most — one large entity referenced many times no longer multiplies the input (a 1 MB feed made 500 MB).
   * References past the budget stay as literal text.
   */
  private expansionLeft: number;
  /** Where the next '<' and '&' are (-1: none left), so no step searches the rest of a large document again. */
  private nextLt = -2;
  private nextAmp = -2;
  /** Characters findInner may still scan ahead (see there). */
  private innerBudget: number;

  constructor(
    private readonly s: string,
    private readonly canonical: (qname: string) => string,
    private readonly atomDoc: boolean,
  ) {
    this.expansionLeft = Math.min(s.length, MAX_ENTITY_EXPANSION);
    this.innerBudget = 4 * s.length + 1_000_000;
  }

  run(): { text: string } {
    const s = this.s;
    while (this.i < s.length && !this.rootClosed) {
      if (this.nextLt !== -1 && this.nextLt < this.i) this.nextLt = s.indexOf('<', this.i);
      if (this.nextAmp !== -1 && this.nextAmp < this.i) this.nextAmp = s.indexOf('&', this.i);
      const lt = this.nextLt;
      const amp = this.nextAmp;
      const next = lt < 0 ? amp : amp < 0 ? lt : Math.min(lt, amp);
      if (next < 0) {
        this.text(s.slice(this.i));
        this.i = s.length;
        break;
      }
      if (next > this.i) this.text(s.slice(this.i, next));
      this.i = next;
      if (s[next] === '&') {
        this.out += this.entity();
        continue;
      }
      this.markup();
    }
    if (!this.rootClosed) {
      // Truncated: an item or entry still open at the end is incomplete, so it goes rather than half-parsed.
      const cut = this.stack.findIndex(n => /^(?:[\w.-]+:)?(?:item|entry)$/.test(n));
      if (cut >= 0) {
        this.out = this.out.slice(0, this.starts[cut]);
        this.stack.length = cut;
        this.starts.length = cut;
      }
    }
    while (this.stack.length > 0) this.close();
    return { text: this.out };
  }

  private close(): void {
    this.out += `</${this.stack.pop()!}>`;
    this.starts.pop();
  }

  /** Text outside any element is dropped (it is the junk strict parsers choke on). */
  private text(t: string): void {
    if (this.stack.length > 0) this.out += t.replace(/>/g, '&gt;');
  }

  private markup(): void {
    const s = this.s;
    const i = this.i;
    if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i + 9);
      const body = end < 0 ? s.slice(i + 9) : s.slice(i + 9, end);
      if (this.stack.length > 0) this.out += cdata(body);
      this.i = end < 0 ? s.length : end + 3;
      return;
    }
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      this.i = end < 0 ? s.length : end + 3;
      return;
    }
    if (/^<!DOCTYPE/i.test(s.slice(i, i + 9))) {
      this.doctype();
      return;
    }
    if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i + 2);
      const pi = end < 0 ? '' : s.slice(i, end + 2);
      // Only the XML declaration is kept, and only at the very start.
      if (i === 0 && /^<\?xml\s/.test(pi)) this.out += pi;
      this.i = end < 0 ? s.length : end + 2;
      return;
    }
    if (s.startsWith('<!', i)) {
      const end = s.indexOf('>', i);
      this.i = end < 0 ? s.length : end + 1;
      return;
    }
    if (s[i + 1] === '/') {
      this.endTag();
      return;
    }
    const name = NAME.exec(s.slice(i + 1, i + 200))?.[0];
    if (!name) {
      // "a < b": a lone less-than in text.
      if (this.stack.length > 0) this.out += '&lt;';
      this.i = i + 1;
      return;
    }
    this.startTag(name);
  }

  private doctype(): void {
    const s = this.s;
    let j = this.i + 9;
    let depth = 0;
    for (; j < s.length; j++) {
      const c = s[j];
      if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) break;
    }
    const body = s.slice(this.i, j);
    // Internal-subset entities with literal values; parameter entities and external ones are ignored.
    // Values may use the predefined and numeric references, never other entities (no expansion bombs).
    for (const m of body.matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(["'])([^"'%]*)\2\s*>/g)) {
      const value = m[3]!;
      if (/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(value) || this.entities.size >= 256) {
        continue;
      }
      this.entities.set(m[1]!, decodeEntities(value));
    }
    this.i = j + 1;
  }

  private endTag(): void {
    const s = this.s;
    const end = s.indexOf('>', this.i);
    const raw = s.slice(this.i + 2, end < 0 ? s.length : end).trim();
    this.i = end < 0 ? s.length : end + 1;
    const name = NAME.exec(raw)?.[0];
    if (!name) return;
    const at = this.stack.lastIndexOf(name);
    // An end tag nothing opened is dropped; one that skips open elements closes them too.
    if (at < 0) return;
    while (this.stack.length > at) this.close();
    if (this.stack.length === 0) this.rootClosed = true;
  }

  private startTag(name: string): void {
    const s = this.s;
    let j = this.i + 1 + name.length;
    const attrs: [string, string][] = [];
    const names = new Set<string>();
    let selfClosing = false;
    let closed = false;
    while (j < s.length) {
      while (j < s.length && /\s/.test(s[j]!)) j++;
      if (s[j] === '>') {
        j++;
        closed = true;
        break;
      }
      if (s[j] === '/' && s[j + 1] === '>') {
        j += 2;
        selfClosing = true;
        closed = true;
        break;
      }
      if (s[j] === '<') break;
      const an = /^[^\s=/>"'<]+/.exec(s.slice(j, j + 200))?.[0];
      if (!an) {
        j++;
        continue;
      }
      j += an.length;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      let value = an;
      if (s[j] === '=') {
        j++;
        while (j < s.length && /\s/.test(s[j]!)) j++;
        const q = s[j];
        if (q === '"' || q === "'") {
          const endQ = s.indexOf(q, j + 1);
          value = s.slice(j + 1, endQ < 0 ? s.length : endQ);
          j = endQ < 0 ? s.length : endQ + 1;
        } else {
          UNQUOTED.lastIndex = j;
          value = UNQUOTED.exec(s)?.[0] ?? '';
          j += value.length;
          if (value.endsWith('/') && s[j] === '>') {
            value = value.slice(0, -1);
            selfClosing = true;
            closed = true;
            j++;
            break;
          }
        }
      }
      if (NAME.test(an) && NAME.exec(an)![0] === an && !names.has(an)) {
        names.add(an);
        attrs.push([an, value]);
      }
    }
    this.i = j;
    if (!closed && j >= s.length) return; // truncated inside a tag
    const cname = this.canonical(name);
    if (!selfClosing && this.forgotSlash(cname, name, attrs)) selfClosing = true;
    const attrText = attrs.map(([k, v]) => ` ${k}="${this.attrValue(v)}"`).join('');

    if (this.stack.length === 0 && this.out.replace(/^<\?xml[^>]*\?>/, '').trim() !== '') {
      // A second root element: everything from here on is junk after the document.
      this.rootClosed = true;
      return;
    }
    if (selfClosing) {
      this.out += `<${name}${attrText}/>`;
      if (this.stack.length === 0) this.rootClosed = true;
      return;
    }
    if (RAW_CANDIDATES.has(cname) && this.stack.length > 0) {
      const inner = this.findInner(name);
      if (inner && /<[A-Za-z_]/.test(stripCdata(inner.text))) {
        this.out += `<${name}${attrText} ${RAW_MARKER}="1">${cdata(rawMarkup(inner.text))}</${name}>`;
        this.i = inner.next;
        return;
      }
    }
    this.starts.push(this.out.length);
    this.out += `<${name}${attrText}>`;
    this.stack.push(name);
  }

  /** `<enclosure url="…">` followed by anything but `</enclosure>` was meant to be empty. */
  private forgotSlash(cname: string, name: string, attrs: [string, string][]): boolean {
    const empty = EMPTY_ELEMENTS.has(cname) || (this.atomDoc && EMPTY_IN_ATOM.has(cname) && attrs.length > 0);
    if (!empty) return false;
    const rest = this.s.slice(this.i, this.i + 400);
    return !new RegExp(`^\\s*</${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*>`).test(rest);
  }

  /** The content of the element whose start tag just ended, up to its matching end tag (same-name nesting counted). */
  private findInner(name: string): { text: string; next: number } | undefined {
    const s = this.s;
    // Each call scans ahead to the matching end tag; 40 000 unclosed <title>s made that quadratic (35 s). The
    // look-ahead has a budget of a few passes over the document; past it, elements are read as they come.
    if (this.innerBudget <= 0) return undefined;
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // An unclosed CDATA section, comment or tag runs to the end: found once, not again from each opening.
    const re = new RegExp(
      `<!\\[CDATA\\[[\\s\\S]*?(?:\\]\\]>|$)|<!--[\\s\\S]*?(?:-->|$)|<(/?)${esc}(?=[\\s/>])[^>]*?(?:(/?)>|$)`,
      'g',
    );
    re.lastIndex = this.i;
    let depth = 1;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s))) {
      if (m[0].startsWith('<!')) continue;
      if (m[1]) depth--;
      else if (!m[2]) depth++;
      if (depth === 0) {
        this.innerBudget -= m.index - this.i;
        return { text: s.slice(this.i, m.index), next: m.index + m[0].length };
      }
    }
    this.innerBudget -= s.length - this.i;
    return undefined;
  }

  private attrValue(v: string): string {
    let out = '';
    let k = 0;
    while (k < v.length) {
      const amp = v.indexOf('&', k);
      if (amp < 0) {
        out += v.slice(k);
        break;
      }
      out += v.slice(k, amp);
      const [replacement, consumed] = this.entityAt(v, amp);
      out += replacement;
      k = amp + consumed;
    }
    return out.replace(/</g, '&lt;').replace(/"/g, '&quot;');
  }

  /** At `&` in text: outside the root it is dropped, inside it becomes a well-formed reference. */
  private entity(): string {
    const [replacement, consumed] = this.entityAt(this.s, this.i);
    this.i += consumed;
    return this.stack.length > 0 ? replacement : '';
  }

  /** A well-formed replacement for the `&` at `pos` of `s`, and how many characters it stands for. */
  private entityAt(s: string, pos: number): [string, number] {
    const m = /^&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z_][\w.-]{0,31});/.exec(s.slice(pos, pos + 42));
    if (!m) return ['&amp;', 1];
    const ref = m[1]!;
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const ch = numericEntity(code);
      return [ch === null ? '' : charRefs(ch), m[0].length];
    }
    if (XML_ENTITIES.has(ref)) return [m[0], m[0].length];
    const declared = this.entities.get(ref);
    if (declared !== undefined) {
      if (declared.length > this.expansionLeft) return [`&amp;${ref};`, m[0].length];
      this.expansionLeft -= declared.length;
      return [escapeHtml(declared).replace(/"/g, '&quot;'), m[0].length];
    }
    const html = namedEntity(ref);
    if (html !== null) return [charRefs(html), m[0].length];
    return [`&amp;${ref};`, m[0].length];
  }
}

function charRefs(text: string): string {
  let out = '';
  for (const ch of text) out += `&#x${ch.codePointAt(0)!.toString(16)};`;
  return out;
}

/** Wraps text in CDATA, splitting any `]]>` it contains. */
function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

function stripCdata(text: string): string {
  return text.replace(/<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g, '');
}

/** Captured markup as HTML source: inner CDATA sections become escaped text, comments go. */
function rawMarkup(inner: string): string {
  return inner
    .replace(/<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)/g, (_m, body: string) => escapeHtml(body))
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '');
}

/**
 * The document element's qualified name: the first start tag after the prolog (comments, processing
 * instructions and a DOCTYPE with its internal subset skipped). One forward pass; null when there is none.
 */
export function rootElementName(text: string): string | null {
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    let next: number;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return null;
      next = end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return null;
      next = end + 2;
    } else if (text.startsWith('<!', i)) {
      // <!DOCTYPE …> with an optional [internal subset]; a '>' inside the subset does not end it.
      const gt = text.indexOf('>', i + 2);
      const open = text.indexOf('[', i + 2);
      if (gt < 0) return null;
      if (open >= 0 && open < gt) {
        const close = text.indexOf(']', open + 1);
        if (close < 0) return null;
        const end = text.indexOf('>', close + 1);
        if (end < 0) return null;
        next = end + 1;
      } else {
        next = gt + 1;
      }
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(i, i + 256));
      if (m) return m[1]!;
      next = i + 1;
    }
    i = text.indexOf('<', next);
  }
  return null;
}
