/**
 * The sanitizer against its reference: ours (sanitize-html, src/extract/sanitize.ts) and DOMPurify on a jsdom
 * window with the configuration newsflow shipped until 2026-12, on the same HTML. Both outputs are parsed the
 * way a consumer's browser parses them (parse5, the HTML standard's algorithm, scripting on) and checked for
 * anything that can run or restyle; the remaining differences (text, elements, attributes) are counted.
 *
 *   npm run eval:sanitize [-- --corpora DIR] [--only raw|content] [--limit N]
 *
 * Over every page of the corpora, two inputs per page: the raw page (all of it: scripts, forms, iframes, styles,
 * handlers) and the extracted content as the pipeline hands it to the sanitizer. Exit 1 when anything dangerous
 * survives in either sanitizer's output. tests/unit/extract/sanitize-differential.test.ts runs the content part.
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JSDOM } from 'jsdom';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { decodeHtmlFile } from '../../src/cli/commands/extract.js';
import { extractArticle } from '../../src/extract/extract.js';
import { absolutize, sanitizeHtml } from '../../src/extract/sanitize.js';

type P5Node = DefaultTreeAdapterMap['node'];
type P5Element = DefaultTreeAdapterMap['element'];

// ---------------------------------------------------------------------------------------------------------
// The reference: DOMPurify 3 on jsdom, configured as src/extract/sanitize.ts was before sanitize-html.

const REF_FORBID_TAGS = [
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
const REF_KEEP = new Set([
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
]);
const REF_URL_ATTRS = new Set(['href', 'src', 'poster', 'cite']);
const REF_DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|avif);base64,/i;
const REF_CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: REF_FORBID_TAGS,
  FORBID_ATTR: ['style', 'class'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOWED_URI_REGEXP: /^(?:https?|mailto|tel):/i,
  RETURN_TRUSTED_TYPE: false,
  RETURN_DOM: true,
};

let purifier: DOMPurify | undefined;
let refBase = 'about:blank';

function refAbsolutize(value: string): string | null {
  const v = value.trim();
  // The old hook let any data:image through here; DOMPurify then kept it only where data: URIs are allowed.
  if (REF_DATA_IMAGE.test(v)) return v;
  return absolutize(v, refBase);
}

function getPurifier(): DOMPurify {
  if (purifier) return purifier;
  const p = createDOMPurify(new JSDOM('').window);
  p.addHook('uponSanitizeAttribute', (_node, data) => {
    if (!REF_KEEP.has(data.attrName)) {
      data.keepAttr = false;
    } else if (REF_URL_ATTRS.has(data.attrName)) {
      const abs = refAbsolutize(data.attrValue);
      if (abs === null) data.keepAttr = false;
      else data.attrValue = abs;
    } else if (data.attrName === 'srcset') {
      const out: string[] = [];
      for (const candidate of data.attrValue.split(/,(?=\s*\S)/)) {
        const [u, ...descriptor] = candidate.trim().split(/\s+/);
        const abs = u ? absolutize(u, refBase) : null;
        if (abs) out.push([abs, ...descriptor].join(' '));
      }
      data.attrValue = out.join(', ');
      if (!data.attrValue) data.keepAttr = false;
    }
  });
  p.addHook('afterSanitizeAttributes', node => {
    if (node.nodeName === 'A') node.setAttribute('rel', 'noopener noreferrer nofollow');
  });
  purifier = p;
  return p;
}

/** DOMPurify + jsdom, the previous production sanitizer. */
export function referenceSanitize(html: string, baseUrl: string): string {
  const p = getPurifier();
  refBase = baseUrl;
  try {
    const body = p.sanitize(html, REF_CONFIG) as unknown as HTMLElement | null;
    if (!body) return '';
    const out = body.innerHTML;
    // Detach, or jsdom's named-property tracker keeps the document (jsdom#4234).
    body.ownerDocument.documentElement?.remove();
    return out;
  } finally {
    refBase = 'about:blank';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading an output as a browser would.

const isElement = (n: P5Node): n is P5Element => 'tagName' in n;

function children(n: P5Node): P5Node[] {
  const kids = 'childNodes' in n ? n.childNodes : [];
  // <template> content is a separate fragment in parse5; it is still markup a consumer receives.
  return isElement(n) && n.tagName === 'template' && 'content' in n
    ? [...kids, ...(n as unknown as { content: { childNodes: P5Node[] } }).content.childNodes]
    : kids;
}

/** The body of `html` parsed as a page body, scripting on (what innerHTML in a browser gives). */
function parseBody(html: string): P5Element {
  const doc = parse(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`, {
    scriptingEnabled: true,
  });
  const htmlEl = doc.childNodes.find(n => isElement(n) && n.tagName === 'html') as P5Element;
  return htmlEl.childNodes.find(n => isElement(n) && n.tagName === 'body') as P5Element;
}

function* walk(n: P5Node): Generator<P5Node> {
  for (const c of children(n)) {
    yield c;
    yield* walk(c);
  }
}

const RUNS = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal']);
const FORMS = new Set(['form', 'input', 'button', 'select', 'textarea', 'option', 'isindex']);
const STYLES = new Set(['style', 'link']);
const OTHER = new Set(['svg', 'math', 'base', 'meta', 'template', 'noscript']);
const URL_VALUE = /^(?:javascript|vbscript|data|livescript):/i;
const URL_ATTRS = new Set(['href', 'src', 'srcset', 'poster', 'cite']);

/** One output as a browser reads it. */
export interface Inspection {
  /**
   * What can run, submit, restyle or reach another document: script, iframe-like and form elements, styles,
   * SVG/MathML, base/meta, event handlers, style attributes, and javascript:/vbscript:/data: URLs in any
   * attribute (data: images as an <img src> excepted).
   */
  dangers: string[];
  /** Visible text, runs of whitespace collapsed. */
  text: string;
  /** How often each element (`<tag>`) and attribute (`tag[attr]`) occurs. */
  tally: Map<string, number>;
  /** `tag[attr]=value` of every URL-valued attribute. */
  urls: string[];
}

export function inspect(html: string): Inspection {
  const dangers: string[] = [];
  const tally = new Map<string, number>();
  const urls: string[] = [];
  const add = (k: string): void => void tally.set(k, (tally.get(k) ?? 0) + 1);
  let text = '';
  for (const n of walk(parseBody(html))) {
    if (n.nodeName === '#text') text += (n as { value: string }).value;
    if (!isElement(n)) continue;
    const tag = n.tagName;
    add(`<${tag}>`);
    if (RUNS.has(tag) || FORMS.has(tag) || STYLES.has(tag) || OTHER.has(tag)) dangers.push(`<${tag}>`);
    for (const a of n.attrs) {
      const name = a.name.toLowerCase();
      add(`${tag}[${name}]`);
      if (URL_ATTRS.has(name)) urls.push(`${tag}[${name}]=${a.value}`);
      if (name.startsWith('on')) dangers.push(`${tag}[${name}]`);
      if (name === 'style') dangers.push(`${tag}[style]`);
      if (name === 'formaction' || name === 'action' || name === 'srcdoc') dangers.push(`${tag}[${name}]`);
      // Browsers ignore leading spaces and controls, and tabs/newlines anywhere in a scheme.
      // eslint-disable-next-line no-control-regex -- the controls are what is being removed
      const v = a.value.replace(/[\u0000-\u0020]/g, '');
      if (URL_VALUE.test(v) && !(tag === 'img' && name === 'src' && /^data:image\//i.test(v))) {
        dangers.push(`${tag}[${name}=${v.slice(0, 24)}]`);
      }
      if (name === 'srcset' && /(?:^|,)\s*(?:javascript|vbscript|data):/i.test(a.value)) {
        dangers.push(`${tag}[srcset]`);
      }
    }
  }
  return { dangers, text: text.replace(/\s+/g, ' ').trim(), tally, urls };
}

export const dangers = (html: string): string[] => inspect(html).dangers;

export interface Difference {
  /** The visible text differs (whitespace aside). */
  text: boolean;
  /** Words of one text missing from the other (multiset), both ways. */
  wordsOnlyOurs: number;
  wordsOnlyRef: number;
  /** Elements and attributes (`tag[attr]`) present more often in one output than in the other. */
  onlyOurs: Map<string, number>;
  onlyRef: Map<string, number>;
  /** URL-valued attributes of ours that the reference does not have with the same value. */
  urlValues: number;
}

function wordBag(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of text.split(' ')) if (w) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

function surplus(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, n] of a) {
    const d = n - (b.get(k) ?? 0);
    if (d > 0) out.set(k, d);
  }
  return out;
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((s, n) => s + n, 0);

export function compare(ours: Inspection, ref: Inspection): Difference {
  const wOurs = wordBag(ours.text);
  const wRef = wordBag(ref.text);
  const refUrls = new Set(ref.urls);
  return {
    text: ours.text !== ref.text,
    wordsOnlyOurs: sum(surplus(wOurs, wRef)),
    wordsOnlyRef: sum(surplus(wRef, wOurs)),
    onlyOurs: surplus(ours.tally, ref.tally),
    onlyRef: surplus(ref.tally, ours.tally),
    urlValues: ours.urls.filter(u => !refUrls.has(u)).length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The corpora.

export interface CorpusPage {
  corpus: string;
  id: string;
  path: string;
  url: string;
}

// dates-dev's eval.json has bare NaN dates (as published); only the keys and files are read here.
const readJson = (f: string): Record<string, Record<string, unknown>> =>
  JSON.parse(readFileSync(f, 'utf8').replace(/:\s*NaN\b/g, ': null')) as Record<
    string,
    Record<string, unknown>
  >;

/** Every page of the corpora in `dir` (../shared/corpora); empty when the folder is absent. */
export function corpusPages(dir: string): CorpusPage[] {
  const out: CorpusPage[] = [];
  const aeb = join(dir, 'aeb-dev', 'ground-truth.json');
  if (existsSync(aeb)) {
    for (const [id, v] of Object.entries(readJson(aeb))) {
      out.push({
        corpus: 'aeb-dev',
        id,
        path: join(dir, 'aeb-dev', 'html', `${id}.html.gz`),
        url: String(v.url),
      });
    }
  }
  const rp = join(dir, 'readability-pages');
  if (existsSync(rp)) {
    for (const slug of readdirSync(rp).sort()) {
      const path = join(rp, slug, 'source.html');
      if (existsSync(path)) {
        out.push({ corpus: 'readability-pages', id: slug, path, url: 'http://fakehost/test/page.html' });
      }
    }
  }
  for (const [corpus, file] of [
    ['trafilatura-dev', 'evaldata.json'],
    ['dates-dev', 'eval.json'],
  ] as const) {
    const gt = join(dir, corpus, file);
    if (!existsSync(gt)) continue;
    for (const [key, v] of Object.entries(readJson(gt))) {
      const name = String(v.file);
      out.push({
        corpus,
        id: key,
        path: join(dir, corpus, 'pages', name),
        url: /^https?:\/\//.test(key) ? key : `https://unknown.invalid/${name}`,
      });
    }
  }
  return out.filter(p => existsSync(p.path));
}

