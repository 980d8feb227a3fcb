import { describe, expect, it } from 'vitest';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import {
  cleanContainer,
  implausibleContent,
  missedByReadability,
  storyContainer,
} from '../../../src/extract/content/fallback.js';
import { extractArticle } from '../../../src/extract/extract.js';

// Synthetic pages: when Readability picks an author bio or a newsletter form over a story of short
// paragraphs, the page's own story container is used instead; when its choice is plausible, nothing changes.

const URL_ = 'https://podcast.example.org/2019/12/live-from-the-camp';

const root = (html: string): Element => {
  const doc = parseLiteDocument(`<div id="r"><div class="page">${html}</div></div>`, URL_);
  return doc.getElementById('r') as unknown as Element;
};

const BIO =
  '<h2>About Jo Example</h2><p>Jo Example is a trainer, a facilitator, a podcaster, a runner, a reader, a ' +
  'cook, and a gardener, who lives by the sea, works in the city, and writes about learning, about teams, ' +
  'about knowledge, about tools, and about the many small habits that make work better.</p>';
const SHORT = ['We recorded at camp.', 'Two guests joined us.', 'They talked a lot.', 'One brought cake.']
  .map(t => `<p>${t}</p>`)
  .join('');

describe('implausibleContent', () => {
  it.each([
    ['an author box', `<div id="author-description">${BIO}</div>`, /author-description/],
    [
      'a newsletter form',
      '<div class="wrap"><form><p>Stay informed with our updates about the harbour, the fleet and the crews.</p>' +
        '<label>E-mail</label><button>Send</button></form><p>Short note.</p></div>',
      /form/,
    ],
    ['a page header', '<header><h2>Subtitle of the story</h2><p>By Jo, 3 May</p></header>', /header/],
  ])('flags %s', (_name, html, why) => {
    expect(implausibleContent(root(html))).toMatch(why);
  });

  it('accepts a story container, whatever else its class says', () => {
    expect(
      implausibleContent(root(`<div class="entry-content share-buttons-enabled read-more">${SHORT}</div>`)),
    ).toBeNull();
  });
});

describe('storyContainer and missedByReadability', () => {
  const page = (body: string): Document =>
    parseLiteDocument(`<html><body>${body}</body></html>`, URL_) as unknown as Document;

  it('finds the named story container with the most text, not one inside a comments box', () => {
    const long = SHORT.repeat(3);
    const doc = page(
      `<article class="post"><div class="entry-content">${long}</div></article>` +
        `<div class="comments"><article class="comment">${long}${long}</article></div>`,
    );
    expect(storyContainer(doc)?.localName).toBe('article');
    expect(storyContainer(doc)?.getAttribute('class')).toBe('post');
  });

  it('finds none when the page names none, or it is tiny', () => {
    expect(storyContainer(page(`<div class="main">${SHORT.repeat(5)}</div>`))).toBeNull();
    expect(storyContainer(page(`<article>${SHORT}</article>`))).toBeNull();
  });

  it('says whether Readability left the container’s paragraphs out', () => {
    const doc = page(`<article>${SHORT}${SHORT}</article>`);
    const container = doc.querySelector('article') as Element;
    expect(missedByReadability(container, 'Jo Example is a trainer.')).toBe(true);
    expect(missedByReadability(container, container.textContent ?? '')).toBe(false);
  });

  it('cleanContainer drops forms, asides, navigation and footers, not the story', () => {
    const doc = page(
      `<article>${SHORT}<aside>Related</aside><footer>Tags: camp</footer><form><label>Mail</label></form></article>`,
    );
    const container = doc.querySelector('article') as Element;
    cleanContainer(container);
    expect(container.textContent).toContain('One brought cake.');
    expect(container.textContent).not.toMatch(/Related|Tags|Mail/);
  });
});

describe('extractArticle with a misplaced Readability choice', () => {
  const html = (extra: string): string =>
    `<html><head><title>Live from the camp</title></head><body><div id="page"><article class="post">` +
    `<h1>Live from the camp</h1><div class="entry-content">${SHORT}<p>Another brought tea.</p>${extra}</div>` +
    `<footer class="entry-meta"><div id="author-description">${BIO}</div></footer></article></div></body></html>`;

  it('takes the story from the page’s container when Readability chose the author box', () => {
    const rules: string[] = [];
    const out = extractArticle({ html: html(''), url: URL_ }, { trace: rule => rules.push(rule) });
    expect(out.kind).toBe('article');
    if (out.kind !== 'article') return;
    expect(out.article.contentText).toContain('We recorded at camp.');
    expect(out.article.contentText).not.toContain('facilitator');
    expect(rules).toContain('story-container');
  });

  it('keeps Readability’s choice when it found the story', () => {
    const story = Array.from(
      { length: 4 },
      (_, i) =>
        `<p>Part ${i}: the guests spoke at length about the camp, the sessions they ran, the people they met, ` +
        'and what they would change next year, and the hosts asked about each of these in turn.</p>',
    ).join('');
    const rules: string[] = [];
    const out = extractArticle({ html: html(story), url: URL_ }, { trace: rule => rules.push(rule) });
    expect(out.kind).toBe('article');
    if (out.kind !== 'article') return;
    expect(out.article.contentText).toContain('Part 3');
    expect(rules).not.toContain('story-container');
  });
});
