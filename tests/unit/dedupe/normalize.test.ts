import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/dedupe/fingerprint.js';
import { factTokens, normalizeName, normalizeText, tokenize } from '../../../src/dedupe/normalize.js';

describe('normalizeText / tokenize', () => {
  it.each([
    ['curly and straight quotes are one', 'It’s “fine”', 'It\'s "fine"'],
    ['dashes fold to a hyphen', 'a – b — c ‑ d', 'a - b - c - d'],
    ['NFKC: ligatures and full-width digits', 'ﬁnance ２０２５', 'finance 2025'],
    ['lower case', 'Federal Reserve', 'federal reserve'],
  ])('%s', (_name, a, b) => {
    expect(normalizeText(a)).toBe(normalizeText(b));
  });

  it('drops URLs and e-mail addresses, keeps digits', () => {
    expect(
      tokenize('Read https://example.com/a?b=1 or mail desk@example.org: shares rose 3.5% to $41,200'),
    ).toEqual(['read', 'or', 'mail', 'shares', 'rose', '3', '5', 'to', '41', '200']);
  });

  it('keeps letters of any script and their marks', () => {
    expect(tokenize('Der Beitrag erschien zuerst — Übersicht, café, 東京')).toEqual([
      'der',
      'beitrag',
      'erschien',
      'zuerst',
      'übersicht',
      'café',
      '東京',
    ]);
  });

  it('normalizeName compares titles and publisher names across typography', () => {
    expect(normalizeName('Japan’s AI push — what it means')).toBe(
      normalizeName("JAPAN'S AI PUSH - What it means"),
    );
    expect(normalizeName(null)).toBe('');
  });

  it.each([
    ['distinct numbers, sorted', 'at 43,210 on day 2; 2 up, 43 down', ['2', '210', '43']],
    [
      'names inside a sentence, lower-cased; a sentence-initial capital is no name',
      'Shares of Northwind Logistics rose. Traders said the Board met on Monday.',
      ['board', 'logistics', 'monday', 'northwind'],
    ],
    ['two capitals make a name anywhere', 'NASDAQ listed it. The ECB did not.', ['ecb', 'nasdaq']],
    [
      'a capitalized word the text also writes in lower case is no name',
      'Read the full story at The Ledger, said the editor.',
      ['ledger'],
    ],
    ['after a colon or a line break the capital is the line’s', 'Source: Reuters\nMarkets fell', []],
    ['URLs and one-letter words are left out', 'See https://Example.com/A as I said', []],
  ])('factTokens: %s', (_name, text, facts) => {
    expect(factTokens(text)).toEqual(facts);
  });

  it('factTokens: a copy’s facts are a subset of its original’s; two filled templates each have their own', () => {
    const notice = (company: string): string =>
      `Shares of ${company} closed at 12.50 dollars, the company told the Securities and Exchange Commission.`;
    const a = factTokens(notice('Northwind Logistics'));
    const b = factTokens(notice('Harborline Shipping'));
    const excerpt = factTokens(notice('Northwind Logistics').slice(0, 40));
    expect(excerpt.every(f => a.includes(f))).toBe(true);
    expect(a.filter(f => !b.includes(f))).toEqual(['logistics', 'northwind']);
    expect(b.filter(f => !a.includes(f))).toEqual(['harborline', 'shipping']);
  });
});

describe('fingerprint (content keys)', () => {
  const opts = { minTokens: 30, leadWords: 50, bands: 32, rows: 4 };
  const body = Array.from(
    { length: 12 },
    (_, i) => `Paragraph ${i} says the harbor board approved plan number ${i * 7} after a long debate.`,
  ).join(' ');

  it('a copy with different typography and a Yoast footer has the same body hash and signature', () => {
    const copy = `${body.replace(/'/g, '’')} The post Harbor plan approved appeared first on Harbor Ledger.`;
    const a = fingerprint(body, opts);
    const b = fingerprint(copy, opts);
    expect(b.credits).toHaveLength(1);
    expect(b.bodyHash).toBe(a.bodyHash);
    expect(b.bands).toEqual(a.bands);
  });

  it('an excerpt copy (first 55 words + […] + footer) shares the lead hash and is marked as an excerpt', () => {
    const excerpt = `${body.split(' ').slice(0, 55).join(' ')} […] The post Harbor plan appeared first on Harbor Ledger.`;
    const a = fingerprint(body, opts);
    const e = fingerprint(excerpt, opts);
    expect(e.excerpt).toBe(true);
    expect(e.leadHash).toBe(a.leadHash);
    expect(e.bodyHash).not.toBe(a.bodyHash);
  });

  it('a text below minTokens gets no content keys (stubs look alike)', () => {
    const fp = fingerprint('Subscribe to continue reading this article.', opts);
    expect(fp).toMatchObject({ bodyHash: null, leadHash: null, signature: null, bands: [] });
  });

  it('numbers are part of the body: a template with other figures has another body hash', () => {
    const other = body.replace(/number (\d+)/g, (_m, n: string) => `number ${Number(n) + 1}`);
    expect(fingerprint(other, opts).bodyHash).not.toBe(fingerprint(body, opts).bodyHash);
    expect(fingerprint(other, opts).facts).not.toEqual(fingerprint(body, opts).facts);
  });
});
