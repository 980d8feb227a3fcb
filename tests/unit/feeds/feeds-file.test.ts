import { describe, expect, it } from 'vitest';
import { feedLinksFromHtml } from '../../../src/feeds/discover.js';
import { addFeedsToText, FeedsFileError, parseFeedsText, suggestId } from '../../../src/feeds/feeds-file.js';
import { buildOpml, OpmlError, parseOpml } from '../../../src/feeds/opml.js';

const FILE = `# The feeds newsflow polls.
feeds:
  # news
  - id: one
    url: https://one.example/rss # the first

  - id: two
    url: https://two.example/atom
    tags: [x]
# trailing comment
`;

describe('feeds.yaml editing', () => {
  it('appends entries and keeps every comment, blank line and the order', () => {
    const r = addFeedsToText(FILE, [
      { url: 'https://three.example/feed', title: 'Three Times', tags: ['a', 'b'] },
    ]);
    expect(r.added.map(f => f.id)).toEqual(['three-times']);
    expect(r.text.startsWith(FILE.split('# trailing comment')[0]!)).toBe(true);
    expect(r.text).toContain('# the first');
    expect(r.text).toContain('# trailing comment');
    expect(r.text).toContain(
      '\n\n  - id: three-times\n    url: https://three.example/feed\n    title: Three Times\n    tags: [a, b]\n',
    );
    expect(parseFeedsText(r.text).map(f => f.id)).toEqual(['one', 'two', 'three-times']);
  });

  it('turns the shipped `feeds: []` into a block list', () => {
    const r = addFeedsToText('# header\nfeeds: []\n', [{ url: 'https://www.news.example/rss' }]);
    expect(r.text).toBe('# header\nfeeds:\n  - id: news-example\n    url: https://www.news.example/rss\n');
  });

  it('writes `type: sitemap` for a sitemap source, and no type for a feed', () => {
    const r = addFeedsToText('feeds: []\n', [
      { url: 'https://harbor.example/', type: 'sitemap' },
      { url: 'https://harbor.example/rss', type: 'feed' },
    ]);
    expect(r.text).toBe(
      'feeds:\n  - id: harbor-example\n    url: https://harbor.example/\n    type: sitemap\n' +
        '  - id: harbor-example-2\n    url: https://harbor.example/rss\n',
    );
    expect(parseFeedsText(r.text).map(f => f.type)).toEqual(['sitemap', undefined]);
  });

  it('skips URLs already listed (trailing slash, case, fragment aside), taken ids and invalid entries', () => {
    const r = addFeedsToText(FILE, [
      { url: 'HTTPS://ONE.example/rss/#x' },
      { url: 'https://new.example/a', id: 'two' },
      { url: 'https://new.example/b', interval: 'soon' },
      { url: 'ftp://new.example/c' },
    ]);
    expect(r.added).toEqual([]);
    expect(r.skipped.map(s => s.reason)).toEqual([
      'already in feeds.yaml',
      'id "two" is taken',
      expect.stringMatching(/^interval: /),
      expect.stringMatching(/^url: /),
    ]);
  });

  it('rejects a file that is not valid feeds.yaml, naming the problem', () => {
    expect(() =>
      parseFeedsText(
        'feeds:\n  - id: a\n    url: https://a.example\n  - id: a\n    url: https://b.example\n',
      ),
    ).toThrow('feeds.yaml: feeds[1] (id "a").id: duplicate id; feeds[0] already uses it');
    expect(() => parseFeedsText('feeds: [')).toThrow(FeedsFileError);
    expect(() => parseFeedsText('feeds:\n  - id: Bad Id\n    url: x\n')).toThrow(
      /feeds\[0\] \(id "Bad Id"\)\.id: /,
    );
  });

  it('suggests free ids from titles or hosts', () => {
    expect(suggestId('https://www.example.com/feed', new Set())).toBe('example');
    expect(suggestId('https://x.example/', new Set(['café-news', 'cafe-news']), 'Café News!')).toBe(
      'cafe-news-2',
    );
    expect(suggestId('https://x.example/', new Set(), '東京')).toBe('feed');
  });
});

describe('OPML', () => {
  it('reads outlines with xmlUrl at any depth; folders and categories become tags; entities decoded', () => {
    const feeds = parseOpml(`<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="Tech &amp; Science"><outline text="Deep"><outline type="rss" text="A" xmlUrl="https://a.example/rss?x=1&amp;y=2"/></outline></outline>
      <outline type="atom" title="B" xmlurl="https://b.example/atom" category="/news/local,misc"/>
      <outline text="folder only"/></body></opml>`);
    expect(feeds).toEqual([
      { url: 'https://a.example/rss?x=1&y=2', title: 'A', tags: ['Tech & Science', 'Deep'] },
      { url: 'https://b.example/atom', title: 'B', tags: ['news', 'local', 'misc'] },
    ]);
  });
  it('refuses what is not OPML', () => {
    expect(() => parseOpml('<rss/>')).toThrow(OpmlError);
    expect(() => parseOpml('feeds: []')).toThrow('not an OPML document (no XML at the start)');
  });
  it('writes OPML 2.0 that reads back the same', () => {
    const text = buildOpml(
      [
        {
          id: 'a',
          url: 'https://a.example/rss?x=1&y=2',
          title: 'A "quoted" <b>',
          tags: ['News'],
          enabled: true,
        },
        { id: 'b', url: 'https://b.example/atom', tags: [], enabled: true },
        // Not a feed: left out of the OPML a feed reader would import.
        { id: 'c', url: 'https://c.example/', type: 'sitemap', tags: [], enabled: true },
      ],
      { now: new Date(Date.UTC(2025, 0, 1)) },
    );
    expect(text).toContain('<dateCreated>Wed, 01 Jan 2025 00:00:00 GMT</dateCreated>');
    expect(parseOpml(text)).toEqual([
      { url: 'https://b.example/atom', title: 'b', tags: [] },
      { url: 'https://a.example/rss?x=1&y=2', title: 'A "quoted" <b>', tags: ['News'] },
    ]);
  });
});

describe('feed discovery in HTML', () => {
  it('finds rel=alternate feed links, resolves them against <base>, ignores other links', () => {
    const html = `<html><head><base href="https://cdn.example/site/">
      <link rel="stylesheet" href="a.css">
      <link rel="alternate" type="application/rss+xml" title="RSS &amp; more" href="feed.xml">
      <link type="application/atom+xml" rel="Alternate home" href='/atom.xml'>
      <link rel=alternate type=application/feed+json href=//json.example/feed.json>
      <link rel="alternate" hreflang="de" href="/de/">
      <link rel="alternate" type="application/rss+xml" href="feed.xml">
      </head></html>`;
    expect(feedLinksFromHtml(html, 'https://www.example/page')).toEqual([
      { url: 'https://cdn.example/site/feed.xml', title: 'RSS & more', type: 'application/rss+xml' },
      { url: 'https://cdn.example/atom.xml', title: null, type: 'application/atom+xml' },
      { url: 'https://json.example/feed.json', title: null, type: 'application/feed+json' },
    ]);
  });
});
