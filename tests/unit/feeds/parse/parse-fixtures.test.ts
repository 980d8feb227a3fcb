import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeed, toFeedJson, type FeedJson } from '../../../../src/feeds/parse/parse.js';
import type { ParsedFeed } from '../../../../src/feeds/parse/types.js';

const dir = join(import.meta.dirname, '../../../fixtures/feeds');
const read = (name: string): Buffer => readFileSync(join(dir, name));
const parse = (name: string, opts: { baseUrl?: string; contentType?: string } = {}): Promise<ParsedFeed> =>
  parseFeed(read(name), opts);
const json = async (name: string, opts: { baseUrl?: string; contentType?: string } = {}): Promise<FeedJson> =>
  toFeedJson(await parse(name, opts));

describe('parseFeed on fixture feeds', () => {
  it('RSS 2.0: every field, origin <source>, authors in both spellings, image from enclosure', async () => {
    const f = await parse('rss2-full.xml');
    expect(f).toMatchObject({
      format: 'rss',
      version: 'rss-2.0',
      title: 'Harbor Ledger & Friends',
      link: 'https://harbor.example/',
      description: 'News from the harbor district',
      language: 'en-us',
      updatedAt: '2025-06-10T09:00:00.000Z',
      ttlMinutes: 90,
      hub: 'https://hub.example/',
      self: 'https://harbor.example/feed.xml',
    });
    const [a, b, c] = f.items;
    expect(a).toMatchObject({
      id: 'harbor-4411',
      guid: 'harbor-4411',
      link: 'https://harbor.example/2025/06/cranes?utm_source=rss',
      title: 'Cranes go electric',
      publishedAt: '2025-06-09T22:30:00.000Z',
      updatedAt: null,
      authors: [{ name: 'Mara Quill', email: 'desk@harbor.example' }, { name: 'Tobin Reyes' }],
      categories: ['Port', 'Energy'],
      summaryHtml: '<p>Twelve cranes switch to <em>battery</em> power.</p>',
      image: 'https://harbor.example/img/crane-large.jpg',
      source: { url: 'https://wire.example/rss', title: 'Calder Wire' },
    });
    // Relative URLs inside content resolve against the document.
    expect(a?.contentHtml).toContain('href="https://harbor.example/votes/2025-06"');
    expect(a?.contentHtml).toContain('src="https://harbor.example/img/crane.jpg"');
    // Double-escaped entities in an RSS title are decoded; numeric references too.
    expect(b?.title).toBe('Tide tables for ‘summer’ & beyond');
    expect(b?.image).toBe('https://cdn.harbor.example/tides.png');
    // A permalink guid is the link when there is no <link>.
    expect(c).toMatchObject({ id: 'https://harbor.example/2025/06/guid-only', link: c?.id });
  });

  it('RSS without version, BOM and junk before the prolog, HTML entities, bare & and <, junk after the root', async () => {
    const f = await json('rss2-no-version-entities-bom.xml');
    expect(f.title).toBe('Café Notes — daily');
    expect(f.items).toHaveLength(2);
    expect(f.items[0]).toMatchObject({
      title: 'Espresso – a primer',
      link: 'http://cafe.example/post?id=7&lang=en',
      publishedAt: '2025-06-04T08:00:00.000Z',
    });
    expect(f.items[0]?.summaryHtml).toContain('AT&T says hi');
    expect(f.items[1]?.title).toBe('Second © post');
    // Markup left unescaped in a description is kept as HTML, in order.
    expect(f.items[1]?.summaryHtml).toBe('<p>Unescaped <b>markup</b> in a description<br>with a break</p>');
  });

  it('RSS 0.91 with a DOCTYPE: escaped HTML descriptions, ids fall back to links, relative link → channel link', async () => {
    const f = await json('rss091.xml');
    expect(f.format).toBe('rss');
    expect(f.items.map(i => i.id)).toEqual([
      'http://gazette.example/stories/council.html',
      'http://gazette.example/stories/parade.html',
    ]);
    expect(f.items[0]?.summaryHtml).toBe('<p>The council met for <i>ten</i> minutes.</p>');
    expect(f.items[0]?.title).toBe('Council meets & adjourns');
  });

  it('RSS 0.92: <source>, an <enclosure> missing its slash does not swallow its siblings, audio is no image', async () => {
    const f = await json('rss092-source-enclosure.xml');
    expect(f.items[0]).toMatchObject({
      source: { url: 'http://origin.example/feed.rss', title: 'Origin Times' },
      categories: ['transport'],
      image: null,
    });
  });

  it('RSS 1.0 (RDF): dc:* fields, rdf:about ids, content:encoded', async () => {
    const f = await parse('rdf-rss10.rdf');
    expect(f).toMatchObject({ format: 'rdf', version: 'rss-1.0', language: 'de' });
    expect(f.updatedAt).toBe('2025-05-30T10:00:00.000Z');
    expect(f.items[0]).toMatchObject({
      id: 'https://science.example/a/1',
      authors: [{ name: 'Ilse Baum' }, { name: 'Pavel Ost' }],
      categories: ['Climate'],
      publishedAt: '2025-05-29T09:30:00.000Z',
      summaryHtml: 'Survey results.',
      contentHtml: '<p>Full <strong>text</strong>.</p>',
    });
    expect(f.items[1]?.publishedAt).toBe('2025-05-28T00:00:00.000Z');
  });

  it('RSS 0.90 (Netscape RDF)', async () => {
    const f = await parse('rss090.rdf');
    expect(f).toMatchObject({ format: 'rdf', version: 'rss-0.90', title: 'Netscape Era' });
    expect(f.items[0]?.link).toBe('http://era.example/1');
  });

  it('Atom 1.0: xml:base chain, xhtml/html/text content, inherited authors, <source>, base64 content', async () => {
    const f = await parse('atom10-xmlbase.xml');
    expect(f).toMatchObject({
      format: 'atom',
      version: 'atom-1.0',
      title: 'Field Notes',
      description: 'Walking & writing',
      link: 'https://blog.example/journal/',
      language: 'en-GB',
      self: 'https://blog.example/journal/atom.xml',
      hub: 'https://hub.example/websub',
      updatedAt: '2025-06-01T07:00:00.000Z',
    });
    const [moor, less, b64] = f.items;
    expect(moor).toMatchObject({
      id: 'tag:blog.example,2025:moorland',
      link: 'https://blog.example/journal/2025/05/moorland',
      publishedAt: '2025-05-31T17:00:00.000Z',
      updatedAt: '2025-06-01T07:00:00.000Z',
      authors: [{ name: 'Ada Fenwick', email: 'ada@blog.example', url: 'https://blog.example/about' }],
      categories: ['walking', 'uplands'],
      summaryHtml: '<p>Heather, <a href="https://blog.example/journal/photos/1">photos</a>.</p>',
      image: 'https://blog.example/media/moor.png',
    });
    // XHTML: the wrapper div goes, entities stay escaped, <p/> becomes <p></p>, the content's own xml:base applies.
    expect(moor?.contentHtml).toBe(
      '<p>Bog cotton &amp; <img src="https://static.blog.example/img/cotton.jpg"/> larks.</p><p></p>',
    );
    expect(less).toMatchObject({
      link: 'https://blog.example/archive/less',
      title: 'Less <than> expected',
      authors: [{ name: 'Guest Writer' }],
      contentHtml: 'Plain &amp; simple &lt;not html&gt;',
      source: { url: 'https://elsewhere.example/feed.atom', title: 'Elsewhere Weekly' },
    });
    expect(b64?.contentHtml).toBe('<p>Base64 <b>body</b></p>');
    expect(b64?.authors).toEqual([
      { name: 'Ada Fenwick', email: 'ada@blog.example', url: 'https://blog.example/about' },
    ]);
  });

  it('Atom 0.3: issued/modified, tagline, escaped, base64 and inline-xml content modes', async () => {
    const f = await parse('atom03.xml');
    expect(f).toMatchObject({
      version: 'atom-0.3',
      title: 'Carnet & croquis',
      description: 'Dessins du jour',
    });
    expect(f.updatedAt).toBe('2005-03-01T10:00:00.000Z');
    expect(f.items.map(i => i.contentHtml)).toEqual([
      '<p>Un <b>pont</b> de pierre.</p>',
      "<p>Le port à l'aube.</p>",
      '<p>Une <em>tour</em>.</p>',
    ]);
    expect(f.items[0]).toMatchObject({
      publishedAt: '2005-02-28T08:00:00.000Z',
      updatedAt: '2005-02-28T11:00:00.000Z',
      authors: [{ name: 'Jeanne Roux' }],
    });
  });

  it('Atom with a non-standard namespace prefix and prefixed XHTML', async () => {
    const f = await parse('atom-prefixed.xml');
    expect(f.format).toBe('atom');
    expect(f.items[0]).toMatchObject({
      link: 'https://prefixed.example/one',
      contentHtml: '<p>Namespaced <b>XHTML</b></p>',
    });
  });

  it('feedburner:origLink wins over the proxy link (RSS and Atom, any prefix)', async () => {
    expect((await parse('feedburner.xml')).items[0]?.link).toBe(
      'https://burned.example/2025/06/original-link-wins/',
    );
    expect((await parse('feedburner-atom.xml')).items[0]?.link).toBe('https://burned.example/atom-original');
  });

  it('JSON Feed 1.1: authors, tags, hubs, relative URLs, attachments as images, text content escaped', async () => {
    const f = await parse('jsonfeed-1.1.json');
    expect(f).toMatchObject({
      format: 'json',
      version: 'json-1.1',
      title: 'Lantern Log',
      description: 'Night walks & notes',
      language: 'en-AU',
      hub: 'https://hub.example/',
      self: 'https://lantern.example/feed.json',
    });
    expect(f.items[0]).toMatchObject({
      id: 'lantern-3',
      link: 'https://lantern.example/posts/3',
      publishedAt: '2025-06-02T11:00:00.000Z',
      updatedAt: '2025-06-02T22:00:00.000Z',
      categories: ['night', 'harbour'],
      summaryHtml: 'Lights &amp; water',
      image: 'https://lantern.example/img/lights.jpg',
      authors: [{ name: 'Sol Ray' }, { name: 'Kit Lane', email: 'kit@lantern.example' }],
    });
    expect(f.items[1]).toMatchObject({
      id: '42',
      contentHtml: 'Line one\nLine &lt;two&gt;',
      image: 'https://lantern.example/b.webp',
      authors: [{ name: 'Kit Lane', url: 'https://lantern.example/kit' }],
    });
  });

  it('JSON Feed 1.0: singular author, id fallbacks (url, external_url, hash), non-object items skipped', async () => {
    const f = await parse('jsonfeed-1.0.json');
    expect(f.version).toBe('json-1.0');
    expect(f.items).toHaveLength(3);
    expect(f.items[0]).toMatchObject({
      id: 'https://oldjson.example/no-id',
      authors: [{ name: 'Item Author' }],
    });
    expect(f.items[1]?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(f.items[1]?.authors).toEqual([{ name: 'Feed Author', url: 'https://oldjson.example/me' }]);
    expect(f.items[2]).toMatchObject({
      id: 'https://other.example/story',
      link: 'https://other.example/story',
    });
  });

  it.each([
    ['enc-iso-8859-1.xml', undefined, 'Café crème brûlée', 'Ça coûte 5 € – “quoted”'],
    ['enc-windows-1251.xml', undefined, 'Новости дня', 'Привет, мир'],
    ['enc-koi8-r.xml', 'application/rss+xml; charset=KOI8-R', 'Погода в Москве', 'Снег и ветер'],
    ['enc-shift_jis.xml', undefined, '東京の天気', '晴れのち曇り'],
    ['enc-gb2312.xml', undefined, '今日新闻', '你好，世界'],
    ['enc-utf16le-bom.xml', undefined, 'Ünïcödé sixteen', 'Grüße – ✓'],
    ['enc-utf16be-bom.xml', undefined, 'Big endian ☃', 'Ελληνικά'],
    ['enc-mislabeled-utf8.xml', undefined, 'Mislabeled naïve café', 'Straße – déjà vu'],
  ])('encoding %s decodes to text', async (file, contentType, title, description) => {
    const f = await parse(file, { contentType });
    expect(f.title).toBe(title);
    expect(f.description).toBe(description);
    expect(f.items[0]?.title).toBe(title);
  });

  it('id fallbacks: trimmed guid, then link (empty guid too), then a hash of title + content', async () => {
    const f = await parse('ids-fallbacks.xml');
    expect(f.items.map(i => i.id).slice(0, 3)).toEqual([
      'guid-a',
      'https://fallback.example/b',
      'https://fallback.example/c',
    ]);
    const [h1, h2] = [f.items[3]?.id, f.items[4]?.id];
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(h2).toMatch(/^[0-9a-f]{64}$/);
    expect(h1).not.toBe(h2);
    // Stable across parses.
    expect((await parse('ids-fallbacks.xml')).items[3]?.id).toBe(h1);
  });

  it('relative links: xml:base on the feed and on an item, srcset, enclosure; without xml:base the base URL', async () => {
    const f = await parse('relative-links.xml', { baseUrl: 'https://ignored.example/x/feed' });
    expect(f.link).toBe('https://rel.example/');
    expect(f.self).toBe('https://rel.example/news/feed.rss');
    expect(f.items[0]?.link).toBe('https://rel.example/news/2025/a');
    expect(f.items[0]?.summaryHtml).toBe(
      '<a href="https://rel.example/about">about</a> <img src="https://rel.example/i/a.png" srcset="https://rel.example/i/a.png 1x, https://rel.example/i/a@2x.png 2x">',
    );
    expect(f.items[1]).toMatchObject({
      link: 'https://other.example/base/b',
      image: 'https://other.example/img/b.jpg',
    });

    const g = await parse('relative-no-base.xml', { baseUrl: 'https://feeds.nobase.example/blog/rss.xml' });
    expect(g.items.map(i => i.link)).toEqual([
      'https://feeds.nobase.example/2025/root-relative',
      'https://feeds.nobase.example/blog/path-relative',
    ]);
    // No document URL at all: the channel link is the best base there is.
    const h = await parse('relative-no-base.xml');
    expect(h.items[1]?.link).toBe('https://nobase.example/blog/path-relative');
  });

  it('CDATA everywhere, odd prefixes for content/dc/media, "]]>" split across CDATA sections', async () => {
    const f = await parse('cdata-namespaces.xml');
    expect(f.title).toBe('Odd <Prefixes> & CDATA');
    expect(f.updatedAt).toBe('2025-06-07T06:59:59.000Z');
    expect(f.items[0]).toMatchObject({
      title: 'Q&A: the bold edition',
      link: 'https://odd.example/qa?x=1&y=2',
      authors: [{ name: 'Rin Sato' }],
      categories: ['Interviews'],
      publishedAt: '2025-06-06T17:00:00.000Z',
      contentHtml: '<p>Answer one ]]> still CDATA</p>',
      image: 'https://odd.example/thumb.jpg',
    });
  });

  it('a truncated download keeps the complete items and drops the cut one', async () => {
    const f = await parse('truncated.xml');
    expect(f.items.map(i => i.id)).toEqual(['cut-1']);
  });

  it.each([
    ['garbage.txt', /^not a feed/],
    ['not-a-feed.html', /HTML page/],
    ['broken.json', /^JSON: /],
  ])('%s is a FeedParseError with a one-line reason', async (file, reason) => {
    const err = await parse(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseError);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('every fixture', () => {
  const MUST_FAIL = new Set(['garbage.txt', 'not-a-feed.html', 'broken.json']);
  const files = readdirSync(dir).filter(f => f !== 'README.md');
  it.each(files)('%s parses into the parse-feed shape, or fails with a one-line reason', async file => {
    const contentType = file.includes('koi8') ? 'application/rss+xml; charset=koi8-r' : undefined;
    const result = await parseFeed(read(file), { contentType }).then(
      f => toFeedJson(f),
      (e: unknown) => e,
    );
    if (MUST_FAIL.has(file)) {
      expect(result).toBeInstanceOf(FeedParseError);
      expect((result as Error).message).not.toContain('\n');
      return;
    }
    const feed = result as FeedJson;
    expect(Object.keys(feed)).toEqual([
      'format',
      'title',
      'link',
      'description',
      'language',
      'updatedAt',
      'items',
    ]);
    expect(feed.items.length).toBeGreaterThan(0);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(item.id.length).toBeGreaterThan(0);
      for (const d of [item.publishedAt, item.updatedAt]) {
        if (d !== null) expect(new Date(d).toISOString()).toBe(d);
      }
      if (item.link !== null) expect(item.link).toMatch(/^https?:\/\//);
      expect(Array.isArray(item.authors) && Array.isArray(item.categories)).toBe(true);
    }
  });
});
