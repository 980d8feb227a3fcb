import { describe, expect, it } from 'vitest';
import {
  boundsFor,
  dateFromUrl,
  findHumanDates,
  parseHumanDate,
  parseMachineDate,
} from '../../../src/extract/metadata/dates.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const bounds = boundsFor(NOW);

describe('machine-readable dates', () => {
  it.each([
    ['2020-10-09', '2020-10-09T00:00:00.000Z', '2020-10-09'],
    ['2020-10-09T12:30:00Z', '2020-10-09T12:30:00.000Z', '2020-10-09'],
    // The day as written is kept apart from the UTC instant, which may fall on the day before.
    ['2020-10-09T00:30:00+02:00', '2020-10-08T22:30:00.000Z', '2020-10-09'],
    ['2020-10-09T20:00:00-0500', '2020-10-10T01:00:00.000Z', '2020-10-09'],
    ['2020-10-09 08:15', '2020-10-09T08:15:00.000Z', '2020-10-09'],
    ['2022-5-3T23:57:00', '2022-05-03T23:57:00.000Z', '2022-05-03'],
    ['20201009', '2020-10-09T00:00:00.000Z', '2020-10-09'],
    ['Fri, 09 Oct 2020 12:00:00 GMT', '2020-10-09T12:00:00.000Z', '2020-10-09'],
    ['Fri, 09 Oct 2020 12:00:00 +0200', '2020-10-09T10:00:00.000Z', '2020-10-09'],
    ['Fri, 09 Oct 2020 08:00:00 EDT', '2020-10-09T12:00:00.000Z', '2020-10-09'],
    ['1602244800', '2020-10-09T12:00:00.000Z', '2020-10-09'],
    ['October 9, 2020', '2020-10-09T00:00:00.000Z', '2020-10-09'],
  ])('%s', (input, iso, day) => {
    const d = parseMachineDate(input, bounds);
    expect(d?.iso).toBe(iso);
    expect(d?.day).toBe(day);
  });

  it.each([
    ['future beyond a day of slack', '2024-06-20'],
    ['before the web', '1994-12-31'],
    ['impossible day', '2021-02-30'],
    ['not a date', 'yesterday'],
    ['a bare number', '2020'],
    ['empty', ''],
  ])('rejects %s', (_why, input) => {
    expect(parseMachineDate(input, bounds)).toBeNull();
  });

  it('accepts a date one day ahead (publishers east of UTC)', () => {
    expect(parseMachineDate('2024-06-16T01:00:00+09:00', bounds)?.day).toBe('2024-06-16');
  });
});

describe('written dates', () => {
  it.each([
    ['9 October 2020', '2020-10-09'],
    ['Oct. 9th, 2020', '2020-10-09'],
    ['9. Oktober 2020', '2020-10-09'],
    ['9 octobre 2020', '2020-10-09'],
    ['9 de octubre de 2020', '2020-10-09'],
    ['9 ottobre 2020', '2020-10-09'],
    ['9 de outubro de 2020', '2020-10-09'],
    ['9 oktober 2020', '2020-10-09'],
    ['1. März 2021', '2021-03-01'],
    ['09.10.2020', '2020-10-09'],
    ['9. 10. 2020', '2020-10-09'],
    ['2020/10/09', '2020-10-09'],
    ['2020年10月9日', '2020-10-09'],
    ['Posted on 23/01/2022 by Jane', '2022-01-23'],
  ])('%s', (input, day) => {
    expect(parseHumanDate(input, bounds, {})?.day).toBe(day);
  });

  it('reads n/n/yyyy month-first only when told (US English)', () => {
    expect(parseHumanDate('10/09/2020', bounds, {})?.day).toBe('2020-09-10');
    expect(parseHumanDate('10/09/2020', bounds, { monthFirst: true })?.day).toBe('2020-10-09');
    expect(parseHumanDate('25/09/2020', bounds, { monthFirst: true })?.day).toBe('2020-09-25');
  });

  it('keeps a time of day written after the date', () => {
    const d = parseHumanDate('02.02.2022 10:16 Uhr', bounds, {});
    expect(d?.iso).toBe('2022-02-02T10:16:00.000Z');
    expect(d?.hasTime).toBe(true);
  });

  it('finds every date in order, without reading words as months', () => {
    const found = findHumanDates(
      'Market update 3 mar 2021; next on 2021-04-05. The marketing team met 12 markets.',
      bounds,
      {},
    );
    expect(found.map(d => d.day)).toEqual(['2021-03-03', '2021-04-05']);
  });
});

describe('dates in URLs', () => {
  it.each([
    ['https://example.com/2020/10/09/story-slug/', '2020-10-09'],
    ['https://example.com/news/2020-10-09-story-slug', '2020-10-09'],
    ['https://example.com/news/20201009/story', '2020-10-09'],
    ['https://example.com/2020/10/story/', null],
    ['https://example.com/story-2020', null],
    ['https://example.com/p/123456789', null],
    ['not a url', null],
  ])('%s', (url, day) => {
    expect(dateFromUrl(url, bounds)?.day ?? null).toBe(day);
  });
});
