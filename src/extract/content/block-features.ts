/**
 * What the block classifier sees of each block (blocks.ts): numbers that describe the general case. The
 * names are the model's vocabulary (block-model.json holds one weight per name) and what `--explain` prints
 * as evidence.
 */
import type { Block, Segmentation } from './blocks.js';
import { CLASS_GROUPS } from './class-words.js';

const GROUP_NAMES = Object.keys(CLASS_GROUPS);
const WORD_GROUP = new Map<string, number>();
GROUP_NAMES.forEach((g, i) => {
  for (const w of CLASS_GROUPS[g] ?? []) WORD_GROUP.set(w, i);
});

/** Which class groups an element's class and id name, as a bit set. */
function classBits(el: Element, cache: WeakMap<Element, number>): number {
  const hit = cache.get(el);
  if (hit !== undefined) return hit;
  const attr = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase();
  let bits = 0;
  if (attr.length > 1) {
    for (const token of attr.split(/\s+/)) {
      if (!token) continue;
      const whole = WORD_GROUP.get(token);
      if (whole !== undefined) bits |= 1 << whole;
      for (const part of token.split(/[-_:.]+|(?<=[a-z])(?=[A-Z])/)) {
        const g = WORD_GROUP.get(part.replace(/(?<=[a-z])\d+$/, ''));
        if (g !== undefined) bits |= 1 << g;
      }
    }
  }
  cache.set(el, bits);
  return bits;
}

const TAGS: [string, (n: string) => boolean][] = [
  ['tag_p', n => n === 'p'],
  ['tag_h', n => /^h[1-6]$/.test(n)],
  ['tag_li', n => n === 'li'],
  ['tag_cell', n => n === 'td' || n === 'th' || n === 'caption' || n === 'tr'],
  ['tag_figcaption', n => n === 'figcaption'],
  ['tag_quote', n => n === 'blockquote'],
  ['tag_pre', n => n === 'pre'],
  ['tag_dl', n => n === 'dd' || n === 'dt' || n === 'dl'],
];

export const FEATURE_NAMES: readonly string[] = [
  'bias',
  'words_log',
  'share',
  'link_density',
  'link_only',
  'prose',
  'short',
  ...TAGS.map(([n]) => n),
  'loose',
  'in_list',
  'in_table',
  'in_figure',
  'in_quote',
  'in_aside',
  'depth',
  ...GROUP_NAMES.map(g => `class_near_${g}`),
  ...GROUP_NAMES.map(g => `class_far_${g}`),
  'pos',
  'head',
  'tail',
  'prev_prose',
  'next_prose',
  'prev_words_log',
  'next_words_log',
  'prev_link_density',
  'next_link_density',
  'heading_before_prose',
  'near_image',
  'ends_punct',
  'sentences_log',
  'words_per_sentence',
  'upper_share',
  'digit_share',
  'date_like',
  'ends_colon',
  'separators',
  'copyright',
  'bracketed',
  'url_or_email',
  'title_like',
  'capitalized_share',
  'same_site_links',
  'other_site_links',
  'box_link_density',
  'box_share',
  'box_blocks_log',
];
const INDEX = new Map(FEATURE_NAMES.map((n, i) => [n, i]));
const idx = (name: string): number => INDEX.get(name) as number;

export interface FeatureContext {
  title?: string | null | undefined;
}

