/**
 * Feed parsing throughput: the fixture feeds (tests/fixtures/feeds) and synthetic RSS/Atom feeds of 10, 100 and
 * 1 000 items, each parsed by `parseFeed` in this thread, over and over for a fixed time per set.
 *
 *   npm run bench:parse [-- --seconds 3]
 *
 * Prints one JSON line per set ({set, feeds, seconds, feedsPerS, mbPerS}). Figures are for comparing two builds
 * on one machine in one run, not absolute.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeed } from '../../src/feeds/parse/parse.js';

function rss(items: number): string {
  const body = Array.from(
    { length: items },
    (_, i) =>
      `<item><title>Item ${i} &amp; more</title><link>https://bench.example/a/${i}</link><guid>g-${i}</guid>` +
      `<pubDate>Mon, 02 Jun 2025 10:${String(i % 60).padStart(2, '0')}:00 GMT</pubDate>` +
      `<dc:creator>Writer ${i % 7}</dc:creator><category>News</category>` +
      `<description><![CDATA[<p>${'A paragraph of the summary, with <a href="/x">a link</a>. '.repeat(4)}</p>]]></description></item>`,
  ).join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
    `<channel><title>Bench</title><link>https://bench.example/</link>${body}</channel></rss>`
  );
}

function atom(items: number): string {
  const body = Array.from(
    { length: items },
    (_, i) =>
      `<entry><id>urn:bench:${i}</id><title type="html">Entry ${i} &lt;b&gt;bold&lt;/b&gt;</title>` +
      `<link href="https://bench.example/e/${i}"/><updated>2025-06-02T10:00:00Z</updated>` +
      `<author><name>Writer ${i % 7}</name></author>` +
      `<content type="html">${'&lt;p&gt;Content of the entry, a few sentences long.&lt;/p&gt;'.repeat(6)}</content></entry>`,
  ).join('');
  return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bench</title>${body}</feed>`;
}

async function measure(set: string, docs: string[], seconds: number): Promise<void> {
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  // Warm-up: one pass (JIT, lazy imports).
  for (const d of docs) await parseFeed(d, 'https://bench.example/feed').catch(() => null);
  let n = 0;
  let passes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const d of docs) {
      await parseFeed(d, 'https://bench.example/feed').catch(() => null);
      n++;
    }
    passes++;
  }
  const s = (performance.now() - t0) / 1000;
  const line = {
    set,
    feeds: n,
    seconds: Number(s.toFixed(2)),
    feedsPerS: Number((n / s).toFixed(1)),
    mbPerS: Number(((bytes * passes) / s / 2 ** 20).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export async function main(args: string[]): Promise<number> {
  const i = args.indexOf('--seconds');
  const seconds = i >= 0 ? Number(args[i + 1]) : 3;
  const dir = join(import.meta.dirname, '../../tests/fixtures/feeds');
  const fixtures = readdirSync(dir)
    .filter(f => /\.(xml|rdf|json)$/.test(f))
    .map(f => readFileSync(join(dir, f), 'latin1'));
  await measure('fixtures', fixtures, seconds);
  for (const n of [10, 100, 1000]) {
    await measure(`rss-${n}`, [rss(n)], seconds);
    await measure(`atom-${n}`, [atom(n)], seconds);
  }
  return 0;
}
