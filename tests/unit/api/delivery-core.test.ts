import { describe, expect, it } from 'vitest';
import { BadCursorError, decodeCursor, encodeCursor, parseSince } from '../../../src/api/articles.js';
import { isAuthorized } from '../../../src/api/auth.js';
import { reasonOf } from '../../../src/consumer/consumer.js';
import { decodeEvent, fieldsToRecord, InvalidEventError } from '../../../src/consumer/events.js';
import { trimIntervalMs } from '../../../src/consumer/retention.js';
import { bucketIndex, histogramField, histogramSamples } from '../../../src/metrics/histograms.js';
import { fetchResultLabel } from '../../../src/metrics/instrument.js';
import { statsSamples } from '../../../src/metrics/registry.js';
import { feedHealth } from '../../../src/metrics/status.js';

describe('cursors', () => {
  it('round-trip, including ids with odd characters and fractional-free scores', () => {
    for (const c of [
      { o: 'asc' as const, s: 0, id: 'a' },
      { o: 'desc' as const, s: 1_795_636_188_493, id: 'ab_-09' },
    ]) {
      expect(decodeCursor(encodeCursor(c))).toEqual(c);
    }
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('[1,2,3]').toString('base64url'),
    Buffer.from('["up",1,"a"]').toString('base64url'),
    Buffer.from('["asc","1","a"]').toString('base64url'),
    Buffer.from('["asc",1,""]').toString('base64url'),
    Buffer.from('{"o":"asc"}').toString('base64url'),
  ])('rejects %j', text => {
    expect(() => decodeCursor(text)).toThrow(BadCursorError);
  });
});

describe('parseSince', () => {
  it.each([
    ['2026-03-01', Date.parse('2026-03-01')],
    ['2026-03-01T12:00:00Z', Date.parse('2026-03-01T12:00:00Z')],
    ['2026-03-01T12:00:00+02:00', Date.parse('2026-03-01T10:00:00Z')],
    ['1700000000000', 1_700_000_000_000],
    ['0', 0],
    ['yesterday', null],
    ['2026-13-45', null],
    ['03/01/2026', null],
    ['-5', null],
  ])('%s → %s', (text, expected) => {
    expect(parseSince(text)).toBe(expected);
  });
});

