import { describe, expect, it } from 'vitest';
import {
  BYLINE_LINE_RE,
  cleanAuthorNames,
  isOrganisationName,
  isSiteLikeName,
} from '../../../src/extract/metadata/authors.js';

describe('author names', () => {
  it.each<[string, string | string[], string[]]>([
    ['plain', 'Jane Doe', ['Jane Doe']],
    ['By prefix', 'By Jane Doe', ['Jane Doe']],
    ['by: prefix, lower case', 'by: Jane Doe', ['Jane Doe']],
    ['German prefix', 'Von Max Mustermann', ['Max Mustermann']],
    ['long German prefix', 'Ein Beitrag von Max Mustermann', ['Max Mustermann']],
    ['French prefix', 'Par Jeanne Dupont', ['Jeanne Dupont']],
    ['Spanish prefix', 'Por Juana Pérez', ['Juana Pérez']],
    ['Autor:', 'Autor: Max Mustermann', ['Max Mustermann']],
    ['two names with and', 'By Jane Doe and John Roe', ['Jane Doe', 'John Roe']],
    ['two names with und', 'Von Max Muster und Erika Muster', ['Max Muster', 'Erika Muster']],
    ['comma list of full names', 'Jane Doe, John Roe, Ann Poe', ['Jane Doe', 'John Roe', 'Ann Poe']],
    ['agency credited alongside', 'Jane Doe, NDR', ['Jane Doe', 'NDR']],
    ['list input (JSON-LD)', ['Jane Doe', 'John Roe', 'Jane Doe'], ['Jane Doe', 'John Roe']],
    ['trailing date', 'Jane Doe, 9 October 2020', ['Jane Doe']],
    ['trailing date and time', 'By Jane Doe | 09.10.2020 10:15 Uhr', ['Jane Doe']],
    ['leading date', '11.12.2019 - Jane Doe', ['Jane Doe']],
    ['posted on … by', 'Posted on September 21, 2020 by Jane Doe', ['Jane Doe']],
    ['updated stamp', 'Jane Doe Updated: 3 Jan 2021', ['Jane Doe']],
    ['Stand: date', 'Jane Doe Stand: 09.10.2020', ['Jane Doe']],
    ['role after comma', 'Jane Doe, Senior Reporter', ['Jane Doe']],
    ['role after dash', 'Jane Doe - Political Editor', ['Jane Doe']],
    ['role after name', 'Jane Doe Staff Writer', ['Jane Doe']],
    ['a role alone stays (the page credits no one else)', 'Staff Writer', ['Staff Writer']],
    ['suffix kept', 'Jane Doe, PhD', ['Jane Doe, PhD']],
    ['agency after slash', 'Jane Doe/SP-X', ['Jane Doe']],
    ['e-mail removed', 'Jane Doe jane@example.com', ['Jane Doe']],
    ['HTML entities (JSON-LD strings)', 'Redacci&oacute;n Central', ['Redacción Central']],
    ['Spanish "en" is not a list separator', 'Camila Méndez en Territorio', ['Camila Méndez en Territorio']],
    ['CMS account', 'admin', []],
    ['CMS account with prefix', 'Posted by admin', []],
    ['prefix alone', 'By', []],
    ['URL', 'https://www.facebook.com/janedoe', []],
    ['UI text', 'Share on Facebook', []],
    ['a phrase, not a name', 'und Netzphilosophin Jane Doe', []],
    ['Chinese byline prefix', '责任编辑： 焦鹏', ['焦鹏']],
    ['affiliation after the name', 'Jane Doe, Example Institute', ['Jane Doe']],
    ['a place after the name', 'Jane Doe, London', ['Jane Doe']],
    ['surname first stays', 'Doe, Jane', ['Doe, Jane']],
    [
      'co-authors in a parenthesis',
      'Jeanne Dupont (avec Marc Petit et Ana Sousa)',
      ['Jeanne Dupont', 'Marc Petit', 'Ana Sousa'],
    ],
    [
      'list with a role inside',
      'Jane Doe, Energy Correspondent, John Roe and Ann Poe',
      ['Jane Doe', 'John Roe', 'Ann Poe'],
    ],
    ['two names with a slash', 'Jane Doe / John Roe', ['Jane Doe', 'John Roe']],
    ['date without a year', 'Jane Doe March 18', ['Jane Doe']],
    ['weekday after the name', 'by Jane Doe Monday, 12 of March', ['Jane Doe']],
    [
      'organisation names are not split on "und"',
      'Landesanstalt für Wald und Forstwirtschaft',
      ['Landesanstalt für Wald und Forstwirtschaft'],
    ],
    ['a headline is not a name', 'Mein Motto: Fazit', []],
  ])('%s', (_name, input, expected) => {
    expect(cleanAuthorNames(input)).toEqual(expected);
  });
});

describe('site-like names', () => {
  it.each<[string, { siteName?: string; publisher?: string; host?: string }, boolean]>([
    ['tagesschau.de', { host: 'www.tagesschau.de' }, true],
    ['Example News', { siteName: 'Example News' }, true],
    ['LN', { siteName: 'Lübecker Nachrichten' }, true],
    ['Deutsche Welle (www.dw.com)', { host: 'www.dw.com' }, true],
    ['EFC Example Club', { host: 'example-club.de' }, true],
    ['Jane Doe', { siteName: 'Example News', host: 'example.com' }, false],
    ['kathpress', { host: 'www.katholisch.at' }, false],
  ])('%s', (name, ctx, expected) => {
    expect(isSiteLikeName(name, ctx)).toBe(expected);
  });
});

describe('byline lines', () => {
  it.each<[string, boolean]>([
    ['By Jane Doe', true],
    ['von Max Mustermann', true],
    ['Text: Jane Doe', true],
    ['Text Without Notes', false],
    ['Autor Max', false],
    ['Posted in News', false],
  ])('%s', (line, expected) => {
    expect(BYLINE_LINE_RE.test(line)).toBe(expected);
  });
});

describe('organisation names', () => {
  it.each<[string, boolean]>([
    ['Example Verlag GmbH', true],
    ['Bayerische Landesanstalt für Wald und Forstwirtschaft', true],
    ['Redaktion', true],
    ['Jane Doe', false],
    ['Agnes Office-Smith', false],
  ])('%s', (name, expected) => {
    expect(isOrganisationName(name)).toBe(expected);
  });
});
