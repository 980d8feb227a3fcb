import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  charsetFromContent,
  decodeBytes,
  prescanMeta,
  sniffCharset,
  xmlDeclaredEncoding,
} from '../../../src/fetch/charset.js';
import { encodingForLabel } from '../../../src/fetch/encoding-labels.js';

const enc = (text: string, charset: string): Buffer => iconv.encode(text, charset);

describe('WHATWG labels', () => {
  it.each([
    ['utf8', 'utf-8'],
    [' UTF-8 ', 'utf-8'],
    ['latin1', 'windows-1252'],
    ['ISO-8859-1', 'windows-1252'],
    ['us-ascii', 'windows-1252'],
    ['x-sjis', 'shift_jis'],
    ['windows-31j', 'shift_jis'],
    ['cp1251', 'windows-1251'],
    ['gb2312', 'gbk'],
    ['ks_c_5601-1987', 'euc-kr'],
    ['iso-8859-9', 'windows-1254'],
    ['utf-16', 'utf-16le'],
    ['iso-2022-kr', 'replacement'],
  ])('%s → %s', (label, name) => {
    expect(encodingForLabel(label)).toBe(name);
  });

  it('does not know made-up labels', () => {
    expect(encodingForLabel('klingon-8')).toBeUndefined();
    expect(encodingForLabel('')).toBeUndefined();
  });
});

describe('sniffCharset order: BOM → Content-Type → prolog/meta → UTF-8 → windows-1252', () => {
  const cases: [string, Buffer, string | undefined, 'feed' | 'page' | 'robots', string, string][] = [
    [
      'UTF-8 BOM beats the header',
      Buffer.from([0xef, 0xbb, 0xbf, 0x41]),
      'windows-1251',
      'page',
      'utf-8',
      'bom',
    ],
    ['UTF-16LE BOM', Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'utf-8', 'feed', 'utf-16le', 'bom'],
    ['UTF-16BE BOM', Buffer.from([0xfe, 0xff, 0x00, 0x41]), undefined, 'feed', 'utf-16be', 'bom'],
    [
      'header beats the prolog',
      Buffer.from('<?xml version="1.0" encoding="koi8-r"?><rss/>'),
      'iso-8859-2',
      'feed',
      'iso-8859-2',
      'content-type',
    ],
    [
      'unknown header label is skipped',
      Buffer.from('<?xml version="1.0" encoding="koi8-r"?><rss/>'),
      'klingon',
      'feed',
      'koi8-r',
      'xml-declaration',
    ],
    [
      'prolog, single quotes',
      Buffer.from("<?xml version='1.0' encoding='Shift_JIS'?><rss/>"),
      undefined,
      'feed',
      'shift_jis',
      'xml-declaration',
    ],
    [
      'prolog saying UTF-16 in ASCII bytes means UTF-8',
      Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss/>'),
      undefined,
      'feed',
      'utf-8',
      'xml-declaration',
    ],
    [
      'meta charset for pages',
      Buffer.from('<!doctype html><html><head><meta charset="windows-1251">'),
      undefined,
      'page',
      'windows-1251',
      'meta',
    ],
    [
      'meta is not read for feeds',
      Buffer.from('<html><head><meta charset="windows-1251">'),
      undefined,
      'feed',
      'utf-8',
      'utf8-valid',
    ],
    [
      'valid UTF-8 without any label',
      Buffer.from('<p>café — ✓</p>'),
      undefined,
      'page',
      'utf-8',
      'utf8-valid',
    ],
    ['plain ASCII is valid UTF-8', Buffer.from('<p>hello</p>'), undefined, 'page', 'utf-8', 'utf8-valid'],
    [
      'invalid UTF-8, no label',
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      undefined,
      'page',
      'windows-1252',
      'fallback',
    ],
    [
      'repair: valid UTF-8 labelled single-byte in the header is UTF-8 (feeds and pages alike)',
      Buffer.from('<rss><title>Café crème</title></rss>'),
      'iso-8859-1',
      'feed',
      'utf-8',
      'utf8-valid',
    ],
    [
      'repair: valid UTF-8 under a stale <meta> single-byte charset is UTF-8',
      Buffer.from('<html><head><meta charset="windows-1251"></head><p>Новости</p>'),
      undefined,
      'page',
      'utf-8',
      'utf8-valid',
    ],
    [
      'repair: valid UTF-8 under a stale double-byte <meta> (gb2312) is UTF-8',
      Buffer.from('<html><head><meta charset="gb2312"></head><p>新闻 — 中文</p>'),
      undefined,
      'page',
      'utf-8',
      'utf8-valid',
    ],
    [
      'GBK bytes under their own label stay GBK (they are not valid UTF-8)',
      Buffer.concat([
        Buffer.from('<html><head><meta charset="gbk"></head><p>'),
        iconv.encode('新闻中文', 'gbk'),
      ]),
      undefined,
      'page',
      'gbk',
      'meta',
    ],
    [
      'a single-byte label on pure ASCII stands (nothing to repair)',
      Buffer.from('<?xml version="1.0" encoding="koi8-r"?><rss/>'),
      undefined,
      'feed',
      'koi8-r',
      'xml-declaration',
    ],
    [
      'repair: "UTF-8" with no well-formed multi-byte sequence and invalid bytes is windows-1252',
      Buffer.concat([
        Buffer.from('<p>caf'),
        Buffer.from([0xe9]),
        Buffer.from(' cr'),
        Buffer.from([0xe8]),
        Buffer.from('me</p>'),
      ]),
      'utf-8',
      'page',
      'windows-1252',
      'fallback',
    ],
    [
      '"UTF-8" with one well-formed sequence and one broken byte stays UTF-8',
      Buffer.concat([Buffer.from('<p>café '), Buffer.from([0xe9]), Buffer.from('</p>')]),
      'utf-8',
      'page',
      'utf-8',
      'content-type',
    ],
    [
      'UTF-16LE XML without a BOM ("<?" with zero bytes)',
      iconv.encode('<?xml version="1.0"?><rss/>', 'utf-16le'),
      undefined,
      'feed',
      'utf-16le',
      'xml-declaration',
    ],
    [
      'UTF-16BE XML without a BOM',
      iconv.encode('<?xml version="1.0"?><rss/>', 'utf-16be'),
      undefined,
      'feed',
      'utf-16be',
      'xml-declaration',
    ],
    [
      'robots.txt reads no prolog',
      Buffer.from('<?xml version="1.0" encoding="koi8-r"?>'),
      undefined,
      'robots',
      'utf-8',
      'utf8-valid',
    ],
  ];
  it.each(cases)('%s', (_name, body, header, kind, charset, source) => {
    expect(sniffCharset(body, header, kind)).toEqual({ charset, source });
  });

  it('only looks at the first 1024 bytes for <meta>', () => {
    const late = Buffer.from(`<html><head>${' '.repeat(1100)}<meta charset="koi8-r">`);
    expect(sniffCharset(late, undefined, 'page').source).toBe('utf8-valid');
  });
});

