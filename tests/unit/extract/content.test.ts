import { describe, expect, it } from 'vitest';
import { removeBoilerplate } from '../../../src/extract/content/boilerplate.js';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import { detectInterstitial } from '../../../src/extract/content/interstitial.js';
import { prestrip } from '../../../src/extract/content/prestrip.js';
import { blockText, countWords, readingMinutes, roughWordCount } from '../../../src/extract/content/text.js';
import { isNotAnArticle } from '../../../src/extract/extract.js';

const URL_ = 'https://news.example.com/2024/05/story.html';

describe('prestrip', () => {
  it.each([
    ['scripts and styles go', '<p>a<script>var x = "</p>";</script>b<style>p{}</style>c</p>', '<p>abc</p>'],
    [
      'JSON-LD stays',
      '<script type="application/ld+json">{"@type":"NewsArticle"}</script><script>x()</script>',
      '<script type="application/ld+json">{"@type":"NewsArticle"}</script>',
    ],
    ['comments go, even with tags inside', 'a<!-- <script>x</script> -->b', 'ab'],
    ['nested svg goes whole', 'a<svg><g><svg><path/></svg></g></svg>b', 'ab'],
    ['self-closing svg is empty', 'a<svg viewBox="0 0 1 1"/>b<p>c</p>', 'ab<p>c</p>'],
    [
      'noscript with an image stays',
      '<noscript><img src="a.jpg"></noscript>',
      '<noscript><img src="a.jpg"></noscript>',
    ],
    ['noscript without one goes', '<noscript>Enable JavaScript</noscript>x', 'x'],
    ['names must end: </scripts> does not close', '<script>a</scripts>b</script>c', 'c'],
    ['upper case tags', '<SCRIPT>x</SCRIPT><IFRAME src=x>y</IFRAME>z', 'z'],
    ['an unterminated script drops the rest, as a parser would', '<p>a</p><script>never closed', '<p>a</p>'],
    ['templates go', '<template><p>t</p></template>p', 'p'],
    ['nothing to strip returns the same string', '<p>plain</p>', '<p>plain</p>'],
  ])('%s', (_name, input, expected) => {
    expect(prestrip(input)).toBe(expected);
  });
});

describe('blockText and word counts', () => {
  it('puts block boundaries between words, and leaves captions out when asked', () => {
    const doc = parseLiteDocument(
      '<div id="r"><h2>Title</h2><p>End.</p><p>Next <b>bold</b>\u00a0word</p><ul><li>a</li><li>b</li></ul>' +
        '<figure><img src="x"><figcaption>A caption</figcaption></figure>line<br>break</div>',
      URL_,
    );
    const root = doc.getElementById('r') as unknown as Node;
    expect(blockText(root, { skipCaptions: true })).toBe('Title\nEnd.\nNext bold word\na\nb\nline\nbreak');
    expect(blockText(root)).toContain('A caption');
  });

  it('counts words in spaced and unspaced scripts', () => {
    expect(countWords("It's a well-known fact, isn't it? 3.5 percent.")).toBe(8);
    expect(countWords('東京都の天気')).toBe(3);
    expect(countWords('')).toBe(0);
    expect(readingMinutes(0)).toBe(1);
    expect(readingMinutes(1150)).toBe(5);
  });
});

describe('isNotAnArticle', () => {
  it.each([
    [0, 10, true, true],
    [12, 2000, false, true], // a section front: a little text picked out of a big page
    [12, 30, false, false], // a short note: small all over
    [12, 2000, true, false], // Readability's pre-check saw article paragraphs
    [300, 5000, false, false],
  ])('content %i words in a page of %i (readerable %s) → %s', (content, page, readerable, expected) => {
    expect(isNotAnArticle(content, page, readerable)).toBe(expected);
  });
});

