/**
 * CSS selectors for the lite DOM: type, universal, #id, .class, attribute selectors (= ~= |= ^= $= *=, with the
 * `i` flag), :not(), :first-child, :last-child, :only-child, :empty, :root, and the four combinators. Enough
 * for Readability (`div > br`, `li p`, tag lists) and for the metadata readers; anything else throws, so
 * an unsupported selector is found by a test rather than silently matching nothing.
 */
import type { ElementShape, NodeShape } from './shape.js';

type AttrOp = '' | '=' | '~=' | '|=' | '^=' | '$=' | '*=';

interface AttrTest {
  name: string;
  op: AttrOp;
  value: string;
  ci: boolean;
}

type Pseudo =
  { kind: 'not'; list: Complex[] } | { kind: 'first-child' | 'last-child' | 'only-child' | 'empty' | 'root' };

interface Compound {
  tag: string | null;
  ids: string[];
  classes: string[];
  attrs: AttrTest[];
  pseudos: Pseudo[];
}

type Combinator = ' ' | '>' | '+' | '~';

/** Right to left: parts[0] is the subject; combinators[i] joins parts[i] to parts[i + 1]. */
interface Complex {
  parts: Compound[];
  combinators: Combinator[];
}

export interface CompiledSelector {
  list: Complex[];
  /** Set when the selector is a plain list of type selectors ("p, pre, article"). */
  tagList: Set<string> | null;
}

export class SelectorError extends Error {
  constructor(selector: string, why: string) {
    super(`unsupported selector ${JSON.stringify(selector)}: ${why}`);
    this.name = 'SelectorError';
  }
}

const cache = new Map<string, CompiledSelector>();

export function compileSelector(selector: string): CompiledSelector {
  const hit = cache.get(selector);
  if (hit) return hit;
  const list = new SelectorParser(selector).parseList();
  const tagList = list.every(
    c =>
      c.parts.length === 1 &&
      c.parts[0]?.tag !== null &&
      c.parts[0]?.tag !== '*' &&
      !c.parts[0]?.ids.length &&
      !c.parts[0]?.classes.length &&
      !c.parts[0]?.attrs.length &&
      !c.parts[0]?.pseudos.length,
  )
    ? new Set(list.map(c => c.parts[0]?.tag ?? ''))
    : null;
  const compiled = { list, tagList };
  if (cache.size > 500) cache.clear();
  cache.set(selector, compiled);
  return compiled;
}

const IDENT = /^-?(?:[_a-zA-Z\u00a0-\uffff]|\\.)(?:[\w\u00a0-\uffff-]|\\.)*/;

class SelectorParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseList(): Complex[] {
    const list: Complex[] = [];
    for (;;) {
      this.skipSpace();
      list.push(this.parseComplex());
      this.skipSpace();
      if (this.pos >= this.src.length || this.peek() === ')') return list;
      if (this.peek() !== ',') this.fail('expected ","');
      this.pos++;
    }
  }

  private parseComplex(): Complex {
    const parts: Compound[] = [this.parseCompound()];
    const combinators: Combinator[] = [];
    for (;;) {
      const hadSpace = this.skipSpace();
      const c = this.peek();
      if (c === undefined || c === ',' || c === ')') break;
      let comb: Combinator = ' ';
      if (c === '>' || c === '+' || c === '~') {
        comb = c;
        this.pos++;
        this.skipSpace();
      } else if (!hadSpace) {
        this.fail('expected a combinator');
      }
      combinators.push(comb);
      parts.push(this.parseCompound());
    }
    return { parts: parts.reverse(), combinators: combinators.reverse() };
  }

  private parseCompound(): Compound {
    const out: Compound = { tag: null, ids: [], classes: [], attrs: [], pseudos: [] };
    const start = this.pos;
    if (this.peek() === '*') {
      this.pos++;
      out.tag = '*';
    } else {
      const tag = this.ident(false);
      if (tag) out.tag = tag.toLowerCase();
    }
    for (;;) {
      const c = this.peek();
      if (c === '#') {
        this.pos++;
        out.ids.push(this.ident(true));
      } else if (c === '.') {
        this.pos++;
        out.classes.push(this.ident(true));
      } else if (c === '[') {
        this.pos++;
        out.attrs.push(this.parseAttr());
      } else if (c === ':') {
        this.pos++;
        out.pseudos.push(this.parsePseudo());
      } else break;
    }
    if (this.pos === start) this.fail('expected a selector');
    return out;
  }

  private parseAttr(): AttrTest {
    this.skipSpace();
    const name = this.ident(true).toLowerCase();
    this.skipSpace();
    let op: AttrOp = '';
    let value = '';
    let ci = false;
    const c = this.peek();
    if (c === ']') {
      this.pos++;
      return { name, op, value, ci };
    }
    const two = this.src.slice(this.pos, this.pos + 2);
    if (c === '=') {
      op = '=';
      this.pos++;
    } else if (['~=', '|=', '^=', '$=', '*='].includes(two)) {
      op = two as AttrOp;
      this.pos += 2;
    } else this.fail('bad attribute operator');
    this.skipSpace();
    const q = this.peek();
    if (q === '"' || q === "'") {
      const end = this.src.indexOf(q, this.pos + 1);
      if (end < 0) this.fail('unterminated string');
      value = this.src.slice(this.pos + 1, end).replace(/\\(.)/g, '$1');
      this.pos = end + 1;
    } else {
      value = this.ident(true);
    }
    this.skipSpace();
    if (this.peek() === 'i' || this.peek() === 'I') {
      ci = true;
      this.pos++;
      this.skipSpace();
    } else if (this.peek() === 's' || this.peek() === 'S') {
      this.pos++;
      this.skipSpace();
    }
    if (this.peek() !== ']') this.fail('expected "]"');
    this.pos++;
    return { name, op, value: ci ? value.toLowerCase() : value, ci };
  }

  private parsePseudo(): Pseudo {
    const name = this.ident(true).toLowerCase();
    if (name === 'not') {
      if (this.peek() !== '(') this.fail('expected "("');
      this.pos++;
      const list = this.parseList();
      if (this.peek() !== ')') this.fail('expected ")"');
      this.pos++;
      return { kind: 'not', list };
    }
    if (
      name === 'first-child' ||
      name === 'last-child' ||
      name === 'only-child' ||
      name === 'empty' ||
      name === 'root'
    ) {
      return { kind: name };
    }
    return this.fail(`pseudo-class :${name}`);
  }

  private ident(required: boolean): string {
    const m = IDENT.exec(this.src.slice(this.pos));
    if (!m) {
      if (required) this.fail('expected a name');
      return '';
    }
    this.pos += m[0].length;
    return m[0].replace(/\\(.)/g, '$1');
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++;
    return this.pos > start;
  }

  private fail(why: string): never {
    throw new SelectorError(this.src, why);
  }
}

