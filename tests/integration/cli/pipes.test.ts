import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpml } from '../../../src/feeds/opml.js';
import { runCliPiped, writeConfigDir } from '../../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, seedArticles, type Published } from '../api/fixtures.js';

/**
 * Issue 13 (1): a pipe is asynchronous in Node, and a CLI that calls process.exit before stdout drained cut its
 * output at the pipe's 64 KiB. Every command that prints documents or lists is run here with more than 1 MB of
 * output through a slow reader, and what arrives must be whole.
 */
const MB = 1024 * 1024;
const FEEDS = 9000;
const STORIES = 1200;
const LONG_PATH = 'a-rather-long-section-name/'.repeat(30);

// Each CLI run loads the whole CLI: seconds apiece on a loaded 2-core machine.
describe('CLI output through a pipe is complete (≥ 1 MB)', { timeout: 600_000 }, () => {
  let pub: Published;
  let dir: string;
  let work: string;
  let bigArticleId: string;
  const feeds = Array.from({ length: FEEDS }, (_, i) => ({
    id: `feed-${i}`,
    url: `https://feeds-${i}.example.org/${'news/'.repeat(12)}feed-${i}.xml`,
    title: `Feed number ${i} of the pipe test, with a title long enough to fill a line`,
    tags: ['pipes'],
  }));
  const env = (): NodeJS.ProcessEnv => ({ REDIS_URL: testRedisUrl() });

  beforeAll(async () => {
    pub = await publishDemo(testPrefix('pipes'), { run: false });
    dir = writeConfigDir({ redis: { keyPrefix: pub.prefix }, log: { level: 'warn' } }, feeds);
    work = mkdtempSync(join(tmpdir(), 'nf-pipes-'));
    // Stories with long URLs: `stories export` prints members, not bodies; `tail` prints events.
    await seedArticles(pub.rt, {
      n: STORIES,
      feedId: 'pipes',
      at: i => 1_790_000_000_000 + i,
      url: i => `https://site-${i % 40}.example/${LONG_PATH}story-${i}`,
    });
    // One article whose body alone is over 1 MB, for `articles get` and `stories get`.
    const [big] = await seedArticles(pub.rt, {
      n: 1,
      feedId: 'pipes-big',
      at: () => 1_790_000_100_000,
      words: 160_000,
    });
    bigArticleId = big!;
  });
  afterAll(async () => {
    await pub?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const piped = async (args: string[]): Promise<string> => {
    const r = await runCliPiped([...args, '--config', dir], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.bytes).toBeGreaterThan(MB);
    expect(r.stdout.endsWith('\n')).toBe(true);
    return r.stdout;
  };
  const jsonLines = (out: string): Record<string, unknown>[] =>
    out
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, unknown>);

  it('feeds list (text and --json), feeds export', async () => {
    const text = await piped(['feeds', 'list']);
    expect(text.trimEnd().split('\n')).toHaveLength(FEEDS + 1);
    expect(text).toContain(`feed-${FEEDS - 1} `);
    const json = jsonLines(await piped(['feeds', 'list', '--json']));
    expect(json.map(f => f.id)).toEqual(feeds.map(f => f.id));
    const undated = (opml: string): string => opml.replace(/<dateCreated>[^<]*<\/dateCreated>/, '');
    const opml = await piped(['feeds', 'export']);
    expect(undated(opml)).toBe(undated(buildOpml(feeds.map(f => ({ ...f, enabled: true })))));
  });

  it('feeds import', async () => {
    const file = join(work, 'many.opml');
    writeFileSync(file, buildOpml(feeds.map(f => ({ ...f, enabled: true }))));
    const empty = writeConfigDir({ redis: { keyPrefix: pub.prefix } }, []);
    const r = await runCliPiped(['feeds', 'import', file, '--config', empty], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.bytes).toBeGreaterThan(MB);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`${FEEDS} added, 0 skipped, ${FEEDS} in ${file}`);
  });

  it('parse-feed', async () => {
    const items = Array.from(
      { length: 3000 },
      (_, i) =>
        `<item><title>Item ${i}</title><link>https://example.org/${i}</link><guid>g-${i}</guid>` +
        `<description>${'Words of a long description. '.repeat(16)}</description></item>`,
    );
    const file = join(work, 'big.xml');
    writeFileSync(
      file,
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>https://example.org/</link>` +
        `${items.join('')}</channel></rss>`,
    );
    const feed = JSON.parse(await piped(['parse-feed', file])) as { items: unknown[] };
    expect(feed.items).toHaveLength(3000);
  });

  it('extract', async () => {
    const paragraphs = Array.from(
      { length: 6000 },
      (_, i) => `<p>Paragraph ${i} of a very long article, written to make the output of extract large. </p>`,
    );
    const file = join(work, 'long.html');
    writeFileSync(
      file,
      `<!doctype html><html><head><title>Long</title></head><body><article><h1>Long</h1>` +
        `${paragraphs.join('\n')}</article></body></html>`,
    );
    const [line] = jsonLines(await piped(['extract', '--url', 'https://example.org/long', file]));
    expect(String(line!.contentText)).toContain('Paragraph 5999 of');
  });

  it('status --json, articles get --json, stories get --json', async () => {
    const status = JSON.parse(await piped(['status', '--json'])) as { feeds: unknown[] };
    expect(status.feeds).toHaveLength(FEEDS);
    const article = JSON.parse(await piped(['articles', 'get', bigArticleId, '--json'])) as {
      body: { wordCount: number };
    };
    expect(article.body.wordCount).toBe(160_000);
    const story = JSON.parse(await piped(['stories', 'get', bigArticleId, '--json'])) as {
      body: { wordCount: number };
    };
    expect(story.body.wordCount).toBe(160_000);
  });

  it('stories export, export, tail', async () => {
    expect(jsonLines(await piped(['stories', 'export']))).toHaveLength(STORIES + 1);
    expect(jsonLines(await piped(['export']))).toHaveLength(STORIES + 1);
    expect(
      jsonLines(await piped(['tail', '--from', '0', '--count', String(STORIES), '--json'])),
    ).toHaveLength(STORIES);
  });
});