const DATE_LIKE = /\b(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}:\d{2})\b/;
const SENTENCE_END = /[.!?。！？…]+(?=\s|$|["”»')\]])/g;
const ENDS_PUNCT = /[.!?。！？…"”»'’)\]]$/;
const ASIDE = new Set(['aside', 'nav', 'footer', 'header', 'form', 'menu']);

const isProse = (b: Block): boolean => b.words >= 20 && b.linkChars / Math.max(1, b.text.length) < 0.3;

function hasImage(el: Element): boolean {
  return el.getElementsByTagName('img').length > 0 || el.getElementsByTagName('picture').length > 0;
}

function tokens(s: string): Set<string> {
  return new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** One feature vector per block (a Float64Array of FEATURE_NAMES.length). */
export function blockFeatures(seg: Segmentation, root: Element, ctx: FeatureContext = {}): Float64Array[] {
  const { blocks } = seg;
  const total = Math.max(1, seg.totalChars);
  const n = FEATURE_NAMES.length;
  const bitsCache = new WeakMap<Element, number>();
  const titleTokens = ctx.title ? tokens(ctx.title) : null;
  let firstProse = -1;
  let lastProse = -1;
  blocks.forEach((b, i) => {
    if (!isProse(b)) return;
    if (firstProse < 0) firstProse = i;
    lastProse = i;
  });
  return blocks.map((b, i) => {
    const f = new Float64Array(n);
    const set = (name: string, v: number | boolean): void => {
      f[idx(name)] = typeof v === 'number' ? v : v ? 1 : 0;
    };
    const chars = Math.max(1, b.text.length);
    const density = b.linkChars / chars;
    set('bias', 1);
    set('words_log', Math.log1p(b.words));
    set('share', b.text.length / total);
    set('link_density', density);
    set('link_only', density > 0.9);
    set('prose', isProse(b));
    set('short', b.words <= 4);
    const name = b.el.localName;
    for (const [feature, test] of TAGS) if (test(name)) set(feature, 1);
    set('loose', b.loose);

    // Context: ancestors up to the content root; the box is the nearest ancestor holding several blocks.
    let depth = 0;
    let near = 0;
    let far = 0;
    let box: Element | null = null;
    for (let el: Element | null = b.el; el && el !== root; el = el.parentElement, depth++) {
      const bits = classBits(el, bitsCache);
      if (depth <= 2) near |= bits;
      far |= bits;
      const tag = el.localName;
      if (el !== b.el) {
        if (tag === 'ul' || tag === 'ol' || tag === 'li') set('in_list', 1);
        if (tag === 'table') set('in_table', 1);
        if (tag === 'figure') set('in_figure', 1);
        if (tag === 'blockquote') set('in_quote', 1);
        if (ASIDE.has(tag)) set('in_aside', 1);
        if (!box && (seg.sizes.get(el)?.blocks ?? 0) >= 2) box = el;
      }
    }
    set('depth', Math.min(depth, 12) / 12);
    GROUP_NAMES.forEach((g, k) => {
      if (near & (1 << k)) set(`class_near_${g}`, 1);
      if (far & (1 << k)) set(`class_far_${g}`, 1);
    });
    const boxSize = box ? seg.sizes.get(box) : undefined;
    if (boxSize && box) {
      set('box_link_density', boxSize.link / Math.max(1, boxSize.chars));
      set('box_share', boxSize.chars / total);
      set('box_blocks_log', Math.log1p(boxSize.blocks));
    } else {
      set('box_share', 1);
    }

    set('pos', b.offset / total);
    set('head', firstProse >= 0 && i < firstProse);
    set('tail', lastProse >= 0 && i > lastProse);
    const prev = blocks[i - 1];
    const next = blocks[i + 1];
    set('prev_prose', prev ? isProse(prev) : false);
    set('next_prose', next ? isProse(next) : false);
    set('prev_words_log', prev ? Math.log1p(prev.words) : 0);
    set('next_words_log', next ? Math.log1p(next.words) : 0);
    set('prev_link_density', prev ? prev.linkChars / Math.max(1, prev.text.length) : 0);
    set('next_link_density', next ? next.linkChars / Math.max(1, next.text.length) : 0);
    set('heading_before_prose', /^h[1-6]$/.test(name) && !!next && isProse(next));
    // A short line next to a picture: a caption or a credit, whatever its tags.
    const holder = b.el.parentElement;
    set('near_image', b.words < 40 && !!holder && holder !== root && hasImage(holder));

    const t = b.text;
    const sentences = (t.match(SENTENCE_END) ?? []).length;
    set('ends_punct', ENDS_PUNCT.test(t));
    set('sentences_log', Math.log1p(sentences));
    set('words_per_sentence', Math.min(60, b.words / Math.max(1, sentences)) / 60);
    let letters = 0;
    let upper = 0;
    let digits = 0;
    for (const ch of t) {
      if (ch >= '0' && ch <= '9') digits++;
      else if (ch.toLowerCase() !== ch.toUpperCase()) {
        letters++;
        if (ch === ch.toUpperCase()) upper++;
      }
    }
    set('upper_share', letters ? upper / letters : 0);
    set('digit_share', digits / chars);
    set('date_like', DATE_LIKE.test(t));
    set('ends_colon', /[:：]$/.test(t));
    set('separators', Math.min(3, (t.match(/\s[|•·›»]\s/g) ?? []).length) / 3);
    set('copyright', /^(?:©|\(c\)\s)/i.test(t) || /©/.test(t.slice(0, 40)));
    set('bracketed', /^\[.*\]$/.test(t));
    set('url_or_email', /https?:\/\/|www\.|\S@\S+\.\w/.test(t));
    if (titleTokens && titleTokens.size) {
      const tt = tokens(t);
      let common = 0;
      for (const w of tt) if (titleTokens.has(w)) common++;
      set('title_like', common / Math.max(titleTokens.size, tt.size) >= 0.8);
    }
    const words = t.split(' ');
    const caps = words.filter(w => /^\p{Lu}/u.test(w)).length;
    set('capitalized_share', words.length ? caps / words.length : 0);
    set('same_site_links', Math.log1p(b.sameSiteLinks));
    set('other_site_links', Math.log1p(b.otherSiteLinks));
    return f;
  });
}
