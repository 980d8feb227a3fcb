/**
 * The block classifier: after the boilerplate rules (boilerplate.ts), which blocks of the content are the
 * story. A logistic regression over block-features.ts — size, link density, tags, template class names,
 * position, sentence shape, no word lists — trained on the fit parts of the dev corpora only
 * (eval/extract/train-blocks.mjs; weights in block-model.json). It removes what the rules missed: captions
 * and credits outside <figure>, teaser lines, meta lines in any language. Prose in the body of the story is
 * never its to remove, and credit lines are left for the credits pass.
 */
import model from './block-model.json' with { type: 'json' };
import { blockFeatures, FEATURE_NAMES } from './block-features.js';
import { segmentBlocks, type Block } from './blocks.js';

export interface BlockModel {
  features: string[];
  /** Standardization: x' = (x − mean) / scale. */
  mean: number[];
  scale: number[];
  weights: number[];
  /** Blocks scoring below this probability of being content are removed. */
  threshold: number;
}

export interface BlockDecision {
  text: string;
  keep: boolean;
  /** Probability that the block is content. */
  p: number;
  /** The features that moved the score most, strongest first: name and contribution (log-odds). */
  evidence: [string, number][];
  /** Why a block was kept regardless of its score: "protected" (a credit line) or "body prose". */
  forced?: string;
}

export interface ClassifyOptions {
  title?: string | null | undefined;
  pageUrl?: string | undefined;
  /** Blocks whose text this accepts are kept whatever they score (credit lines). */
  protect?: ((text: string) => boolean) | undefined;
  /** Receives every block's decision, in document order (`newsflow extract --explain`). */
  explain?: ((d: BlockDecision) => void) | undefined;
  /** Receives the blocks and their feature vectors before any decision (the training script). */
  onBlocks?: ((blocks: { text: string; features: number[] }[]) => void) | undefined;
  /** Another model (tests, experiments); default: block-model.json. */
  model?: BlockModel | undefined;
  /** Receives each removal as (rule, text), like the boilerplate pass's trace. */
  trace?: ((rule: string, text: string) => void) | undefined;
}

const DEFAULT_MODEL = checkModel(model);

/** The model's features must be ours, in our order: a stale JSON fails loudly, not silently. */
function checkModel(m: BlockModel): BlockModel {
  const n = FEATURE_NAMES.length;
  const ok =
    m.features.length === n &&
    m.features.every((f, i) => f === FEATURE_NAMES[i]) &&
    [m.mean, m.scale, m.weights].every(a => a.length === n);
  if (!ok) {
    throw new Error(
      'block-model.json does not match block-features.ts: retrain (eval/extract/train-blocks.mjs)',
    );
  }
  return m;
}

const PROSE = FEATURE_NAMES.indexOf('prose');
const HEAD = FEATURE_NAMES.indexOf('head');
const TAIL = FEATURE_NAMES.indexOf('tail');
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Scores, decides and removes the blocks of `root` judged not to be content. Returns how many went. */
export function classifyBlocks(root: Element, opts: ClassifyOptions = {}): { removed: number; kept: number } {
  const m = opts.model ? checkModel(opts.model) : DEFAULT_MODEL;
  const seg = segmentBlocks(root, opts.pageUrl);
  const features = blockFeatures(seg, root, { title: opts.title });
  opts.onBlocks?.(
    seg.blocks.map((b, i) => ({ text: b.text, features: Array.from(features[i] as Float64Array) })),
  );
  const removed: Block[] = [];
  seg.blocks.forEach((b, i) => {
    const x = features[i] as Float64Array;
    let z = 0;
    const contributions: [string, number][] = [];
    for (let k = 0; k < x.length; k++) {
      const c =
        ((m.weights[k] as number) * ((x[k] as number) - (m.mean[k] as number))) / (m.scale[k] as number);
      z += c;
      if (opts.explain && c !== 0 && k > 0) contributions.push([FEATURE_NAMES[k] as string, c]);
    }
    const p = sigmoid(z);
    const isProtected = opts.protect?.(b.text) ?? false;
    // A paragraph of prose between the first and the last one is the story's body: the model trims edges,
    // short lines and link blocks, never the body's prose (the same guard the rules keep).
    const bodyProse = x[PROSE] === 1 && x[HEAD] === 0 && x[TAIL] === 0;
    const keep = isProtected || bodyProse || p >= m.threshold;
    if (!keep) {
      removed.push(b);
      opts.trace?.('block-model', `p=${p.toFixed(2)} ${b.text.slice(0, 200)}`);
    }
    if (opts.explain) {
      contributions.sort((a, c) => Math.abs(c[1]) - Math.abs(a[1]));
      opts.explain({
        text: b.text,
        keep,
        p,
        evidence: contributions.slice(0, 4),
        ...(p < m.threshold && (isProtected || bodyProse)
          ? { forced: isProtected ? 'protected' : 'body prose' }
          : {}),
      });
    }
  });
  removeBlocks(root, seg.blocks, removed, seg.sizes);
  return { removed: removed.length, kept: seg.blocks.length - removed.length };
}

/**
 * Removes the given blocks: a block's element when it holds no other block, else only its loose text. A
 * container all of whose blocks go is removed whole, with its pictures (a "related" box's thumbnails).
 */
function removeBlocks(
  root: Element,
  all: Block[],
  gone: Block[],
  sizes: WeakMap<Element, { blocks: number }>,
): void {
  if (!gone.length) return;
  const goneSet = new Set(gone);
  const owner = new Map<Element, Block>();
  for (const b of all) owner.set(b.el, b);
  // Blocks removed under each element, to find containers left with nothing.
  const removedUnder = new Map<Element, number>();
  for (const b of gone) {
    for (let el = b.el.parentElement; el && el !== root; el = el.parentElement) {
      removedUnder.set(el, (removedUnder.get(el) ?? 0) + 1);
    }
  }
  const emptied = (el: Element): boolean => {
    const own = owner.get(el);
    if (own && !goneSet.has(own)) return false;
    return (removedUnder.get(el) ?? 0) >= (sizes.get(el)?.blocks ?? 0);
  };
  for (const b of gone) {
    if (!root.contains(b.el)) continue;
    // The highest ancestor below root whose blocks all go.
    let target: Element | null = !b.loose || emptied(b.el) ? b.el : null;
    for (let el = b.el.parentElement; el && el !== root; el = el.parentElement) {
      if (!emptied(el)) break;
      target = el;
    }
    if (target) target.parentNode?.removeChild(target);
    else for (const t of b.texts) t.parentNode?.removeChild(t);
  }
}
