import { describe, expect, it } from 'vitest';
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
});