describe('meta prescan (WHATWG)', () => {
  it.each([
    ['<meta charset=koi8-r>', 'koi8-r'],
    ['<META CHARSET="KOI8-R">', 'koi8-r'],
    ['<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', 'windows-1251'],
    ['<meta content="text/html; charset=euc-jp" http-equiv="content-type">', 'euc-jp'],
    ['<meta charset="utf-16le">', 'utf-8'],
    ['<meta charset="x-user-defined">', 'windows-1252'],
  ])('%s → %s', (html, expected) => {
    expect(prescanMeta(html)).toBe(expected);
  });

  it.each([
    ['content without http-equiv does not count', '<meta content="text/html; charset=koi8-r">'],
    ['a meta inside a comment is skipped', '<!-- <meta charset="koi8-r"> -->'],
    ['a meta inside an attribute value is skipped', '<div title="<meta charset=koi8-r>"></div>'],
    ['an unknown label is skipped', '<meta charset="klingon">'],
    ['<metadata> is not <meta>', '<metadata charset="koi8-r">'],
  ])('%s', (_name, html) => {
    expect(prescanMeta(html)).toBeUndefined();
  });

  it('takes the first usable meta after skipping an unknown one', () => {
    expect(prescanMeta('<meta charset="klingon"><meta charset="iso-8859-2">')).toBe('iso-8859-2');
  });

  it.each([
    ['text/html; charset=koi8-r', 'koi8-r'],
    ['text/html;charset="big5"', 'big5'],
    ["text/html; charset = 'gbk' ", 'gbk'],
    ['text/html; charsetx; charset=utf-8', 'utf-8'],
    ['text/html', undefined],
    ['text/html; charset="unterminated', undefined],
  ])('content %j → %j', (content, expected) => {
    expect(charsetFromContent(content)).toBe(expected);
  });

  it('XML declaration must open the document', () => {
    expect(xmlDeclaredEncoding('<rss><?xml version="1.0" encoding="koi8-r"?>')).toBeUndefined();
    expect(xmlDeclaredEncoding('\n<?xml version="1.0" encoding="koi8-r"?>')).toBe('koi8-r');
    expect(xmlDeclaredEncoding('<?xml version="1.0"?>')).toBeUndefined();
  });
});

describe('decodeBytes', () => {
  it.each([
    ['windows-1251', 'Новости'],
    ['shift_jis', '今日のニュース'],
    ['euc-jp', '今日のニュース'],
    ['gbk', '今日新闻'],
    ['big5', '今日新聞'],
    ['euc-kr', '오늘의 뉴스'],
    ['koi8-r', 'Новости'],
    ['iso-8859-2', 'Łódź'],
    ['windows-1252', 'café “quoted”'],
  ])('%s', (charset, text) => {
    expect(decodeBytes(enc(text, charset), charset)).toBe(text);
  });

  it('strips a UTF-8 BOM', () => {
    expect(decodeBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]), 'utf-8')).toBe('hi');
  });

  it('maps x-user-defined high bytes to the private use area', () => {
    expect(decodeBytes(Buffer.from([0x41, 0x80, 0xff]), 'x-user-defined')).toBe('A\uf780\uf7ff');
  });

  it('refuses encodings it cannot decode', () => {
    expect(() => decodeBytes(Buffer.from('x'), 'iso-2022-jp')).toThrow(/no decoder/);
    expect(() => decodeBytes(Buffer.from('x'), 'replacement')).toThrow(/no decoder/);
  });
});
