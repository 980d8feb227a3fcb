import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  corpusPages,
  dangers,
  readPage,
  referenceSanitize,
  sanitizerInputs,
  Tally,
} from '../../../eval/sanitize/differential.js';
import { sanitizeHtml } from '../../../src/extract/sanitize.js';

// Every page of the shared corpora (../shared/corpora, or NEWSFLOW_CORPORA): the content extraction hands to
// the sanitizer, through ours and through DOMPurify + jsdom (the reference). `npm run eval:sanitize` also runs
// the raw pages and prints the differences.
const corpora = process.env.NEWSFLOW_CORPORA ?? resolve('../shared/corpora');
const pages = corpusPages(corpora);

describe('the reference flags what it must', () => {
  it('sees scripts, handlers, javascript: URLs, forms, iframes and styles as a browser parses them', () => {
    expect(
      dangers(
        '<p onclick="x">a</p><a href=" jav\tascript:alert(1)">b</a><form></form><iframe></iframe>' +
          '<p style="color:red">c</p><style>p{}</style><script>1</script><noscript><p>d</p></noscript>',
      ),
    ).toEqual([
      'p[onclick]',
      'a[href=javascript:alert(1)]',
      '<form>',
      '<iframe>',
      'p[style]',
      '<style>',
      '<script>',
      '<noscript>',
    ]);
    expect(referenceSanitize('<p onclick="x">a<script>1</script></p>', 'https://x.example/')).toBe(
      '<p>a</p>',
    );
  });
});

const corpusNames = [...new Set(pages.map(p => p.corpus))];

describe.skipIf(!pages.length)('sanitizer against DOMPurify + jsdom on every corpus page', () => {
  // One test per corpus: ~15–40 ms a page (extraction, then both sanitizers), minutes on a busy machine.
  it.each(corpusNames)(
    '%s: nothing dangerous survives in either, and the visible text is the same',
    corpus => {
      const tally = new Tally();
      const mine = pages.filter(p => p.corpus === corpus);
      for (const p of mine) {
        for (const [html, base] of sanitizerInputs(readPage(p), p.url)) {
          tally.add(`${p.corpus}/${p.id}`, html, base);
        }
      }
      expect(tally.inputs).toBeGreaterThan(mine.length / 2);
      expect(tally.dangersOurs).toEqual([]);
      expect(tally.dangersRef).toEqual([]);
      // The visible text is the article: the two may differ in attributes, never in what a reader reads.
      expect(tally.textDiffers).toBe(0);
    },
    600_000,
  );

  it('is idempotent on real content: sanitizing its own output changes nothing', () => {
    for (const p of pages.filter((_, i) => i % 7 === 0)) {
      for (const [html, base] of sanitizerInputs(readPage(p), p.url)) {
        const once = sanitizeHtml(html, base);
        expect(sanitizeHtml(once, base)).toBe(once);
      }
    }
  }, 600_000);
});
