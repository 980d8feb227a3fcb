import { describe, expect, it } from 'vitest';
import { removeBoilerplate } from '../../../src/extract/content/boilerplate.js';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import { blockText } from '../../../src/extract/content/text.js';
import { PAGE, STORY } from '../../helpers/story-text.js';

// Synthetic pages for the boilerplate rules added for the trafilatura snippets (each with a case it must
// not touch). The golden pages (pages.test.ts) run the whole extractor.

function clean(html: string): { text: string; rules: string[] } {
  const doc = parseLiteDocument(`<div id="root">${html}</div>`, PAGE);
  const root = doc.getElementById('root') as unknown as Element;
  const rules: string[] = [];
  removeBoilerplate(root, { pageUrl: PAGE, trace: rule => rules.push(rule) });
  return { text: blockText(root), rules };
}

const EXCERPT =
  'A long teaser of another story: the ferry company said its two older ships would be retired next year ' +
  'and replaced by a hybrid vessel that charges at the pier during the night.';

describe('recirculation modules', () => {
  it('go with their teaser excerpts, even when an excerpt reads like a paragraph', () => {
    const { text } = clean(
      `${STORY}<div id="related_posts"><ul><li><h4><a href="/a">Ferry news</a></h4>` +
        `<p>${EXCERPT}</p></li></ul></div>${STORY}`,
    );
    expect(text).not.toContain('hybrid vessel');
    expect(text).toContain('Paragraph 4');
  });

  it('are recognised in run-together and numbered class names', () => {
    const { text } = clean(
      `${STORY}<div class="block relatedlinks"><h2>Discover now</h2><p><a href="/b">Quay history</a></p></div>` +
        `<div class="share2"><a href="#">Mail</a></div>${STORY}`,
    );
    expect(text).not.toMatch(/Discover now|Quay history|Mail/);
  });

  it('do not take a non-recirculation box that holds a real paragraph, nor unrelated names', () => {
    const { text } = clean(
      `<div class="sharing-enabled"><p>${EXCERPT}</p></div>${STORY}` +
        `<div class="unrelated-notes"><p>The quay wall is 400 metres long.</p></div>`,
    );
    expect(text).toContain('hybrid vessel');
    expect(text).toContain('400 metres');
  });
});

describe('titles of removed lists and trailing announcements', () => {
  const sameSite = (n: number): string =>
    Array.from(
      { length: n },
      (_, i) =>
        `<li><a href="/news/other-${i}.html">Another harbour story number ${i} in the series</a></li>`,
    ).join('');

  it('a heading announcing a list of this site’s stories goes with the list', () => {
    const { text, rules } = clean(`${STORY}<h3>More on the harbour</h3><ul>${sameSite(3)}</ul>`);
    expect(text).not.toMatch(/More on the harbour|Another harbour story/);
    expect(rules).toContain('list-title');
  });

  it('a heading over links to other sites stays (the story’s own recommendations or sources)', () => {
    const elsewhere = Array.from(
      { length: 3 },
      (_, i) =>
        `<li><a href="https://books.example.net/b${i}">A book about ports and ships, part ${i}</a></li>`,
    ).join('');
    const { text } = clean(`${STORY}<h3>Reading tips from the editor:</h3><ul>${elsewhere}</ul>${STORY}`);
    expect(text).toContain('Reading tips from the editor:');
  });

  it('a line ending in a colon with nothing after it goes', () => {
    const { text, rules } = clean(`${STORY}<p><strong>Further information on the project:</strong></p>`);
    expect(text).not.toContain('Further information');
    expect(rules).toContain('trailing-heading');
  });

  it('a heading at the end stays unless this pass removed what followed it', () => {
    expect(clean(`${STORY}<h2>Outlook</h2>`).text).toContain('Outlook');
    const { text } = clean(`${STORY}<h2>Outlook</h2><div class="newsletter-box"><p>Sign up</p></div>`);
    expect(text).not.toContain('Outlook');
  });

  it('a longer line ending in a colon stays (it may introduce a video or a quote the page lost)', () => {
    const { text } = clean(
      `${STORY}<p>To see how the new quay wall will look, watch the animation below:</p>`,
    );
    expect(text).toContain('watch the animation below:');
  });
});

describe('zones: containers are not paragraphs', () => {
  it('a date line at the head is found even when everything sits in one wrapper with a <main>', () => {
    const { text } = clean(
      `<div class="container"><main><article><p class="small">Published: 2. Februar 2022</p>` +
        `<div class="body">${STORY}</div></article></main></div>`,
    );
    expect(text).not.toContain('Published');
    expect(text).toContain('Paragraph 0');
  });

  it('the same line between two paragraphs of the story stays', () => {
    const { text } = clean(`${STORY}<p>Published: 2. Februar 2022</p>${STORY}`);
    expect(text).toContain('Published: 2. Februar 2022');
  });
});

describe('author boxes after the story', () => {
  const BIO =
    'Mara Lindqvist has covered ports and shipping for eleven years. Before that she worked as a deckhand ' +
    'on coastal freighters, and she still sails a small boat on weekends when the weather allows it.';

  it('a class-marked box at the end goes, even when its bio reads like a paragraph', () => {
    const { text } = clean(
      `${STORY}${STORY}<div class="post-author-box"><h4>Mara Lindqvist</h4><p>${BIO}</p></div>`,
    );
    expect(text).not.toMatch(/Mara Lindqvist|deckhand/);
    expect(text).toContain('Paragraph 4');
  });

  it('the same box between parts of the story stays (it is not at the tail)', () => {
    const { text } = clean(`${STORY}${STORY}<div class="post-author-box"><p>${BIO}</p></div>${STORY}`);
    expect(text).toContain('deckhand');
  });
});

describe('dates and calls to action in more languages', () => {
  it.each([
    ['Polish', '<p><time>16 marca 2021</time></p>'],
    ['Portuguese', '<p>Atualizado em 3 de março de 2021</p>'],
    ['German "Stand"', '<p>Stand: 05. Februar 2020, Redaktion Hafenwirtschaft</p>'],
  ])('a %s date line at the head goes', (_lang, line) => {
    const { text } = clean(`${line}${STORY}`);
    expect(text.split('\n')[0]).toMatch(/^Paragraph 0/);
  });

  it('a sentence that merely starts with such a word stays', () => {
    const { text } = clean(`<p>Stand by the quay wall and watch the dredgers work until dusk.</p>${STORY}`);
    expect(text).toContain('Stand by the quay wall');
  });

  it('an invitation to a messenger channel at the end goes; a story about messengers stays', () => {
    const { text } = clean(
      `${STORY}<p>Did you know we have a Telegram channel? Join it from your phone through this invitation link.</p>`,
    );
    expect(text).not.toContain('Telegram');
    const story = clean(
      `${STORY}<p>The harbour police said the smugglers had coordinated the landings over an encrypted messenger app.</p>`,
    ).text;
    expect(story).toContain('encrypted messenger');
  });
});