export function readPage(p: CorpusPage): string {
  return decodeHtmlFile(readFileSync(p.path));
}

/** The HTML extraction hands to the sanitizer for one page (none when the page is not an article). */
export function sanitizerInputs(html: string, url: string): [string, string][] {
  const inputs: [string, string][] = [];
  try {
    extractArticle(
      { html, url },
      {
        sanitize: (h, base) => {
          inputs.push([h, base]);
          return sanitizeHtml(h, base);
        },
      },
    );
  } catch {
    // A page extraction refuses (too large, too deep) hands nothing to the sanitizer.
  }
  return inputs;
}

// ---------------------------------------------------------------------------------------------------------
// The report.

export class Tally {
  inputs = 0;
  dangersOurs: string[] = [];
  dangersRef: string[] = [];
  textDiffers = 0;
  textExamples: string[] = [];
  wordsOnlyOurs = 0;
  wordsOnlyRef = 0;
  wordsRef = 0;
  urlValues = 0;
  onlyOurs = new Map<string, number>();
  onlyRef = new Map<string, number>();
  pagesWithOnlyOurs = new Map<string, number>();
  pagesWithOnlyRef = new Map<string, number>();

  add(label: string, html: string, base: string): void {
    const ours = inspect(sanitizeHtml(html, base));
    const ref = inspect(referenceSanitize(html, base));
    this.inputs++;
    for (const d of ours.dangers) this.dangersOurs.push(`${label}: ${d}`);
    for (const d of ref.dangers) this.dangersRef.push(`${label}: ${d}`);
    const diff = compare(ours, ref);
    if (diff.text) {
      this.textDiffers++;
      if (this.textExamples.length < 5) this.textExamples.push(label);
    }
    this.wordsOnlyOurs += diff.wordsOnlyOurs;
    this.wordsOnlyRef += diff.wordsOnlyRef;
    this.wordsRef += ref.text.split(' ').filter(Boolean).length;
    this.urlValues += diff.urlValues;
    for (const [k, n] of diff.onlyOurs) {
      this.onlyOurs.set(k, (this.onlyOurs.get(k) ?? 0) + n);
      this.pagesWithOnlyOurs.set(k, (this.pagesWithOnlyOurs.get(k) ?? 0) + 1);
    }
    for (const [k, n] of diff.onlyRef) {
      this.onlyRef.set(k, (this.onlyRef.get(k) ?? 0) + n);
      this.pagesWithOnlyRef.set(k, (this.pagesWithOnlyRef.get(k) ?? 0) + 1);
    }
  }

