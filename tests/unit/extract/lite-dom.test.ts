import { Readability } from '@mozilla/readability';
import { JSDOM } from 'jsdom';
import { parse as parse5, serializeOuter } from 'parse5';
import { describe, expect, it } from 'vitest';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import { SelectorError } from '../../../src/extract/content/dom/select.js';
import type { LiteElement } from '../../../src/extract/content/dom/lite-dom.js';

const URL_ = 'https://example.com/news/a.html';

function both(html: string): { lite: Document; jsdom: Document } {
  return {
    lite: parseLiteDocument(html, URL_) as unknown as Document,
    jsdom: new JSDOM(html, { url: URL_ }).window.document,
  };
}

// The tree builder is parse5, as in jsdom: trees must come out as parse5's reference tree adapter builds
// them, and as jsdom builds them (except jsdom's foster-parented text, which jsdom 29 puts after the table
// where the HTML standard and parse5 put it before).
const TREES: [string, string][] = [
  ['implied html/head/body', '<title>t</title><p>one'],
  ['p closed by a block', '<p>one<div>two</div><p>three<p>four'],
  ['tables get tbody, stray text is fostered out', '<table><tr><td>a<td>b</table><table>x<tr><td>y</table>'],
  ['misnested formatting (adoption agency)', '<p><b>bold <i>both</b> italic</i> plain</p>'],
  ['entities and nbsp', '<p>a &amp; b &lt;c&gt; &nbsp;d &hellip; &#8217; &#x2014; &notanentity; &copy</p>'],
  ['void elements and attributes', '<p>x<br>y<img src="a.png" alt=\'q"uote\' data-x=1><hr></p>'],
  ['lists close their items', '<ul><li>a<li>b<ol><li>c</ol></ul>'],
  ['raw text in title and textarea', '<title>a <b> c</title><textarea><p>not a p</p></textarea>'],
  ['foreign content keeps case', '<svg viewBox="0 0 1 1"><foreignObject><p>x</p></foreignObject></svg>'],
  ['math', '<p><math><mi>x</mi><mo>=</mo><mn>2</mn></math></p>'],
  ['noscript parsed as markup (scripting off)', '<noscript><img src="real.jpg"></noscript><p>x</p>'],
  ['comments and doctype', '<!DOCTYPE html><!-- c --><p>x<!-- y --></p>'],
  ['attribute on body merges', '<body class="a"><p>x</p><body id="b">'],
];

describe('lite DOM: trees', () => {
  it.each(TREES)('%s', (name, html) => {
    const { lite, jsdom } = both(html);
    const reference = parse5(html, { scriptingEnabled: false }).childNodes.find(n => n.nodeName === 'html');
    expect(lite.documentElement.outerHTML).toBe(reference ? serializeOuter(reference) : '');
    if (!name.startsWith('tables')) {
      expect(lite.documentElement.outerHTML).toBe(jsdom.documentElement.outerHTML);
    }
  });

  it('knows title, head, body, baseURI and documentURI like the DOM', () => {
    const { lite, jsdom } = both(
      '<head><title>  A \n title </title><base href="/base/"></head><body>x</body>',
    );
    expect(lite.title).toBe(jsdom.title);
    expect(lite.baseURI).toBe('https://example.com/base/');
    expect(lite.baseURI).toBe(jsdom.baseURI);
    expect(lite.documentURI).toBe(URL_);
    expect(lite.head?.localName).toBe('head');
    expect(lite.body?.tagName).toBe('BODY');
  });
});

const PAGE = `<div id="a" class="x y"><p class="x">1 <a href="/1" rel="nofollow">l1</a></p>
<ul><li class="y">2</li><li lang="en-GB">3 <b>b</b></li><li data-k="v w">4</li></ul>
<div id="b"><p>5</p><br><br><span title="Hello World">6</span></div><p></p></div>
<section><div><p>7</p></div></section><footer><p class="credit">8</p></footer>`;

const SELECTORS = [
  'p',
  'p, li, span',
  'div > p',
  'div p',
  'section p',
  'div > br',
  'li p',
  '#a',
  '.x',
  '.x.y',
  'p.x',
  '[lang]',
  '[lang|="en"]',
  '[data-k~="w"]',
  '[title^="Hello"]',
  '[title$="World"]',
  '[title*="lo W"]',
  '[title="hello world" i]',
  'a[href][rel=nofollow]',
  'li + li',
  'li ~ li',
  'p:empty',
  'li:first-child',
  'li:last-child',
  'div:not(#a) p',
  'p:not(.x, .credit)',
  '*',
  'footer .credit',
  'html > body > section',
  ':root',
];

function labels(nodes: ArrayLike<Element>): string[] {
  return Array.from(nodes).map(n => `${n.tagName}:${(n.textContent ?? '').trim().slice(0, 8)}`);
}

