/**
 * One pass over the visible document in reading order, collecting every written or machine-readable date
 * with its position relative to the headline and whether it sits in boilerplate (navigation, sidebars,
 * comments, related stories, site footer). Pages that state no date in their metadata nearly always print
 * it next to the headline; the same pass gives the byline region for author detection.
 */
import { blockElementsExcept } from '../../shared/blocks.js';
import { findHumanDates, parseMachineDate } from './dates.js';
import type { DateBounds, HumanDateContext, ParsedDate } from './dates.js';
import { classId, isBoilerplateClass, parentOf, tagOf } from './dom.js';

export interface DateMention {
  date: ParsedDate;
  /** Offset in the scanned text. */
  pos: number;
  kind: 'time' | 'text';
  /** A <time pubdate>, itemprop=datePublished, or an element whose class says "published". */
  marked: boolean;
  /** Preceded by "updated"/"aktualisiert"/…: a modification date. */
  updated: boolean;
  boilerplate: boolean;
}

export interface TextLine {
  text: string;
  pos: number;
  boilerplate: boolean;
}

export interface DocumentScan {
  mentions: DateMention[];
  /** The visible text, one block per line, with offsets. */
  lines: TextLine[];
  /** Text offsets of the headline, when found. */
  headlineStart: number | null;
  headlineEnd: number | null;
}

const SKIP_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'select',
  'option',
  'button',
  'iframe',
  'textarea',
  'head',
]);
// Boundaries the date scan reads text between: the containers a byline or dateline sits in.
const BLOCK_TAGS = blockElementsExcept(
  'address',
  'caption',
  'center',
  'details',
  'dialog',
  'dl',
  'fieldset',
  'form',
  'hr',
  'pre',
  'summary',
  'tbody',
  'tfoot',
  'thead',
);
const PUBLISHED_CLASS_RE =
  /publish|entry-date|post-date|pubdate|date-created|datecreated|article-date|story-date|dateline|erschienen|veroeffentlicht/;
const UPDATED_BEFORE_RE =
  /(?:updated|update|last modified|modified|aktualisiert|geändert|stand|mis à jour|actualizado|actualización|aggiornato|atualizado|bijgewerkt|edited)\s*(?:on|am|le|el|il|em|op)?\s*[:：]?\s*$/i;