  lines(title: string): string[] {
    const top = (m: Map<string, number>, pages: Map<string, number>): string =>
      [...m]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 12)
        .map(([k, n]) => `${k} ×${n} (${pages.get(k)} inputs)`)
        .join(', ') || '–';
    return [
      `## ${title}: ${this.inputs} inputs`,
      `dangerous constructs surviving: ours ${this.dangersOurs.length}, DOMPurify+jsdom ${this.dangersRef.length}`,
      ...this.dangersOurs.slice(0, 20).map(d => `  ours: ${d}`),
      ...this.dangersRef.slice(0, 20).map(d => `  reference: ${d}`),
      `visible text differs (whitespace aside): ${this.textDiffers} of ${this.inputs} inputs; words only in ours ` +
        `${this.wordsOnlyOurs}, only in the reference ${this.wordsOnlyRef} (of ${this.wordsRef} reference words)` +
        (this.textExamples.length ? `; e.g. ${this.textExamples.join(', ')}` : ''),
      `URL values that differ: ${this.urlValues}`,
      `elements/attributes more often in ours: ${top(this.onlyOurs, this.pagesWithOnlyOurs)}`,
      `elements/attributes more often in the reference: ${top(this.onlyRef, this.pagesWithOnlyRef)}`,
    ];
  }
}

