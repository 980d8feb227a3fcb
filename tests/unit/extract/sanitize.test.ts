import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import { absolutize, precleanContent, sanitizeHtml } from '../../../src/extract/sanitize.js';

const BASE = 'https://news.example.com/2024/05/story.html';

/** Parses the output the way a consumer's browser would (scripting on) and reports anything dangerous. */
function dangers(html: string): string[] {
  const found: string[] = [];
  const dom = new JSDOM(`<!DOCTYPE html><body>${html}</body>`, { runScripts: undefined });
  const doc = dom.window.document;
  for (const el of Array.from(doc.body.querySelectorAll('*'))) {
    const tag = el.localName;
    if (
      [
        'script',
        'iframe',
        'object',
        'embed',
        'form',
        'style',
        'svg',
        'math',
        'base',
        'meta',
        'link',
      ].includes(tag)
    ) {
      found.push(`<${tag}>`);
    }
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name)) found.push(`${tag}[${a.name}]`);
      if (a.name === 'style') found.push(`${tag}[style]`);
      if (
        /^\s*(javascript|vbscript|data):/i.test(a.value) &&
        !(tag === 'img' && /^data:image\//.test(a.value))
      ) {
        found.push(`${tag}[${a.name}=${a.value.slice(0, 20)}]`);
      }
    }
  }
  dom.window.close();
  return found;
}

