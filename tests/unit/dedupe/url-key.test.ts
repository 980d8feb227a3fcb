import { describe, expect, it } from 'vitest';
import { canonicalUrlKey, fetchUrlOf, hashKey } from '../../../src/dedupe/url-key.js';

describe('canonicalUrlKey', () => {
  it.each([
    ['lower-cases the host', 'https://WWW.Example.COM/Path', 'https://example.com/Path'],
    ['drops the fragment', 'https://example.com/a#comments', 'https://example.com/a'],
    ['folds http into https', 'http://example.com/a', 'https://example.com/a'],
    ['drops a trailing slash', 'https://example.com/a/b/', 'https://example.com/a/b'],
    ['keeps the root path', 'https://example.com/', 'https://example.com/'],
    ['drops the default port', 'https://example.com:443/a', 'https://example.com/a'],
    ['keeps a non-default port', 'http://127.0.0.1:8080/a', 'https://127.0.0.1:8080/a'],
    [
      'strips utm_* and click ids',
      'https://example.com/a?utm_source=rss&utm_medium=feed&fbclid=x&gclid=y&msclkid=z&id=5',
      'https://example.com/a?id=5',
    ],
    [
      'strips mailchimp and GA params',
      'https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&_gl=4',
      'https://example.com/a',
    ],
    ['sorts the remaining query', 'https://example.com/a?z=1&b=2&a=3', 'https://example.com/a?a=3&b=2&z=1'],
    [
      'keeps meaningful params such as ref and p',
      'https://example.com/?p=12&ref=home',
      'https://example.com/?p=12&ref=home',
    ],
    ['drops credentials', 'https://user:pw@example.com/a', 'https://example.com/a'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalUrlKey(input)).toBe(expected);
  });

  it('resolves relative URLs against a base', () => {
    expect(canonicalUrlKey('/news/1?utm_campaign=x', 'https://example.com/feed.xml')).toBe(
      'https://example.com/news/1',
    );
  });

  it.each(['javascript:alert(1)', 'mailto:a@b.c', 'ftp://example.com/x', 'not a url'])(
    'rejects %s',
    input => {
      expect(canonicalUrlKey(input)).toBeNull();
    },
  );

  it('gives URL variants of one article the same key', () => {
    const variants = [
      'https://example.com/story/1',
      'http://example.com/story/1/',
      'https://WWW.EXAMPLE.com/story/1?utm_source=twitter',
      'https://example.com/story/1#top',
    ];
    expect(new Set(variants.map(v => canonicalUrlKey(v))).size).toBe(1);
  });
});

describe('hashKey', () => {
  it('is stable, 32 hex chars, and differs for different keys', () => {
    expect(hashKey('a')).toMatch(/^[0-9a-f]{32}$/);
    expect(hashKey('a')).toBe(hashKey('a'));
    expect(hashKey('a')).not.toBe(hashKey('b'));
  });
});

describe('fetchUrlOf: the address fetched and stored for a feed link', () => {
  it.each([
    ['https://news.example/a/1/?utm_source=hub&fbclid=abc', 'https://news.example/a/1/'],
    ['https://news.example/a?id=7&utm_medium=rss#top', 'https://news.example/a?id=7'],
    ['HTTP://News.Example/a?b=2&a=1', 'http://news.example/a?b=2&a=1'],
    ['https://news.example/a?id=7', 'https://news.example/a?id=7'],
  ])('%s → %s', (link, url) => {
    expect(fetchUrlOf(link)).toBe(url);
  });

  it('is null for what is not http(s)', () => {
    expect(fetchUrlOf('javascript:alert(1)')).toBeNull();
    expect(fetchUrlOf('not a url')).toBeNull();
  });
});