describe('detectInterstitial', () => {
  const detect = (html: string, opts: { url?: string; cf?: string } = {}) =>
    detectInterstitial(parseLiteDocument(prestrip(html), opts.url ?? URL_) as unknown as Document, {
      url: opts.url ?? URL_,
      rawHtml: html,
      cfMitigated: opts.cf,
      bodyWords: roughWordCount(parseLiteDocument(prestrip(html), URL_).body?.textContent ?? ''),
    });
  const longArticle = `<p>${'Words of a real story about the harbour and its cranes. '.repeat(60)}</p>`;

  it('reads the Cloudflare header', () => {
    expect(detect('<p>x</p>', { cf: 'challenge' })?.kind).toBe('bot-challenge');
  });
  it('knows challenge pages by title and by their scripts', () => {
    expect(detect('<title>Just a moment...</title><p>Checking</p>')?.kind).toBe('bot-challenge');
    expect(
      detect(
        '<title>news.example.com</title><script src="/cdn-cgi/challenge-platform/h/b/orchestrate"></script>',
      )?.kind,
    ).toBe('bot-challenge');
  });
  it('knows a consent wall by its title and robots noindex', () => {
    const wall =
      '<head><title>Example News Cookie Consent and Choices</title><meta name="robots" content="noindex"></head>' +
      '<body><p>We and our partners use cookies.</p><button>Accept all</button></body>';
    expect(detect(wall)).toEqual({
      kind: 'consent-wall',
      evidence: 'title: Example News Cookie Consent and Choices (robots noindex)',
    });
    expect(
      detect('<title>Yahoo</title><p>x</p>', { url: 'https://consent.yahoo.com/v2/collectConsent' })?.kind,
    ).toBe('consent-wall');
  });
  it('knows a login wall by title or path plus a password field', () => {
    expect(detect('<title>Sign in</title><form><input type="password"></form>')?.kind).toBe('login-wall');
    expect(
      detect('<title>Example</title><input type="password">', {
        url: 'https://x.example/account/login?next=/a',
      })?.kind,
    ).toBe('login-wall');
  });
  it('leaves real articles alone, banners and login links included', () => {
    expect(detect(`<title>Cookie policy changes at the port</title>${longArticle}`)).toBeNull();
    expect(
      detect(`<title>Harbour cranes</title><div class="cookie-banner">We use cookies</div>${longArticle}`),
    ).toBeNull();
    expect(detect('<title>Sign in to the future: a review</title><p>short</p>')).toBeNull();
  });
});

function clean(html: string, title?: string): { text: string; rules: string[] } {
  const doc = parseLiteDocument(`<div id="root">${html}</div>`, URL_);
  const root = doc.getElementById('root') as unknown as Element;
  const rules: string[] = [];
  removeBoilerplate(root, { title, trace: rule => rules.push(rule) });
  return { text: blockText(root), rules };
}

const STORY = Array.from(
  { length: 5 },
  (_, i) =>
    `<p>Paragraph ${i}: the port authority approved the purchase of twelve electric cranes on Tuesday, ` +
    `saying the machines would cut diesel use by a third and noise at night by half.</p>`,
).join('');

describe('removeBoilerplate', () => {
  it('removes template-marked share bars, related lists and newsletter boxes', () => {
    const { text, rules } = clean(
      `<div class="share-buttons"><a href="#">Facebook</a> <a href="#">X</a></div>${STORY}` +
        `<div class="newsletter-signup"><p>Get the morning briefing</p></div>` +
        `<div class="related-posts"><h3>More</h3><a href="/a">Other story one</a></div>`,
    );
    expect(text).not.toMatch(/Facebook|morning briefing|Other story/);
    expect(text).toContain('Paragraph 4');
    expect(rules).toContain('class');
  });

  it('never removes the article wrapper, whatever its class says', () => {
    const { text } = clean(`<div class="entry-content share-friendly">${STORY}</div>`);
    expect(text.split('\n')).toHaveLength(5);
  });

  it('removes link lists and link-only teaser lines but keeps prose with links', () => {
    const { text } = clean(
      `${STORY}<ul><li><a href="/1">Story one headline about the port</a></li><li><a href="/2">Story two headline about cranes</a></li></ul>` +
        `<p><a href="/x">Related: cranes in other ports</a></p>` +
        `<p>The plan, <a href="/doc">published in March</a>, also covers the rail link to the valley.</p>`,
    );
    expect(text).not.toMatch(/Story one|Related: cranes/);
    expect(text).toContain('also covers the rail link');
  });

  it('removes labels, date lines and calls to action, not sentences that mention them', () => {
    const { text } = clean(
      `<p>Advertisement</p><p>Updated Nov 19, 6:55 AM; Posted Nov 19, 6:51 AM</p>${STORY}` +
        `<p>Follow us on Twitter for more.</p>` +
        `<p>The cranes first appeared on the computing scene as models, the engineers said, before any were built.</p>` +
        `<p>Officials will vote again on May 19 about the second phase of the plan for the harbour.</p>`,
    );
    expect(text).not.toMatch(/Advertisement|Updated Nov|Follow us/);
    expect(text).toContain('first appeared on the computing scene');
    expect(text).toContain('vote again on May 19');
  });

  it('cuts a trailing "related" section from its heading on', () => {
    const { text } = clean(
      `${STORY}<h3>You may also like</h3><p>Short teaser one</p><p>Short teaser two</p>`,
    );
    expect(text).not.toMatch(/may also like|teaser/);
    expect(text).toContain('Paragraph 4');
  });

  it('leaves code, tables and quotes alone', () => {
    const { text } = clean(
      `${STORY}<pre><code><span>BY</span>\n<span>2020-08-01 18:00</span></code></pre>` +
        `<table><tr><td><a href="/a">A</a></td><td><a href="/b">B</a></td></tr></table>`,
    );
    expect(text).toContain('BY');
    expect(text).toContain('2020-08-01 18:00');
    expect(text).toMatch(/A\s+B/);
  });

  it('drops a heading that only repeats the title', () => {
    expect(clean(`<h1>Electric cranes approved</h1>${STORY}`, 'Electric cranes approved').text).not.toContain(
      'Electric cranes approved',
    );
  });
});
