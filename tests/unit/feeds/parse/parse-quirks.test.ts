import { describe, expect, it } from 'vitest';
import { parseAuthorString } from '../../../../src/feeds/parse/parse-xml.js';
import { FeedParseError, parseFeed } from '../../../../src/feeds/parse/parse.js';
import { absolutizeHtml, decodeEntities, htmlToText, xhtmlToHtml } from '../../../../src/feeds/parse/html.js';

const rss = (items: string, channel = '', rssAttrs = ' version="2.0"'): string =>
  `<?xml version="1.0"?><rss${rssAttrs}><channel><title>T</title><link>https://q.example/</link>${channel}${items}</channel></rss>`;
const atom = (entries: string, head = ''): string =>
  `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>${head}${entries}</feed>`;

describe('real-world feed quirks', () => {
  it('RSS 2.0 declared through the userland default namespace', async () => {
    const f = await parseFeed(
      '<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>N</title><item><title>x</title><link>https://n.example/1</link></item></channel></rss>',
    );
    expect(f.items[0]?.link).toBe('https://n.example/1');
  });

  it('a bare <channel> document is read as RSS', async () => {
    const f = await parseFeed(
      '<channel><title>Bare</title><item><title>i</title><link>https://b.example/i</link></item></channel>',
    );
    expect(f.format).toBe('rss');
    expect(f.items[0]?.link).toBe('https://b.example/i');
  });

  it('unquoted and valueless attributes, duplicate attributes', async () => {
    const f = await parseFeed(
      rss(
        '<item><title>u</title><link>https://q.example/u</link><enclosure url=https://q.example/u.jpg type=image/jpeg length=1 length=2/></item>',
      ),
    );
    expect(f.items[0]?.image).toBe('https://q.example/u.jpg');
  });

  it('windows-1252 numeric references, DTD entities, comments inside text, whitespace in titles', async () => {
    const doc =
      '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY brand "Acme &amp; Co">]>' +
      rss(
        '<item><title>\n  It&#146;s   &brand;\t<!-- c --> here\n</title><link>https://q.example/e</link></item>',
      );
    const f = await parseFeed(doc);
    expect(f.items[0]?.title).toBe('It’s Acme & Co here');
  });

  it('junk (a PHP warning) before the XML declaration and a second root after the first', async () => {
    const f = await parseFeed(
      `<br />\n<b>Warning</b>: deprecated in <b>x.php</b><br />\n${rss('<item><title>j</title><link>https://q.example/j</link></item>')}<rss><channel><item><title>ghost</title></item></channel></rss>`,
    );
    expect(f.items.map(i => i.title)).toEqual(['j']);
  });

  it('HTML entities inside CDATA stay HTML; outside they become characters', async () => {
    const f = await parseFeed(
      rss(
        '<item><title>Caf&eacute;</title><link>https://q.example/c</link><description><![CDATA[<p>a&nbsp;b</p>]]></description></item>',
      ),
    );
    expect(f.items[0]?.title).toBe('Café');
    expect(f.items[0]?.summaryHtml).toBe('<p>a&nbsp;b</p>');
  });

  it('an undeclared namespace prefix is harmless; atom:link works as an item link', async () => {
    const f = await parseFeed(
      rss(
        '<item><title>p</title><atom:link href="https://q.example/p"/><media:thumbnail url="https://q.example/t.jpg"/></item>',
      ),
    );
    expect(f.items[0]).toMatchObject({ link: 'https://q.example/p', image: 'https://q.example/t.jpg' });
  });

  it('a non-permalink guid is never used as the link', async () => {
    const f = await parseFeed(
      rss('<item><title>g</title><guid isPermaLink="false">https://q.example/g</guid></item>'),
    );
    expect(f.items[0]).toMatchObject({ id: 'https://q.example/g', link: null });
  });

  it('Atom: html title and content given as entity-escaped HTML; raw markup in type="html"', async () => {
    const f = await parseFeed(
      atom(
        '<entry><id>1</id><title type="html">A &lt;b&gt;bold&lt;/b&gt; &amp;amp; move</title><content type="html"><p>Raw <b>markup</b></p></content><updated>2025-01-01T00:00:00Z</updated></entry>',
      ),
    );
    expect(f.items[0]).toMatchObject({
      title: 'A bold & move',
      contentHtml: '<p>Raw <b>markup</b></p>',
      publishedAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('Atom: the alternate HTML link wins over other links; rel can be an IANA URI', async () => {
    const f = await parseFeed(
      atom(
        '<entry><id>2</id><title>l</title><link rel="replies" href="https://q.example/comments"/><link type="application/atom+xml" href="https://q.example/2.atom"/><link rel="http://www.iana.org/assignments/relation/alternate" type="text/html" href="https://q.example/2"/></entry>',
      ),
    );
    expect(f.items[0]?.link).toBe('https://q.example/2');
  });

  it('Atom: xhtml content that is not one wrapping div keeps all its elements', async () => {
    const f = await parseFeed(
      atom(
        '<entry><id>3</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X <i>title</i></div></title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><div>one</div><div>two</div></div></content></entry>',
      ),
    );
    expect(f.items[0]?.title).toBe('X title');
    expect(f.items[0]?.contentHtml).toBe('<div>one</div><div>two</div>');
  });

  it('an Atom feed with an unparseable date still parses (rss-parser alone rejects it)', async () => {
    const f = await parseFeed(
      atom('<entry><id>4</id><title>d</title><published>not a date</published></entry>'),
    );
    expect(f.items[0]).toMatchObject({ id: '4', publishedAt: null });
  });

  it('JSON Feed with a BOM and a content type that says JSON', async () => {
    const f = await parseFeed('\uFEFF{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[]}', {
      contentType: 'application/feed+json',
    });
    expect(f).toMatchObject({ format: 'json', title: 'J', items: [] });
  });

  it('an empty channel is a feed with no items, an empty body is an error', async () => {
    expect((await parseFeed(rss(''))).items).toEqual([]);
    await expect(parseFeed('   ')).rejects.toBeInstanceOf(FeedParseError);
    await expect(parseFeed(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });

  it('XML that is not a feed names its root element', async () => {
    await expect(parseFeed('<opml version="2.0"><body/></opml>')).rejects.toThrow(/root element <opml>/);
  });
});

describe('author strings', () => {
  it.each([
    ['jane@example.com (Jane Doe)', { name: 'Jane Doe', email: 'jane@example.com' }],
    ['Jane Doe <jane@example.com>', { name: 'Jane Doe', email: 'jane@example.com' }],
    ['"Jane Doe" <jane@example.com>', { name: 'Jane Doe', email: 'jane@example.com' }],
    ['jane@example.com', { name: 'jane@example.com', email: 'jane@example.com' }],
    ['  Jane   Doe ', { name: 'Jane Doe' }],
    ['(Jane Doe)', { name: 'Jane Doe' }],
  ])('%j', (input, expected) => {
    expect(parseAuthorString(input)).toEqual(expected);
  });
  it('empty is no author', () => expect(parseAuthorString('  ')).toBeNull());
});

describe('html helpers', () => {
  it('decodes named, decimal, hex and windows-1252 references; leaves unknown ones', () => {
    expect(decodeEntities('&eacute;&#233;&#xE9;&#150;&bogus;&amp;')).toBe('ééé–&bogus;&');
  });
  it('htmlToText drops scripts, comments and tags, spaces blocks', () => {
    expect(htmlToText('<p>a</p><p>b<script>x</script><!-- c --></p>&amp;')).toBe('a b &');
  });
  it('xhtmlToHtml strips the wrapper, prefixes and xmlns', () => {
    expect(
      xhtmlToHtml('<x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p>a<x:br/></x:p></x:div>', ['x']),
    ).toBe('<p>a<br/></p>');
  });
  it('absolutizeHtml rewrites relative href/src only', () => {
    expect(
      absolutizeHtml(
        '<a href="/x?a=1&amp;b=2">x</a><a href="mailto:a@b">m</a><a href="#top">t</a>',
        'https://h.example/p/',
      ),
    ).toBe('<a href="https://h.example/x?a=1&amp;b=2">x</a><a href="mailto:a@b">m</a><a href="#top">t</a>');
  });
});

describe('more edge cases', () => {
  it('an upper-case RSS 0.91 document is read', async () => {
    const f = await parseFeed(
      '<RSS VERSION="0.91"><CHANNEL><TITLE>Upper</TITLE><ITEM><TITLE>U</TITLE><LINK>http://u.example/1</LINK><PUBDATE>Tue, 10 Jun 2003 04:00:00 GMT</PUBDATE></ITEM></CHANNEL></RSS>',
    );
    expect(f.title).toBe('Upper');
    expect(f.items[0]).toMatchObject({ link: 'http://u.example/1', publishedAt: '2003-06-10T04:00:00.000Z' });
  });

  it('only http(s) links come out (javascript:, data: are dropped)', async () => {
    const f = await parseFeed(
      rss(
        '<item><title>j</title><link>javascript:alert(1)</link><enclosure url="data:image/png;base64,AA" type="image/png"/></item>',
      ),
    );
    expect(f.items[0]).toMatchObject({ link: null, image: null });
  });

  it('JSON that is not an object is not a JSON Feed; tiny numbers are not dates', async () => {
    await expect(parseFeed('[1,2,3]')).rejects.toThrow('not a JSON Feed: the document is not a JSON object');
    const f = await parseFeed(
      '{"version":"https://jsonfeed.org/version/1","items":[{"id":"a","date_published":12345}]}',
    );
    expect(f.items[0]?.publishedAt).toBeNull();
  });
});

describe('Atom link fallbacks', () => {
  it('a link given as text, then an http(s) atom:id, is the entry link', async () => {
    const f = await parseFeed(
      atom(
        '<entry><id>tag:x,2025:1</id><title>t</title><link>https://text.example/1</link></entry><entry><id>https://id.example/2</id><title>u</title></entry><entry><id>urn:uuid:3</id><title>v</title></entry>',
      ),
    );
    expect(f.items.map(i => i.link)).toEqual(['https://text.example/1', 'https://id.example/2', null]);
  });
});