// Classic and mutation-XSS payloads (DOMPurify's own test suite and public mXSS write-ups).
const HOSTILE: [string, string][] = [
  ['img onerror', '<img src=x onerror="alert(1)">'],
  ['script', '<p>a<script>alert(1)</script>b</p>'],
  ['javascript: link', '<a href="javascript:alert(1)">x</a>'],
  [
    'obfuscated javascript: link',
    '<a href="jav&#x09;ascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a>',
  ],
  [
    'vbscript and data links',
    '<a href="vbscript:msgbox(1)">v</a><a href="data:text/html,<script>alert(1)</script>">d</a>',
  ],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object/embed', '<object data="x.swf"></object><embed src="x.swf">'],
  [
    'form and inputs',
    '<form action="https://evil.example/"><input name=q><button formaction="javascript:alert(1)">go</button></form>',
  ],
  ['svg onload', '<svg onload="alert(1)"><circle r=1></circle></svg>'],
  [
    'svg script with xlink',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a><script>alert(1)</script></svg>',
  ],
  ['math mglyph style mXSS', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['svg p style mXSS', '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">'],
  [
    'math annotation-xml mXSS',
    '<math><annotation-xml encoding="text/html"><style><img src=x onerror=alert(1)></style></annotation-xml></math>',
  ],
  ['noscript mXSS', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['template smuggling', '<template><img src=x onerror=alert(1)></template>'],
  [
    'style attribute and tag',
    '<p style="background:url(javascript:alert(1))">x</p><style>*{x:expression(alert(1))}</style>',
  ],
  [
    'meta refresh and base',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="javascript:/">',
  ],
  ['nested comment break-out', '<!--<img src="--><img src=x onerror=alert(1)//">'],
  ['event handler case', '<div OnMouseOver="alert(1)">x</div>'],
  ['dom clobbering', '<img name="cookie"><form id="location"></form><a id="x" name="defaultView">q</a>'],
  // Raw-text and RCDATA elements: htmlparser2 (under the sanitizer) reads their content as text; a removed
  // one must not have that text copied out unescaped.
  ['xmp raw text', '<xmp><img src=x onerror=alert(1)></xmp><p>after</p>'],
  ['textarea raw text', '<textarea><img src=x onerror=alert(1)></textarea>'],
  ['title raw text', '<title></title><img src=x onerror=alert(1)></title>'],
  ['style raw text', '<style></style><img src=x onerror=alert(1)></style>'],
  ['plaintext', '<plaintext><img src=x onerror=alert(1)>'],
  ['iframe content', '<iframe><p title="</iframe><img src=x onerror=alert(1)>"></iframe>'],
  ['noembed and noframes', '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>'],
  [
    'entity-encoded markup',
    '<p>&lt;img src=x onerror=alert(1)&gt;</p><option>&lt;script&gt;x&lt;/script&gt;</option>',
  ],
  ['attribute breaking out of a wrapper', '<a title="</noscript><img src=x onerror=alert(1)>">t</a>'],
  [
    'javascript: in srcset and poster',
    '<img srcset="javascript:alert(1) 1x"><video poster="javascript:alert(1)"></video>',
  ],
  [
    'control characters in scheme',
    '<a href="java\u0000script:alert(1)">a</a><a href="\u0001javascript:alert(1)">b</a>',
  ],
  ['protocol-relative escape', '<a href="\\\\evil.example/x">a</a>'],
  ['unclosed tag at the end', '<p>ok</p><img src=x onerror=alert(1)'],
  [
    'cdata and processing instruction',
    '<![CDATA[<img src=x onerror=alert(1)>]]><?xml x="<img src=x onerror=alert(1)>"?>',
  ],
  [
    'attribute name tricks',
    '<img src=x /onerror=alert(1)><img src=x "onerror"=alert(1)><p o\nnclick=x>p</p>',
  ],
];

describe('sanitizeHtml: hostile input', () => {
  it.each(HOSTILE)('%s', (_name, payload) => {
    const once = sanitizeHtml(payload, BASE);
    expect(dangers(once)).toEqual([]);
    // Serialising and re-parsing must not change it: what consumers parse is what was sanitized (mXSS).
    expect(sanitizeHtml(once, BASE)).toBe(once);
    expect(dangers(new JSDOM(`<body>${once}`).window.document.body.innerHTML)).toEqual([]);
  });

  it('keeps the text of what it removes as markup when that text is content', () => {
    expect(sanitizeHtml('<form><p>Keep me</p></form><custom-el>and me</custom-el>', BASE)).not.toContain(
      '<form',
    );
    expect(sanitizeHtml('<custom-el>and me</custom-el>', BASE)).toContain('and me');
  });
});

describe('sanitizeHtml: links and media', () => {
  it('makes URLs absolute against the page and marks links', () => {
    const out = sanitizeHtml(
      '<a href="../other.html#x" target="_top">o</a> <a href="//cdn.example.net/a">c</a> <a href="#note">n</a>' +
        '<img src="/i/a.jpg" srcset="/i/a-2x.jpg 2x, https://x.example/b.jpg 300w" alt="A">' +
        '<a href="mailto:desk@example.com">m</a>',
      BASE,
    );
    const doc = new JSDOM(`<body>${out}`).window.document;
    const links = Array.from(doc.querySelectorAll('a'));
    expect(links.map(a => a.getAttribute('href'))).toEqual([
      'https://news.example.com/2024/other.html#x',
      'https://cdn.example.net/a',
      'https://news.example.com/2024/05/story.html#note',
      'mailto:desk@example.com',
    ]);
    for (const a of links) expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(links[0]?.getAttribute('target')).toBeNull();
    const img = doc.querySelector('img');
    expect(img?.getAttribute('src')).toBe('https://news.example.com/i/a.jpg');
    expect(img?.getAttribute('srcset')).toBe(
      'https://news.example.com/i/a-2x.jpg 2x, https://x.example/b.jpg 300w',
    );
    expect(img?.getAttribute('alt')).toBe('A');
  });

  it('drops attributes consumers cannot use and keeps inline images only as images', () => {
    const out = sanitizeHtml(
      '<p class="x" id="keep" data-track="1" aria-hidden="true" style="color:red">t</p>' +
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="d"><a href="data:image/png;base64,iVBORw0KGgo=">x</a>',
      BASE,
    );
    expect(out).toContain('<p id="keep">t</p>');
    expect(out).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(out).not.toMatch(/<a[^>]+href="data:/);
  });

  it('absolutize refuses what is not http(s)/mailto/tel', () => {
    expect(absolutize('ftp://x.example/a', BASE)).toBeNull();
    expect(absolutize('javascript:alert(1)', BASE)).toBeNull();
    expect(absolutize('  ', BASE)).toBeNull();
    expect(absolutize('tel:+4912345', BASE)).toBe('tel:+4912345');
  });
});

describe('precleanContent', () => {
  it('drops unknown attributes and unwraps bare spans without losing text', () => {
    const doc = parseLiteDocument(
      '<div id="r"><p class="c" data-x="1"><span>one </span><span class="k">two</span> <font>three</font></p></div>',
      BASE,
    );
    const root = doc.getElementById('r') as unknown as Element;
    precleanContent(root);
    expect(root.innerHTML).toBe('<p>one two three</p>');
  });
});
