import { describe, expect, it } from 'vitest';
import { FEED_LIMITS } from '../../../../src/feeds/parse/limits.js';
import { parseFeed } from '../../../../src/feeds/parse/parse.js';

/** Issue 12 row 1/2: what one hostile feed can make the parser produce and do, bounded. */
describe('feed parser bounds', () => {
  const rss = (head: string, items: string): string =>
    `<?xml version="1.0"?>${head}<rss version="2.0"><channel><title>T</title>` +
    `<link>https://example.org/</link>${items}</channel></rss>`;

  it('internal entities expand to no more than the document itself (one large entity referenced often)', async () => {
    const big = 'A'.repeat(100_000);
    const doc = rss(
      `<!DOCTYPE rss [<!ENTITY big "${big}">]>`,
      `<item><title>t</title><link>https://example.org/1</link><description>${'&big;'.repeat(5_000)}</description></item>`,
    );
    const feed = await parseFeed(doc);
    const summary = feed.items[0]!.summaryHtml ?? '';
    // Unbounded, this was 500 000 000 characters (12 s, 2.2 GB on a 1 MB feed).
    expect(summary.length).toBeLessThanOrEqual(doc.length * 2);
    expect(summary).toContain(big);
    // References past the budget stay as literal text.
    expect(summary).toMatch(/&(?:amp;)?big;$/);
  });

  it('a large feed without "&" parses whole (each step no longer searches the rest of the document)', async () => {
    const items = Array.from(
      { length: 4_000 },
      (_, i) =>
        `<item><title>Item ${i}</title><link>https://example.org/${i}</link><guid>g${i}</guid>` +
        `<description>${'Words of a long description. '.repeat(16)}</description></item>`,
    ).join('');
    const feed = await parseFeed(rss('', items));
    expect(feed.items).toHaveLength(4_000);
    expect(feed.items.at(-1)!.title).toBe('Item 3999');
  });

  it('40 000 unclosed <title>s and 40 000 attributes on one element parse, in one pass each', async () => {
    const unclosed = await parseFeed(
      rss('', `<item><link>https://example.org/1</link>${'<title>x'.repeat(40_000)}</item>`),
    );
    expect(unclosed.items.length).toBeLessThanOrEqual(1);
    let attrs = '';
    for (let i = 0; i < 40_000; i++) attrs += ` a${i}=v${i}`;
    const many = await parseFeed(
      rss('', `<item${attrs}><title>t</title><link>https://example.org/1</link></item>`),
    );
    expect(many.items).toHaveLength(1);
    expect(many.items[0]!.title).toBe('t');
  });

  it('every field is cut to its limit before anything reads it: titles, names, dates, bodies (RSS and Atom)', async () => {
    const longTitle = 'T'.repeat(120_000);
    const body = `<p>${'x'.repeat(2 * FEED_LIMITS.html)}</p>`;
    const rssDoc = rss(
      '',
      `<item><title>${longTitle}</title><link>https://example.org/1</link>` +
        `<pubDate>Mon, 02 Jun 2025 10:00:00 GMT${' '.repeat(60_000)}x</pubDate>` +
        `<dc:creator>${'N'.repeat(50_000)}</dc:creator><category>${'c'.repeat(50_000)}</category>` +
        `<description><![CDATA[${body}]]></description></item>`,
    );
    const [item] = (await parseFeed(rssDoc)).items;
    expect(item!.title).toBe('T'.repeat(FEED_LIMITS.text));
    expect(item!.publishedAt).toBeNull();
    expect(item!.authors[0]!.name).toHaveLength(FEED_LIMITS.text);
    expect(item!.categories[0]).toHaveLength(FEED_LIMITS.text);
    expect(item!.summaryHtml!.length).toBeLessThanOrEqual(FEED_LIMITS.html);
    expect(item!.summaryHtml!.startsWith('<p>xxx')).toBe(true);

    const atom =
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>` +
      `<entry><id>urn:1</id><title type="html">${'&lt;b&gt;w'.repeat(30_000)}</title>` +
      `<link href="https://example.org/a"/><updated>2025-06-02T10:00:00Z${'0'.repeat(300)}</updated>` +
      `<content type="html">${'&lt;p&gt;y'.repeat(FEED_LIMITS.html / 2)}</content></entry></feed>`;
    const [entry] = (await parseFeed(atom)).items;
    expect(entry!.updatedAt).toBeNull();
    expect(entry!.title).toMatch(/^w+$/);
    expect(entry!.title!.length).toBeLessThan(FEED_LIMITS.text);
    expect(entry!.contentHtml!.length).toBeLessThanOrEqual(FEED_LIMITS.html);
  });

  it('JSON Feed fields are cut the same way', async () => {
    const doc = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'F',
      items: [
        {
          id: '1',
          url: 'https://example.org/1',
          title: 'T'.repeat(100_000),
          date_published: `2025-06-02T10:00:00Z${' '.repeat(60_000)}`,
          authors: ['A'.repeat(20_000)],
          tags: ['t'.repeat(20_000)],
          content_html: 'h'.repeat(FEED_LIMITS.html + 10),
        },
      ],
    });
    const [item] = (await parseFeed(doc)).items;
    expect(item!.title).toHaveLength(FEED_LIMITS.text);
    expect(item!.publishedAt).toBeNull();
    expect(item!.authors[0]!.name).toHaveLength(FEED_LIMITS.text);
    expect(item!.categories[0]).toHaveLength(FEED_LIMITS.text);
    expect(item!.contentHtml).toHaveLength(FEED_LIMITS.html);
  });
});