export function main(args: string[]): number {
  let corpora = resolve('../shared/corpora');
  let only: string[] = ['raw', 'content'];
  let limit = 0;
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1] ?? ''];
    if (k === '--corpora') corpora = resolve(v);
    else if (k === '--only') only = v.split(',');
    else if (k === '--limit') limit = Number(v);
    else {
      console.error(`eval:sanitize: unknown option ${k}`);
      return 2;
    }
  }
  let pages = corpusPages(corpora);
  if (!pages.length) {
    console.log(`eval:sanitize skipped: no corpus under ${corpora}`);
    return 0;
  }
  if (limit > 0) pages = pages.slice(0, limit);
  const raw = new Tally();
  const content = new Tally();
  for (const p of pages) {
    const html = readPage(p);
    const label = `${p.corpus}/${p.id}`;
    if (only.includes('raw')) raw.add(`${label} (raw)`, html, p.url);
    if (only.includes('content')) {
      for (const [h, base] of sanitizerInputs(html, p.url)) content.add(`${label} (content)`, h, base);
    }
  }
  console.log(`eval:sanitize — ${pages.length} pages of ${corpora}`);
  if (only.includes('raw')) console.log(raw.lines('raw pages, whole').join('\n'));
  if (only.includes('content')) {
    console.log(content.lines('extracted content (what the pipeline sanitizes)').join('\n'));
  }
  const unsafe =
    raw.dangersOurs.length + raw.dangersRef.length + content.dangersOurs.length + content.dangersRef.length;
  return unsafe ? 1 : 0;
}
