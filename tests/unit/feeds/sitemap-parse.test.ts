import { describe, expect, it } from 'vitest';
import { entryDate, parseSitemap, SitemapParseError } from '../../../src/feeds/parse/sitemap.js';
import { OVERFLOW_HOLD_MS, overflowCeiling, underOverflowCeiling } from '../../../src/feeds/interval.js';
import { DEFAULT_INTERVALS } from '../../../src/feeds/interval.js';

const BASE = 'https://news.example/sitemap.xml';
const NS =
  'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" ' +
  'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"';

const parse = (text: string, maxEntries?: number) =>
  parseSitemap(text, { baseUrl: BASE, ...(maxEntries ? { maxEntries } : {}) });

describe('parseSitemap', () => {
  it('reads a news sitemap: loc, lastmod, news title, date and publication, images', () => {
    const s = parse(`<?xml version="1.0" encoding="UTF-8"?>
<urlset ${NS}>
  <url>
    <loc>https://news.example/a?x=1&amp;y=2</loc>
    <lastmod>2026-12-01T10:00:00+01:00</lastmod>
    <news:news>
      <news:publication><news:name>The &amp; Example</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-12-01T08:30:00Z</news:publication_date>
      <news:title><![CDATA[Rates <held> & steady]]></news:title>
    </news:news>
    <image:image><image:loc>https://news.example/a.jpg</image:loc><image:title>not the article's title</image:title></image:image>
    <image:image><image:loc>/b.jpg</image:loc></image:image>
  </url>
</urlset>`);
    expect(s).toEqual({
      kind: 'urlset',
      news: true,
      dropped: 0,
      invalid: 0,
      urls: [
        {
          loc: 'https://news.example/a?x=1&y=2',
          lastmod: '2026-12-01T09:00:00.000Z',
          title: 'Rates <held> & steady',
          publishedAt: '2026-12-01T08:30:00.000Z',
          publication: 'The & Example',
          images: ['https://news.example/a.jpg', 'https://news.example/b.jpg'],
        },
      ],
    });
    if (s.kind === 'urlset') expect(entryDate(s.urls[0]!)).toBe('2026-12-01T08:30:00.000Z');
  });

  it('reads an index, with prefixed namespaces, comments and a BOM', () => {
    const s =
      parse(`\uFEFF<?xml version="1.0"?><!-- generated --><sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
<sm:sitemap><loc>https://news.example/s-1.xml.gz</loc><lastmod>2026-11-01</lastmod></sm:sitemap>
<sm:sitemap><loc>s-2.xml</loc></sm:sitemap></sm:sitemapindex>`);
    expect(s).toEqual({
      kind: 'index',
      dropped: 0,
      invalid: 0,
      sitemaps: [
        { loc: 'https://news.example/s-1.xml.gz', lastmod: '2026-11-01T00:00:00.000Z' },
        { loc: 'https://news.example/s-2.xml', lastmod: null },
      ],
    });
  });

  it('reads a text sitemap, one URL per line', () => {
    const s = parse('https://news.example/1\r\n\r\nhttps://news.example/2\nnot a url\n');
    expect(s.kind === 'urlset' && s.urls.map(u => u.loc)).toEqual([
      'https://news.example/1',
      'https://news.example/2',
    ]);
    expect(s.invalid).toBe(1);
  });

  it('keeps the broken entries out, counts them, and keeps the rest', () => {
    const s = parse(`<urlset ${NS}>
<url><loc>javascript:alert(1)</loc></url>
<url><lastmod>2026-01-01</lastmod></url>
<url><loc>https://news.example/ok</loc><lastmod>not a date</lastmod></url>
<url><loc>https://news.example/cut`);
    expect(s.kind === 'urlset' && s.urls.map(u => [u.loc, u.lastmod])).toEqual([
      ['https://news.example/ok', null],
    ]);
    expect(s.invalid).toBe(2);
  });

  it('keeps at most maxEntries and counts the rest as dropped', () => {
    const urls = Array.from({ length: 7 }, (_, i) => `<url><loc>https://news.example/${i}</loc></url>`).join(
      '',
    );
    const s = parse(`<urlset ${NS}>${urls}</urlset>`, 5);
    expect(s.kind === 'urlset' && s.urls.length).toBe(5);
    expect(s.dropped).toBe(2);
  });

  it('an empty urlset is a sitemap with no URLs', () => {
    expect(parse(`<urlset ${NS}></urlset>`)).toMatchObject({ kind: 'urlset', urls: [] });
    expect(parse(`<urlset ${NS}/>`)).toMatchObject({ kind: 'urlset', urls: [] });
  });

  it.each([
    [
      'an HTML page',
      '<!doctype html><html><head><title>x</title></head><body></body></html>',
      /root is <html>/,
    ],
    ['an RSS feed', '<?xml version="1.0"?><rss version="2.0"><channel/></rss>', /root is <rss>/],
    ['a truncated urlset', `<?xml version="1.0"?><urlset ${NS}>`, /never closed/],
    ['binary noise', '\u0000\u0001garbage', /neither XML nor a text file/],
  ])('refuses %s with a one-line reason', (_name, text, reason) => {
    let err: unknown;
    try {
      parse(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SitemapParseError);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toContain('\n');
  });

  it('reads 50 000 URLs, the protocol maximum, and drops the 50 001st', () => {
    const one = (i: number): string =>
      `<url><loc>https://news.example/2026/${i}</loc><lastmod>2026-11-${String((i % 28) + 1).padStart(2, '0')}</lastmod></url>\n`;
    const parts: string[] = [`<urlset ${NS}>`];
    for (let i = 0; i <= 50_000; i++) parts.push(one(i));
    parts.push('</urlset>');
    const s = parse(parts.join(''));
    expect(s.kind === 'urlset' && s.urls.length).toBe(50_000);
    expect(s.dropped).toBe(1);
  });
});

describe('overflow interval', () => {
  const s = { ...DEFAULT_INTERVALS, minMs: 60_000 };
  it('halves the interval in force, never under minInterval', () => {
    expect(overflowCeiling(600_000, s)).toBe(300_000);
    expect(overflowCeiling(90_000, s)).toBe(60_000);
  });
  it('holds the ceiling for a day after the overflow, and only when it is shorter', () => {
    const base = { ms: 3_600_000, reason: 'adaptive: 7 items in 7 days' };
    const now = 10 * OVERFLOW_HOLD_MS;
    expect(underOverflowCeiling(base, { ceilingMs: 600_000, at: now - 1000 }, now)).toEqual({
      ms: 600_000,
      reason: 'overflow: every item was new, interval halved to 10 min',
    });
    expect(underOverflowCeiling(base, { ceilingMs: 600_000, at: now - OVERFLOW_HOLD_MS }, now)).toBe(base);
    expect(underOverflowCeiling(base, { ceilingMs: 7_200_000, at: now }, now)).toBe(base);
    expect(underOverflowCeiling(base, { ceilingMs: null, at: null }, now)).toBe(base);
  });
});
