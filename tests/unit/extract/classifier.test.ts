import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../src/extract/content/block-features.js';
import { segmentBlocks } from '../../../src/extract/content/blocks.js';
import {
  classifyBlocks,
  type BlockDecision,
  type BlockModel,
} from '../../../src/extract/content/classifier.js';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import { blockText } from '../../../src/extract/content/text.js';

const PAGE = 'https://harbour.example.org/news/2024/cranes.html';

function rootOf(html: string): Element {
  const doc = parseLiteDocument(`<div id="root">${html}</div>`, PAGE);
  return doc.getElementById('root') as unknown as Element;
}

const PROSE = (i: number): string =>
  `<p>Paragraph ${i}: the harbour board signed the contract for the new quay wall on Monday, and the ` +
  `first pile will be driven in spring once the dredgers have cleared the old berth.</p>`;
const STORY = [0, 1, 2, 3].map(PROSE).join('');

/** A hand-made model: content unless link-heavy or marked "promo" by its class (weights on raw features). */
function model(weights: Record<string, number>, threshold = 0.5): BlockModel {
  const n = FEATURE_NAMES.length;
  return {
    features: [...FEATURE_NAMES],
    mean: new Array<number>(n).fill(0),
    scale: new Array<number>(n).fill(1),
    weights: FEATURE_NAMES.map(f => weights[f] ?? 0),
    threshold,
  };
}
const LINKS_AND_PROMOS = model({ bias: 3, link_density: -6, class_near_promo: -6 });

describe('segmentBlocks', () => {
  it('puts every piece of text in exactly one block, loose text of a container in its own', () => {
    const root = rootOf(
      `<div class="wrap">Loose lead <b>text</b><p>First <a href="/x">link</a> para.</p>tail words` +
        `<ul><li>One</li><li><a href="https://other.example.com/">Two</a></li></ul></div>`,
    );
    const seg = segmentBlocks(root, PAGE);
    expect(seg.blocks.map(b => b.text)).toEqual([
      'Loose lead text tail words',
      'First link para.',
      'One',
      'Two',
    ]);
    const [loose, para, , two] = seg.blocks;
    expect(loose?.loose).toBe(true);
    expect(para?.loose).toBe(false);
    expect(para?.linkChars).toBe(4);
    expect(para?.sameSiteLinks).toBe(1);
    expect(two?.otherSiteLinks).toBe(1);
    expect(seg.totalChars).toBe(seg.blocks.reduce((a, b) => a + b.text.length, 0));
  });

  it('walks deep nesting without recursion', () => {
    const deep = '<div>'.repeat(12_000) + 'deep text' + '</div>'.repeat(12_000);
    const seg = segmentBlocks(rootOf(deep), PAGE);
    expect(seg.blocks.map(b => b.text)).toEqual(['deep text']);
  });
});

describe('classifyBlocks', () => {
  it('removes the blocks the model scores low, and their emptied containers with their pictures', () => {
    const root = rootOf(
      `${STORY}<div class="promo-box"><img src="/t.jpg"><p>Get the app today and never miss a story.</p></div>` +
        `<ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul>`,
    );
    const result = classifyBlocks(root, { pageUrl: PAGE, model: LINKS_AND_PROMOS });
    const text = blockText(root);
    expect(text).toContain('Paragraph 3');
    expect(text).not.toContain('Get the app');
    expect(text).not.toContain('Other story');
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('ul')).toBeNull();
    expect(result).toEqual({ removed: 3, kept: 4 });
  });

  it('never removes prose in the body of the story, nor a protected (credit) line', () => {
    const boxed = `<p class="promo">${'A paragraph of the story in a box its template calls promo, on and on. '.repeat(2)}</p>`;
    const root = rootOf(
      `${PROSE(0)}${boxed}${PROSE(1)}<p><a href="/y">The post Cranes appeared first on Port News.</a></p>`,
    );
    const decisions: BlockDecision[] = [];
    classifyBlocks(root, {
      pageUrl: PAGE,
      model: LINKS_AND_PROMOS,
      protect: t => t.startsWith('The post'),
      explain: d => decisions.push(d),
    });
    expect(blockText(root)).toContain('A paragraph of the story in a box');
    expect(blockText(root)).toContain('appeared first on');
    expect(decisions.map(d => [d.keep, d.forced ?? null])).toEqual([
      [true, null],
      [true, 'body prose'],
      [true, null],
      [true, 'protected'],
    ]);
  });

  it('removes only the loose text of a container whose own blocks stay', () => {
    const root = rootOf(`<div><a href="/share">Share this</a>${STORY}</div>`);
    classifyBlocks(root, { pageUrl: PAGE, model: LINKS_AND_PROMOS });
    expect(blockText(root)).not.toContain('Share this');
    expect(blockText(root)).toContain('Paragraph 0');
  });

  it('explains each decision with the features that moved it most', () => {
    const root = rootOf(`${STORY}<p><a href="/more">More from the harbour</a></p>`);
    const decisions: BlockDecision[] = [];
    classifyBlocks(root, { pageUrl: PAGE, model: LINKS_AND_PROMOS, explain: d => decisions.push(d) });
    const last = decisions.at(-1) as BlockDecision;
    expect(last.keep).toBe(false);
    expect(last.p).toBeLessThan(0.5);
    expect(last.evidence[0]?.[0]).toBe('link_density');
    expect(last.evidence[0]?.[1]).toBeLessThan(0);
  });

  it('refuses a model whose features are not the current ones', () => {
    const stale = { ...LINKS_AND_PROMOS, features: ['bias', 'something_else'] };
    expect(() => classifyBlocks(rootOf(STORY), { model: stale })).toThrow(/retrain/);
  });

  it('the shipped model keeps a plain story whole', () => {
    const root = rootOf(`<h2>Cranes arrive</h2>${STORY}`);
    classifyBlocks(root, { pageUrl: PAGE });
    expect(blockText(root).split('\n')).toHaveLength(5);
  });
});
