import { describe, expect, it } from 'vitest';
import { jsonText, oneLine, plainText, terminalSafe } from '../../../src/shared/text.js';

describe('terminalSafe / oneLine', () => {
  it.each([
    ['plain', 'plain'],
    ['red \u001b[31mtext\u001b[0m', 'red text'],
    ['clear\u001b[2J\u001b[H', 'clear'],
    ['title \u001b]0;pwned\u0007 ok', 'title  ok'],
    ['title \u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\', 'title link'],
    ['c1 csi \u009b31m red', 'c1 csi  red'],
    ['c1 osc \u009d0;x\u009c end', 'c1 osc  end'],
    ['dcs \u001bPq#0;2;0;0;0\u001b\\ end', 'dcs  end'],
    ['unterminated osc \u001b]0;to the end', 'unterminated osc '],
    ['lone esc \u001b', 'lone esc '],
    ['esc c reset \u001bc', 'esc c reset '],
    ['nul\u0000 bel\u0007 bs\u0008 del\u007f nel\u0085', 'nul bel bs del nel'],
    ['naïve — ✓ Новости 今日', 'naïve — ✓ Новости 今日'],
    ['rtl \u200f mark kept', 'rtl \u200f mark kept'],
  ])('%j → %j', (input, out) => {
    expect(terminalSafe(input)).toBe(out);
  });

  it('keeps line feeds and tabs, oneLine folds them', () => {
    expect(terminalSafe('a\n\tb\r\nc')).toBe('a\n\tb\nc');
    expect(oneLine('a\n\tb\r\nc\u2028d')).toBe('a b c d');
  });

  it('is linear on long runs of escape starts and parameters (a quadratic scan would outlast the test timeout)', () => {
    const nasty = `${'\u001b['.repeat(200_000)}${'1;'.repeat(200_000)}${'\u009b'.repeat(200_000)}`;
    expect(terminalSafe(nasty)).toBe('');
  });
});

describe('jsonText', () => {
  it('escapes DEL, C1 and line separators, and parses back to the same value', () => {
    const value = { t: 'a\u009b2J b\u007f c\u2028d \u001b[31m e' };
    const text = jsonText(value);
    // eslint-disable-next-line no-control-regex -- the point: no raw controls in the text
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
    expect(JSON.parse(jsonText(value, 2))).toEqual(value);
  });
});

describe('plainText', () => {
  it.each([
    ['  An ordinary   title ', 'An ordinary title'],
    ['<b>Bold</b> claim', 'Bold claim'],
    ['Ok <img src=x onerror=alert(1)> title', 'Ok title'],
    ['<script>alert(1)</script>Jane Doe', 'alert(1) Jane Doe'],
    ['a < b and c > d', 'a < b and c > d'],
    ['<p‹p<p‹p', '<p‹p<p‹p'],
    ['Feed \u001b[31mred\u001b[0m \u009b2J', 'Feed red'],
    ['', null],
    ['<br>', null],
    [null, null],
  ])('%j → %j', (input, out) => {
    expect(plainText(input, 100)).toBe(out);
  });

  it('caps length at a code point', () => {
    expect(plainText('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
    const emoji = plainText(`${'a'.repeat(8)}😀😀😀`, 10)!;
    expect(emoji.length).toBeLessThanOrEqual(10);
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
