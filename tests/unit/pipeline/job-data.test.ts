import { describe, expect, it } from 'vitest';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { websubPushKey, keysFor } from '../../../src/store/keys.js';
import { checkArticleJobData, checkPollJobData, invalidJobSubject } from '../../../src/pipeline/job-data.js';

const keys = keysFor('nf');
const PUSH = websubPushKey(keys, 'wire', '0b7e2c1a-5d1e-4e1f-9c3a-1b2c3d4e5f60');

describe('poll job data', () => {
  const feed = { id: 'wire', url: 'https://wire.example/feed', tags: [], enabled: true };
  it.each([
    [{ feedId: 'wire' }],
    [{ feedId: 'wire', trigger: 'schedule', feed, cfg: 'abcdef0123456789' }],
    // The scheduler's feed is parsed: its interval is in ms (feeds.yaml's `interval: 90s`).
    [{ feedId: 'wire', trigger: 'schedule', feed: { ...feed, interval: 90_000 }, cfg: 'abcdef0123456789' }],
    [{ feedId: 'wire', trigger: 'push', pushKey: PUSH }],
    [{ feedId: 'wire', trigger: 'manual' }],
  ])('accepts %j', data => {
    expect(checkPollJobData(data, keys)).toMatchObject({ ok: true });
  });

  it.each([
    [null, /data/],
    ['wire', /data/],
    [{}, /feedId/],
    [{ feedId: 'Wire' }, /feedId/],
    [{ feedId: 'x:seen' }, /feedId/],
    [{ feedId: '../etc' }, /feedId/],
    [{ feedId: 'wire', trigger: 'now' }, /trigger/],
    [{ feedId: 'wire', feed: { ...feed, id: 'other' } }, /feed\.id other is not feedId wire/],
    [{ feedId: 'wire', feed: { ...feed, url: 'file:///etc/passwd' } }, /feed\.url/],
    [{ feedId: 'wire', feed: { ...feed, extra: 1 } }, /feed/],
    // Any other key: the feed state, another feed's push, a key outside the prefix, a bare prefix.
    [{ feedId: 'wire', trigger: 'push', pushKey: 'nf:feed:wire' }, /pushKey/],
    [{ feedId: 'wire', trigger: 'push', pushKey: PUSH.replace('{wire}', '{other}') }, /pushKey/],
    [{ feedId: 'wire', trigger: 'push', pushKey: `other${PUSH}` }, /pushKey/],
    [{ feedId: 'wire', trigger: 'push', pushKey: websubPushKey(keys, 'wire', '') }, /pushKey/],
    [{ feedId: 'wire', trigger: 'push', pushKey: `${PUSH}:x` }, /pushKey/],
    [{ feedId: 'wire', pushKey: PUSH }, /pushKey/],
    [{ feedId: 'wire', trigger: 'push', pushKey: 42 }, /pushKey/],
  ])('refuses %j', (data, reason) => {
    const r = checkPollJobData(data, keys);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('keeps only the fields it knows', () => {
    const r = checkPollJobData({ feedId: 'wire', trigger: 'schedule', evil: 'x' }, keys);
    expect(r).toEqual({ ok: true, data: { feedId: 'wire', trigger: 'schedule' } });
  });
});

describe('article job data', () => {
  const url = 'https://news.example/a/1?utm_source=rss';
  const urlKey = canonicalUrlKey(url)!;
  const good = {
    url,
    urlKey,
    urlHash: hashKey(urlKey),
    feed: { id: 'wire', url: 'https://wire.example/feed' },
    item: { title: 'T', publishedAt: null, authors: ['A'], source: null },
    enqueuedAt: '2026-11-20T10:00:00.000Z',
  };
  it('accepts what the poller enqueues', () => {
    expect(checkArticleJobData(good)).toMatchObject({ ok: true, data: good });
  });

  it.each([
    [{ ...good, url: 'gopher://news.example/' }, /url/],
    [{ ...good, url: 'not a url' }, /url/],
    [{ ...good, urlKey: 'https://other.example/' }, /urlKey is not the key of url/],
    [{ ...good, urlHash: hashKey('https://other.example/') }, /urlHash is not the hash/],
    [{ ...good, urlHash: 'X'.repeat(32) }, /urlHash/],
    [{ ...good, urlHash: `${hashKey(urlKey)}:x` }, /urlHash/],
    [{ ...good, feed: { id: 'a:b', url: good.feed.url } }, /feed\.id/],
    [{ ...good, item: { title: 7 } }, /item\.title/],
    [{ ...good, item: { authors: 'A' } }, /item\.authors/],
    [{ ...good, item: undefined }, /item/],
  ])('refuses %#', (data, reason) => {
    const r = checkArticleJobData(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('echoes only safe fields of refused data into the record', () => {
    expect(invalidJobSubject({ feedId: 'a:b', url: 'x'.repeat(5000), urlHash: 'zz' })).toEqual({
      feedId: '',
      url: 'x'.repeat(2048),
      urlHash: '',
    });
    expect(invalidJobSubject(null)).toEqual({ feedId: '', url: '', urlHash: '' });
  });
});
