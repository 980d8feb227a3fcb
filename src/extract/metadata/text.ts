/** Text helpers shared by the metadata readers. */

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  euro: '€',
  copy: '©',
  reg: '®',
  trade: '™',
  szlig: 'ß',
  oelig: 'œ',
  OElig: 'Œ',
  scaron: 'š',
  Scaron: 'Š',
  zcaron: 'ž',
  Zcaron: 'Ž',
};
// Latin-1 letters: &Agrave; … &yuml; follow a regular naming scheme.
const LATIN1: [string, number][] = [
  ['Agrave', 0xc0],
  ['Aacute', 0xc1],
  ['Acirc', 0xc2],
  ['Atilde', 0xc3],
  ['Auml', 0xc4],
  ['Aring', 0xc5],
  ['AElig', 0xc6],
  ['Ccedil', 0xc7],
  ['Egrave', 0xc8],
  ['Eacute', 0xc9],
  ['Ecirc', 0xca],
  ['Euml', 0xcb],
  ['Igrave', 0xcc],
  ['Iacute', 0xcd],
  ['Icirc', 0xce],
  ['Iuml', 0xcf],
  ['ETH', 0xd0],
  ['Ntilde', 0xd1],
  ['Ograve', 0xd2],
  ['Oacute', 0xd3],
  ['Ocirc', 0xd4],
  ['Otilde', 0xd5],
  ['Ouml', 0xd6],
  ['Oslash', 0xd8],
  ['Ugrave', 0xd9],
  ['Uacute', 0xda],
  ['Ucirc', 0xdb],
  ['Uuml', 0xdc],
  ['Yacute', 0xdd],
  ['THORN', 0xde],
];
for (const [name, code] of LATIN1) {
  NAMED[name] = String.fromCodePoint(code);
  NAMED[name.charAt(0).toLowerCase() + name.slice(1)] = String.fromCodePoint(code + 0x20);
}
NAMED.yuml = 'ÿ';

/**
 * Decodes HTML entities left in values that never went through an HTML parser (JSON-LD strings) or were
 * double-encoded ("&amp;oacute;").
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  let out = s;
  for (let i = 0; i < 2 && out.includes('&'); i++) {
    out = out.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return NAMED[e] ?? m;
    });
  }
  return out;
}

export function collapse(s: string): string {
  return s.replace(/[\s\u00a0\u200b\u200e\u200f]+/g, ' ').trim();
}