describe('dashboard auth', () => {
  const token = 'secret-token-0123456789';
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  it.each([
    [undefined, false],
    ['', false],
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(0, -1)}`, false],
    [basic('ops', token), true],
    [basic('', token), true],
    [basic(token, 'x'), false],
    [`Basic ${Buffer.from(token).toString('base64')}`, false],
    [`Token ${token}`, false],
  ])('%s → %s', (header, ok) => {
    expect(isAuthorized(header, token)).toBe(ok);
  });
});

describe('event decoding', () => {
  const good = {
    type: 'story.created',
    storyId: 's',
    articleId: 'a',
    url: 'https://x.test/',
    version: '1',
    at: '2026-01-01T00:00:00Z',
  };
  it('decodes the wire format and keeps unknown types for forward compatibility', () => {
    expect(decodeEvent(good)).toEqual({ ...good, version: 1 });
    expect(decodeEvent({ ...good, type: 'story.archived', extra: 'x' }).type).toBe('story.archived');
    expect(fieldsToRecord(['a', '1', 'b', '2', 'dangling'])).toEqual({ a: '1', b: '2' });
  });
  it.each([
    [{ ...good, storyId: '' }, /storyId/],
    [{ ...good, url: undefined }, /url/],
    [{ ...good, version: '0' }, /version/],
    [{ ...good, version: '1.5' }, /version/],
    [{ ...good, at: 'soon' }, /at is not a date/],
  ])('rejects %j', (fields, message) => {
    expect(() => decodeEvent(fields as Record<string, string>)).toThrow(InvalidEventError);
    expect(() => decodeEvent(fields as Record<string, string>)).toThrow(message);
  });
  it('dead-letter reasons: error code, else name', () => {
    expect(reasonOf(Object.assign(new Error('x'), { code: 'E_X' }))).toBe('E_X');
    expect(reasonOf(Object.assign(new Error('x'), { code: 42 }))).toBe('Error');
    expect(reasonOf(new TypeError('x'))).toBe('TypeError');
    expect(reasonOf('a string')).toBe('non-error-thrown');
  });
});

describe('feed health (the feeds module rule, in status words)', () => {
  it.each([
    [true, {}, 'never-polled'],
    [true, { lastPolledAt: 't', consecutiveErrors: '0' }, 'ok'],
    [true, { lastPolledAt: 't', consecutiveErrors: '3' }, 'backing-off'],
    [true, { disabled: '1', consecutiveErrors: '3' }, 'disabled'],
    [true, { disabled: 'true' }, 'disabled'],
    [true, { disabled: '0', lastPolledAt: 't' }, 'ok'],
    [true, { disabled: '1', disabledReason: 'HTTP 410 Gone' }, 'disabled'],
    [true, { disabled: '', disabledReason: '', lastPolledAt: 't' }, 'ok'],
    [false, { lastPolledAt: 't' }, 'disabled'],
  ])('enabled=%s %j → %s', (enabled, state, health) => {
    expect(feedHealth(enabled, state as Record<string, string>)).toBe(health);
  });
});

describe('cross-process histograms', () => {
  it('puts a value in the first bucket that holds it', () => {
    const b = [0.1, 1, 10];
    expect([0, 0.1, 0.11, 1, 9.99, 10, 10.01].map(v => bucketIndex(b, v))).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it('renders cumulative buckets, +Inf, sum and count per label set', () => {
    const raw: Record<string, string> = {
      [histogramField('extraction', ['ok'], 0)]: '2',
      [histogramField('extraction', ['ok'], 3)]: '1',
      [histogramField('extraction', ['ok'], 10)]: '1',
      [histogramField('extraction', ['ok'], 'count')]: '4',
      [histogramField('extraction', ['ok'], 'sum')]: '12.5',
      [histogramField('fetch', ['page', 'ok'], 0)]: '9',
      'not json': '1',
    };
    const samples = histogramSamples('extraction', raw);
    const bucket = (le: number | string) =>
      samples.find(s => s.metricName.endsWith('_bucket') && s.labels.le === le)?.value;
    expect(bucket(0.01)).toBe(2);
    expect(bucket(0.05)).toBe(2);
    expect(bucket(0.1)).toBe(3);
    expect(bucket(5)).toBe(3);
    expect(bucket(10)).toBe(3);
    expect(bucket('+Inf')).toBe(4);
    expect(samples.find(s => s.metricName === 'newsflow_extraction_duration_seconds_sum')?.value).toBe(12.5);
    expect(samples.find(s => s.metricName === 'newsflow_extraction_duration_seconds_count')?.value).toBe(4);
    expect(samples.every(s => s.labels.result === 'ok')).toBe(true);
  });

  it('labels fetch results: ok, not-modified for 304, the failure class otherwise', () => {
    const ok = { ok: true, status: 200 } as Parameters<typeof fetchResultLabel>[0];
    expect(fetchResultLabel(ok)).toBe('ok');
    expect(fetchResultLabel({ ...ok, status: 304 })).toBe('not-modified');
    expect(fetchResultLabel({ ok: false, class: 'timeout' } as Parameters<typeof fetchResultLabel>[0])).toBe(
      'timeout',
    );
  });

  it('turns stats hash fields into labelled counter samples', () => {
    const stats = { 'feed.failed.http': 2, 'article.failed.timeout': 1, 'article.stored': 9 };
    expect(statsSamples(stats, /^(\w+)\.failed\.(.+)$/, ['scope', 'class'])).toEqual([
      { labels: { scope: 'article', class: 'timeout' }, value: 1 },
      { labels: { scope: 'feed', class: 'http' }, value: 2 },
    ]);
  });
});

describe('stream retention', () => {
  it('trims every tenth of the age limit, between 10 s and a minute', () => {
    expect(trimIntervalMs(1_000)).toBe(10_000);
    expect(trimIntervalMs(300_000)).toBe(30_000);
    expect(trimIntervalMs(7 * 86_400_000)).toBe(60_000);
  });
});
