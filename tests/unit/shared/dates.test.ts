import { describe, expect, it } from 'vitest';
import { MAX_DATE_CHARS, monthNumber, parseDate, parseFeedDate } from '../../../src/shared/dates.js';

describe('parseFeedDate', () => {
  it.each([
    // RFC 822 / 2822 with named and numeric zones
    ['Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['Wed, 02 Oct 2002 08:00:00 EST', '2002-10-02T13:00:00.000Z'],
    ['Wed, 02 Oct 2002 08:00:00 EDT', '2002-10-02T12:00:00.000Z'],
    ['Wed, 02 Oct 2002 13:00:00 +0100', '2002-10-02T12:00:00.000Z'],
    ['2 Oct 2002 13:00 +0100', '2002-10-02T12:00:00.000Z'],
    ['Sat, 07 Sep 02 00:00:01 GMT', '2002-09-07T00:00:01.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 CEST', '2003-06-10T02:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 -0430', '2003-06-10T08:30:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 +05:30', '2003-06-09T22:30:00.000Z'],
    ['Mon, 6 Jan 2020 10:00:00 +0000 (UTC)', '2020-01-06T10:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 +0000 GMT', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 UT', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 Z', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 GMT+2', '2003-06-10T02:00:00.000Z'],
    ['10-Jun-03 4:00 PM EDT', '2003-06-10T20:00:00.000Z'],
    // wrong weekday is ignored; missing zone and missing seconds mean UTC
    ['Mon, 10 Jun 2003 04:00', '2003-06-10T04:00:00.000Z'],
    ['  Tue,\n 10 Jun 2003\t04:00:00 GMT  ', '2003-06-10T04:00:00.000Z'],
    // W3CDTF / ISO 8601
    ['2003-12-13T18:30:02Z', '2003-12-13T18:30:02.000Z'],
    ['2003-12-13T18:30:02.25+01:00', '2003-12-13T17:30:02.250Z'],
    ['2003-12-13T18:30+01:00', '2003-12-13T17:30:00.000Z'],
    ['2024-01-05T10:00:00+0530', '2024-01-05T04:30:00.000Z'],
    ['2024-01-05T10:00:00', '2024-01-05T10:00:00.000Z'],
    ['2024-01-05 10:00:00', '2024-01-05T10:00:00.000Z'],
    ['2024-01-05 10:00:00 -0800', '2024-01-05T18:00:00.000Z'],
    ['2003-12-13', '2003-12-13T00:00:00.000Z'],
    ['2003-12', '2003-12-01T00:00:00.000Z'],
    ['2003', '2003-01-01T00:00:00.000Z'],
    ['20240105T103000Z', '2024-01-05T10:30:00.000Z'],
    ['2024-01-05T24:00:00Z', '2024-01-06T00:00:00.000Z'],
    // prose, asctime, JS Date#toString, slashes, localized months, epoch
    ['January 5, 2024 10:00 AM EST', '2024-01-05T15:00:00.000Z'],
    ['Jan 5th, 2024', '2024-01-05T00:00:00.000Z'],
    ['Fri Jan 05 2024 10:00:00 GMT+0000 (Coordinated Universal Time)', '2024-01-05T10:00:00.000Z'],
    ['Fri Jan  5 10:00:00 2024', '2024-01-05T10:00:00.000Z'],
    ['2024/01/05 10:00:00', '2024-01-05T10:00:00.000Z'],
    ['Mittwoch, 6. März 2024 10:00 MEZ', '2024-03-06T09:00:00.000Z'],
    ['mer., 6 mars 2024 10:00:00 +0100', '2024-03-06T09:00:00.000Z'],
    ['6 juillet 2024', '2024-07-06T00:00:00.000Z'],
    ['1704450000', '2024-01-05T10:20:00.000Z'],
    ['1704450000000', '2024-01-05T10:20:00.000Z'],
    // POSIX and IANA zone names
    ['Tue, 10 Jun 2003 04:00:00 EST5EDT', '2003-06-10T09:00:00.000Z'],
    ['2024-01-05 10:00:00 Europe/Berlin', '2024-01-05T09:00:00.000Z'],
    ['Fri, 05 Jul 2024 10:00:00 Europe/Berlin', '2024-07-05T08:00:00.000Z'],
    ['Fri, 05 Jul 2024 10:00:00 America/New_York', '2024-07-05T14:00:00.000Z'],
  ])('%j → %s', (input, expected) => {
    expect(parseFeedDate(input)).toBe(expected);
  });

  it.each([
    ['garbage'],
    [''],
    ['   '],
    ['Tue, 31 Feb 2003 04:00:00 GMT'],
    ['0000-00-00 00:00:00'],
    ['2024-13-01'],
    ['Tue, 10 Jun 2003 25:00:00 GMT'],
    ['Tue, 10 Jun 2003 04:00:00 NOTAZONE'],
  ])('%j → null', input => {
    expect(parseFeedDate(input)).toBeNull();
  });

  it('reads epoch numbers and rejects other types', () => {
    expect(parseFeedDate(1704450000)).toBe('2024-01-05T10:20:00.000Z');
    expect(parseFeedDate(null)).toBeNull();
    expect(parseFeedDate({})).toBeNull();
  });
});

describe('parseDate: one parser for feeds and pages (issue 14)', () => {
  it.each([
    // input, iso, day as written, hasTime, partial
    ['2024-03-05T00:30:00+02:00', '2024-03-04T22:30:00.000Z', '2024-03-05', true, undefined],
    ['Tue, 05 Mar 2024 10:00:00 MEZ', '2024-03-05T09:00:00.000Z', '2024-03-05', true, undefined],
    ['5. März 2024', '2024-03-05T00:00:00.000Z', '2024-03-05', false, undefined],
    ['2021-03-04T05:06:07+01:00 (CET)', '2021-03-04T04:06:07.000Z', '2021-03-04', true, undefined],
    ['1700000000', '2023-11-14T22:13:20.000Z', '2023-11-14', true, undefined],
    ['2003-12', '2003-12-01T00:00:00.000Z', '2003-12-01', false, true],
    ['2003', '2003-01-01T00:00:00.000Z', '2003-01-01', false, true],
  ])('%s', (input, iso, day, hasTime, partial) => {
    expect(parseDate(input)).toEqual({ iso, day, hasTime, ...(partial ? { partial } : {}) });
  });

  it('one month table: the page finder and the feed parser read the same names', () => {
    for (const [word, n] of [
      ['janvier', 1],
      ['Febr.', 2],
      ['März', 3],
      ['avr', 4],
      ['maggio', 5],
      ['junho', 6],
      ['juil.', 7],
      ['août', 8],
      ['setiembre', 9],
      ['outubro', 10],
      ['noviembre', 11],
      ['Dez', 12],
    ] as const) {
      expect(monthNumber(word), word).toBe(n);
    }
    expect(monthNumber('Mittwoch')).toBeNull();
  });

  it('a 60 KB value is not a date (read no further than MAX_DATE_CHARS)', () => {
    expect(parseDate(`Mon, 02 Jun 2025 10:00:00 GMT${' '.repeat(60_000)}`)).toBeNull();
    expect(parseDate(`2025-06-02${'0'.repeat(MAX_DATE_CHARS)}`)).toBeNull();
  });
});
