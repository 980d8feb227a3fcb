import { describe, expect, it } from 'vitest';
import { extractArticle } from '../../../src/extract/extract.js';

/** An ordinary article page with hostile parts inserted verbatim. */
function articlePage(opts: { title?: string; head?: string; body?: string } = {}): string {
  const title = opts.title ?? 'An ordinary story';
  const p = (i: number): string =>
    `<p>Paragraph ${i} of an ordinary story about the harbour council, its budget and the crane fleet, ` +
    `written long enough that the page reads as an article and not as a stub or a listing.</p>`;
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${opts.head ?? ''}` +
    `</head><body><main><article><h1>${title}</h1>${Array.from({ length: 8 }, (_, i) => p(i)).join('')}` +
    `${opts.body ?? ''}</article></main></body></html>`
  );
}

/**
 * Issue 12 row 10: the fields docs/CONSUMING.md calls plain text carry no markup and no control characters,
 * whatever the page put in its <title>, meta tags, JSON-LD or byline, and are capped.
 */
describe('plain-text article fields', () => {
  const url = 'https://hostile.example/2026/12/01/story/';
  // eslint-disable-next-line no-control-regex -- the point: no controls may be left
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
  const TAG = /<[a-z!/?][^<>]*>/i;

  it('strips tags, escape sequences and controls from title, site name, authors, byline and tags', () => {
    const html = articlePage({
      title: 'Ok &lt;img src=x onerror=alert(1)&gt; \u001b]0;pwned\u0007 title',
      head:
        '<meta property="og:site_name" content="&lt;b&gt;Harbor&lt;/b&gt; Ledger\u001b[31m">' +
        '<meta name="author" content="&lt;script&gt;alert(1)&lt;/script&gt;Jane \u009b2J Doe">' +
        '<meta property="article:tag" content="&lt;i&gt;ports&lt;/i&gt;">',
      body: '<p class="byline">By <b>Jane</b> \u001b[2J<i>Doe</i></p>',
    });
    const out = extractArticle({ html, url });
    expect(out.kind).toBe('article');
    if (out.kind !== 'article') return;
    const a = out.article;
    const fields = [a.title, a.siteName, a.byline, a.excerpt, ...a.authors, ...a.tags].filter(
      (v): v is string => typeof v === 'string',
    );
    expect(fields.length).toBeGreaterThan(3);
    for (const v of fields) {
      expect(v, v).not.toMatch(CONTROL);
      expect(v, v).not.toMatch(TAG);
    }
    expect(a.title).toBe('Ok title');
    expect(a.siteName).toBe('Harbor Ledger');
  });

  it('caps a huge title, keeps text that merely contains "<"', () => {
    const huge = extractArticle({ html: articlePage({ title: '&lt;p‹p'.repeat(30_000) }), url });
    expect(huge.kind).toBe('article');
    if (huge.kind === 'article') {
      expect(huge.article.title!.length).toBeLessThanOrEqual(2048);
      expect(huge.article.title!.startsWith('<p‹p<p‹p')).toBe(true);
    }
    const lt = extractArticle({
      html: articlePage({ title: 'Rates &lt; 2 % as inflation &gt; target' }),
      url,
    });
    expect(lt.kind === 'article' && lt.article.title).toBe('Rates < 2 % as inflation > target');
  });
});