describe('lite DOM: selectors', () => {
  const { lite, jsdom } = both(PAGE);
  it.each(SELECTORS)('querySelectorAll(%s) matches jsdom, in document order', sel => {
    expect(labels(lite.querySelectorAll(sel))).toEqual(labels(jsdom.querySelectorAll(sel)));
  });

  it('scopes element.querySelectorAll to descendants and supports matches/closest', () => {
    const a = lite.getElementById('a') as Element;
    const ja = jsdom.getElementById('a') as Element;
    expect(labels(a.querySelectorAll('div p'))).toEqual(labels(ja.querySelectorAll('div p')));
    const p5 = lite.querySelectorAll('p')[1] as Element;
    expect(p5.matches('#b > p')).toBe(true);
    expect(p5.closest('div')?.id).toBe('b');
    expect(p5.closest('section')).toBeNull();
  });

  it('throws on selectors it does not support instead of matching nothing', () => {
    expect(() => lite.querySelectorAll('p:nth-child(2)')).toThrow(SelectorError);
    expect(() => lite.querySelectorAll('p >')).toThrow(SelectorError);
  });
});

describe('lite DOM: mutation', () => {
  it('moves, inserts, replaces and removes nodes, keeping child lists current', () => {
    const doc = parseLiteDocument('<div id="r"><p>1</p><p>2</p><p>3</p></div><div id="t"></div>', URL_);
    const r = doc.getElementById('r') as LiteElement;
    const t = doc.getElementById('t') as LiteElement;
    const [p1, p2, p3] = r.children;
    expect(r.children).toHaveLength(3);
    t.appendChild(p2 as LiteElement);
    expect(r.children.map(c => c.textContent)).toEqual(['1', '3']);
    expect(t.firstChild).toBe(p2);
    r.insertBefore(p2 as LiteElement, p1 as LiteElement);
    expect(r.textContent).toBe('213');
    expect(t.childNodes).toHaveLength(0);
    const x = doc.createElement('span');
    x.textContent = 'x';
    r.replaceChild(x, p3 as LiteElement);
    expect(r.innerHTML).toBe('<p>2</p><p>1</p><span>x</span>');
    expect(p3?.parentNode).toBeNull();
    x.remove();
    expect(r.lastElementChild).toBe(p1);
    expect(p1?.previousElementSibling).toBe(p2);
    expect(() => p2?.appendChild(r)).toThrow();
  });

  it('sets innerHTML with the element as parsing context, and clones deeply', () => {
    const doc = parseLiteDocument('<table><tbody id="tb"></tbody></table>', URL_);
    const tb = doc.getElementById('tb') as LiteElement;
    tb.innerHTML = '<tr><td>a</td></tr>';
    expect(tb.innerHTML).toBe('<tr><td>a</td></tr>');
    const copy = tb.cloneNode(true);
    expect(copy.outerHTML).toBe(tb.outerHTML);
    expect(copy.parentNode).toBeNull();
    copy.setAttribute('class', 'c');
    expect(tb.getAttribute('class')).toBeNull();
  });

  it('serializes text and attributes with the HTML escaping rules', () => {
    const doc = parseLiteDocument(
      '<p title="a&quot;b&amp;c">x &lt; y &amp; z\u00a0w</p><style>a > b {}</style>',
      URL_,
    );
    const jsdom = new JSDOM('<p title="a&quot;b&amp;c">x &lt; y &amp; z\u00a0w</p><style>a > b {}</style>');
    expect(doc.body?.innerHTML).toBe(jsdom.window.document.body.innerHTML);
  });
});

describe('lite DOM under Readability', () => {
  const article = `<html><head><title>Harbor cranes | The Ledger</title></head><body>
    <nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>Harbor cranes</h1><p class="byline">By Ada Lovelace</p>
    ${Array.from({ length: 6 }, (_, i) => `<p>Paragraph ${i} of the story about electric cranes arriving at the port of Calder, with enough words, commas, and detail to be scored as content by Readability.</p>`).join('\n')}
    <font>old markup</font><div><p>nested div paragraph that is also long enough to count, with more words, and commas.</p></div>
    </article><footer>© The Ledger</footer></body></html>`;

  it('gives the same article as jsdom (content, title, byline)', () => {
    const lite = new Readability(parseLiteDocument(article, URL_) as unknown as Document).parse();
    const ref = new Readability(new JSDOM(article, { url: URL_ }).window.document).parse();
    expect(lite?.content).toBe(ref?.content);
    expect(lite?.title).toBe(ref?.title);
    expect(lite?.byline).toBe(ref?.byline);
    expect(lite?.textContent).toBe(ref?.textContent);
  });
});