export function scanDocument(
  doc: Document,
  headline: Element | null,
  bounds: DateBounds,
  ctx: HumanDateContext,
): DocumentScan {
  // From the root, not doc.body: broken markup (IE conditional <html> tags) can leave content outside it.
  // (linkedom's doc.body throws on a document without a root element.)
  const body = doc.documentElement;
  const chunks: string[] = [];
  let length = 0;
  const mentions: DateMention[] = [];
  // Text ranges [start, end) that are boilerplate, or carry a "published" marker class.
  const bpRanges: [number, number][] = [];
  const markedRanges: [number, number][] = [];
  const headlineAncestors = new Set<Element>();
  for (let cur = headline; cur; cur = parentOf(cur)) headlineAncestors.add(cur);
  let headlineStart: number | null = null;
  let headlineEnd: number | null = null;

  const push = (s: string): void => {
    chunks.push(s);
    length += s.length;
  };

  const visit = (node: Node, inBp: boolean, inArticle: boolean, depth: number): void => {
    if (depth > 200) return;
    if (node.nodeType === 3) {
      const t = (node.nodeValue ?? '').replace(/[\s\u00a0\u200b]+/g, ' ');
      if (t.trim()) push(t);
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    const tag = tagOf(el);
    if (SKIP_TAGS.has(tag)) return;
    let bp = inBp;
    if (!bp && !headlineAncestors.has(el)) {
      if (tag === 'nav' || tag === 'aside') bp = true;
      else if (tag === 'footer' && !hasArticleAncestor(el)) bp = true;
      else if (isBoilerplateClass(classId(el), inArticle)) bp = true;
    }
    const start = length;
    if (el === headline) headlineStart = start;
    const block = BLOCK_TAGS.has(tag);
    // Blocks become lines; inline elements still separate words ("<span>Mai</span><span>06</span>").
    push(block ? '\n' : ' ');
    if (tag === 'time' || el.hasAttribute('datetime')) {
      const d = parseMachineDate(el.getAttribute('datetime'), bounds);
      if (d) {
        const ci = classId(el);
        const itemprop = (el.getAttribute('itemprop') ?? '').toLowerCase();
        mentions.push({
          date: d,
          pos: start,
          kind: 'time',
          marked: el.hasAttribute('pubdate') || itemprop === 'datepublished' || PUBLISHED_CLASS_RE.test(ci),
          updated: /updated|modified|datemodified/.test(ci + ' ' + itemprop),
          boilerplate: bp,
        });
      }
    }
    const nowInArticle = inArticle || tag === 'article';
    for (let child = el.firstChild; child; child = child.nextSibling) {
      visit(child, bp, nowInArticle, depth + 1);
    }
    push(block ? '\n' : ' ');
    const end = length;
    if (el === headline) headlineEnd = end;
    if (bp && !inBp) bpRanges.push([start, end]);
    if (
      PUBLISHED_CLASS_RE.test(classId(el)) ||
      (el.getAttribute('itemprop') ?? '').toLowerCase() === 'datepublished'
    ) {
      markedRanges.push([start, end]);
    }
  };
  if (body) visit(body, false, false, 0);
  const textAll = chunks.join('');
  const within = (ranges: [number, number][], pos: number): boolean =>
    ranges.some(([a, b]) => pos >= a && pos < b);
  for (const d of findHumanDates(textAll, bounds, ctx)) {
    const before = textAll.slice(Math.max(0, d.index - 40), d.index);
    mentions.push({
      date: { iso: d.iso, day: d.day, hasTime: d.hasTime },
      pos: d.index,
      kind: 'text',
      marked: within(markedRanges, d.index),
      updated: UPDATED_BEFORE_RE.test(before),
      boilerplate: within(bpRanges, d.index),
    });
  }
  mentions.sort((a, b) => a.pos - b.pos || (a.kind === 'time' ? -1 : 1));
  const lines: TextLine[] = [];
  let offset = 0;
  for (const raw of textAll.split('\n')) {
    const t = raw.replace(/ +/g, ' ').trim();
    if (t) lines.push({ text: t, pos: offset, boilerplate: within(bpRanges, offset + raw.search(/\S/)) });
    offset += raw.length + 1;
  }
  return { mentions, lines, headlineStart, headlineEnd };
}

function hasArticleAncestor(el: Element): boolean {
  for (let cur = parentOf(el); cur; cur = parentOf(cur)) if (tagOf(cur) === 'article') return true;
  return false;
}

/** How far (in characters of text) a date may sit from the headline and still be its dateline. */
const AFTER_HEADLINE = 600;
const BEFORE_HEADLINE = 300;

/** The publication date a reader would see: marked dates first, then the date next to the headline. */
export function pickMarkedDate(scan: DocumentScan): ParsedDate | null {
  const m = scan.mentions.find(x => x.marked && !x.boilerplate && !x.updated);
  return m?.date ?? null;
}

export function pickHeadlineDate(scan: DocumentScan): ParsedDate | null {
  const { headlineStart, headlineEnd } = scan;
  if (headlineStart === null || headlineEnd === null) return null;
  const usable = scan.mentions.filter(m => !m.boilerplate && !m.updated);
  const after = usable.find(m => m.pos >= headlineStart && m.pos - headlineEnd <= AFTER_HEADLINE);
  const before = [...usable]
    .reverse()
    .find(m => m.pos < headlineStart && headlineStart - m.pos <= BEFORE_HEADLINE);
  if (after && before) {
    return after.pos - headlineEnd <= headlineStart - before.pos ? after.date : before.date;
  }
  return (after ?? before)?.date ?? null;
}

/** The first machine-readable <time> outside boilerplate. */
export function pickFirstTime(scan: DocumentScan): ParsedDate | null {
  return scan.mentions.find(m => m.kind === 'time' && !m.boilerplate && !m.updated)?.date ?? null;
}

/** The first written date outside boilerplate, anywhere: the last resort. */
export function pickFirstText(scan: DocumentScan): ParsedDate | null {
  return scan.mentions.find(m => !m.boilerplate && !m.updated)?.date ?? null;
}
