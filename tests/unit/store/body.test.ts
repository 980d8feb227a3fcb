import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { htmlText } from '../../../src/extract/content/text.js';
import { ARTICLE_SCHEMA_VERSION, type NormalizedArticle } from '../../../src/dedupe/article.js';
import { BODY_MARKER, BodyFormatError, decodeBody, encodeBody } from '../../../src/store/body.js';

const html =
  '<h2>Cranes</h2><p>The port will replace its twelve diesel cranes.</p><ul><li>one</li><li>two &amp; three</li></ul>' +
  '<figure><img src="https://x.example/a.jpg"><figcaption>A crane</figcaption></figure><p>Last paragraph.</p>';

function article(over: Partial<NormalizedArticle> = {}): NormalizedArticle {
  return {
    id: 'a1',
    url: 'https://ledger.example/cranes/',
    finalUrl: 'https://ledger.example/cranes/',
    urlKey: 'https://ledger.example/cranes/',
    feed: { id: 'ledger', url: 'https://ledger.example/feed' },
    fetchedAt: '2026-11-20T10:00:00.000Z',
    schemaVersion: ARTICLE_SCHEMA_VERSION,
    title: 'Cranes',
    authors: ['Ann Lee'],
    byline: 'By Ann Lee',
    siteName: 'Harbor Ledger',
    publishedAt: '2026-11-20T09:00:00.000Z',
    modifiedAt: null,
    lang: 'en',
    excerpt: 'The port will replace…',
    leadImage: null,
    tags: [],
    contentHtml: html,
    contentText: htmlText(html),
    wordCount: 20,
    readingMinutes: 1,
    canonicalUrl: null,
    attribution: null,
    access: 'free',
    contentSource: 'page',
    ...over,
  };
}

describe('stored body codec (store/body.ts)', () => {
  it('writes the marker and a zlib stream, and reads back the same article', () => {
    const a = article();
    const raw = encodeBody(a);
    expect([...raw.subarray(0, 2)]).toEqual([...BODY_MARKER]);
    expect(decodeBody(raw)).toEqual(a);
  });

  it('stores the text once: contentText is left out when contentHtml reproduces it, and derived on read', () => {
    const a = article();
    expect(a.contentText).toContain('two & three');
    const stored = JSON.parse(inflateSync(encodeBody(a).subarray(2)).toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(stored).not.toHaveProperty('contentText');
    expect(stored.contentHtml).toBe(html);
    expect(decodeBody(encodeBody(a)).contentText).toBe(a.contentText);
  });

  it('keeps contentText when it cannot be derived from contentHtml', () => {
    const a = article({ contentText: 'A text the HTML does not say.' });
    const stored = JSON.parse(inflateSync(encodeBody(a).subarray(2)).toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(stored.contentText).toBe('A text the HTML does not say.');
    expect(decodeBody(encodeBody(a)).contentText).toBe('A text the HTML does not say.');
  });

  it('reads a body stored as plain JSON (written before bodies were compressed)', () => {
    const a = article({ contentText: 'old text' });
    expect(decodeBody(Buffer.from(JSON.stringify(a)))).toEqual(a);
  });

  it('is smaller than the JSON it replaces', () => {
    const long = `<p>${'Harbour cranes move containers all day and night. '.repeat(200)}</p>`;
    const a = article({ contentHtml: long, contentText: htmlText(long) });
    expect(encodeBody(a).length).toBeLessThan(JSON.stringify(a).length / 10);
  });

  it('a value in neither format, or a corrupt stream, is a BodyFormatError', () => {
    expect(() => decodeBody(Buffer.from('plain words'))).toThrow(BodyFormatError);
    const raw = encodeBody(article());
    expect(() => decodeBody(raw.subarray(0, raw.length - 8))).toThrow(BodyFormatError);
  });
});