/**
 * True when `el` matches. As in the DOM, combinators look at the whole document, not only inside the element
 * querySelectorAll was called on (`el.querySelectorAll('div p')` finds p's whose div is `el` itself).
 */
export function matchesSelector(el: ElementShape, sel: CompiledSelector): boolean {
  for (const complex of sel.list) if (matchComplex(el, complex, 0)) return true;
  return false;
}

function matchComplex(el: ElementShape, c: Complex, i: number): boolean {
  const part = c.parts[i];
  if (!part || !matchCompound(el, part)) return false;
  if (i === c.parts.length - 1) return true;
  const comb: Combinator = c.combinators[i] ?? ' ';
  switch (comb) {
    case '>': {
      const p = el.parentElement;
      return !!p && matchComplex(p, c, i + 1);
    }
    case '+': {
      const s = el.previousElementSibling;
      return !!s && matchComplex(s, c, i + 1);
    }
    case '~': {
      for (let s = el.previousElementSibling; s; s = s.previousElementSibling) {
        if (matchComplex(s, c, i + 1)) return true;
      }
      return false;
    }
    case ' ': {
      for (let p = el.parentElement; p; p = p.parentElement) {
        if (matchComplex(p, c, i + 1)) return true;
      }
      return false;
    }
  }
}

function matchCompound(el: ElementShape, c: Compound): boolean {
  if (c.tag !== null && c.tag !== '*' && el.localName.toLowerCase() !== c.tag) return false;
  for (const id of c.ids) if (el.getAttribute('id') !== id) return false;
  if (c.classes.length) {
    const cls = el.getAttribute('class');
    if (!cls) return false;
    const names = cls.split(/[\t\n\f\r ]+/);
    for (const want of c.classes) if (!names.includes(want)) return false;
  }
  for (const a of c.attrs) if (!matchAttr(el, a)) return false;
  for (const p of c.pseudos) if (!matchPseudo(el, p)) return false;
  return true;
}

function matchAttr(el: ElementShape, a: AttrTest): boolean {
  const raw = el.getAttribute(a.name);
  if (raw === null) return false;
  const v = a.ci ? raw.toLowerCase() : raw;
  switch (a.op) {
    case '':
      return true;
    case '=':
      return v === a.value;
    case '~=':
      return a.value !== '' && v.split(/[\t\n\f\r ]+/).includes(a.value);
    case '|=':
      return v === a.value || v.startsWith(`${a.value}-`);
    case '^=':
      return a.value !== '' && v.startsWith(a.value);
    case '$=':
      return a.value !== '' && v.endsWith(a.value);
    case '*=':
      return a.value !== '' && v.includes(a.value);
  }
}

function matchPseudo(el: ElementShape, p: Pseudo): boolean {
  switch (p.kind) {
    case 'not':
      return !p.list.some(c => matchComplex(el, c, 0));
    case 'first-child':
      return !el.previousElementSibling;
    case 'last-child':
      return !el.nextElementSibling;
    case 'only-child':
      return !el.previousElementSibling && !el.nextElementSibling;
    case 'empty':
      return !hasContent(el);
    case 'root':
      return el.parentNode?.nodeType === 9;
  }
}

function hasContent(el: ElementShape): boolean {
  for (let n: NodeShape | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 || (n.nodeType === 3 && (n.textContent ?? '') !== '')) return true;
  }
  return false;
}
