import { describe, expect, it } from 'vitest';
import {
  bandKeys,
  candidateProbability,
  containmentFromJaccard,
  fmix32,
  jaccardEstimate,
  NUM_PERM,
  shingleHashes,
  signature,
  signatureFromBuffer,
  signatureToBuffer,
} from '../../../src/dedupe/minhash.js';
import { tokenize } from '../../../src/dedupe/normalize.js';

/** A deterministic pseudo-random word list (xorshift), so the statistics below are reproducible. */
function words(n: number, seed: number): string[] {
  let x = seed >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(`w${x % 50_000}`);
  }
  return out;
}

function exactJaccard(a: Uint32Array, b: Uint32Array): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const v of sa) if (sb.has(v)) inter++;
  return inter / (sa.size + sb.size - inter);
}

describe('fmix32', () => {
  it('is murmur3’s finalizer (reference values)', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });
});

describe('signature', () => {
  const text = 'The quick brown fox jumps over the lazy dog near the river bank today';

  it('is stable across releases of MINHASH_VERSION 1 (fixed seeds, integer arithmetic)', () => {
    const sig = signature(shingleHashes(tokenize(text)));
    expect(sig.length).toBe(NUM_PERM);
    expect([...sig.slice(0, 4)].map(v => v.toString(16))).toEqual([
      '22ab82b0',
      '6476ad7',
      'b5afb4c',
      '184fafe1',
    ]);
  });

  it('round-trips through the big-endian buffer Lua compares', () => {
    const sig = signature(shingleHashes(tokenize(text)));
    const buf = signatureToBuffer(sig);
    expect(buf.length).toBe(NUM_PERM * 4);
    expect([...signatureFromBuffer(buf)]).toEqual([...sig]);
  });

  it('uses 5-word shingles; a text shorter than one shingle is one shingle; no text has none', () => {
    expect(shingleHashes(words(10, 1)).length).toBe(6);
    expect(shingleHashes(['a', 'b']).length).toBe(1);
    expect(shingleHashes([]).length).toBe(0);
    // Repeated shingles count once.
    expect(shingleHashes(['a', 'b', 'c', 'd', 'e', 'a', 'b', 'c', 'd', 'e']).length).toBe(5);
  });

  it('estimates Jaccard without bias: mean error below 0.02 over 60 pairs from J≈0.1 to J≈0.95', () => {
    let sumErr = 0;
    let worst = 0;
    for (let i = 0; i < 60; i++) {
      const base = words(400, 1000 + i);
      // Replace a growing share of words: every k-th word differs.
      const k = 2 + (i % 30);
      const other = base.map((w, j) => (j % k === 0 ? `x${i}-${j}` : w));
      const sa = shingleHashes(base);
      const sb = shingleHashes(other);
      const est = jaccardEstimate(signature(sa), signature(sb));
      const err = est - exactJaccard(sa, sb);
      sumErr += err;
      worst = Math.max(worst, Math.abs(err));
    }
    expect(Math.abs(sumErr / 60)).toBeLessThan(0.02);
    // 128 permutations: standard error ≤ 0.045, so no single estimate is off by more than ~4 of them.
    expect(worst).toBeLessThan(0.16);
  });

  it('gives unrelated texts a similarity near zero', () => {
    const a = signature(shingleHashes(words(500, 7)));
    const b = signature(shingleHashes(words(500, 8)));
    expect(jaccardEstimate(a, b)).toBeLessThan(0.03);
  });
});

describe('containment and LSH math', () => {
  it.each([
    // j, |A|, |B|, containment of the smaller
    [1, 100, 100, 1],
    [0.5, 100, 100, 2 / 3],
    [50 / 450, 50, 450, 1],
    [0, 10, 20, 0],
  ])('containmentFromJaccard(%f, %i, %i) = %f', (j, a, b, want) => {
    expect(containmentFromJaccard(j, a, b)).toBeCloseTo(want, 6);
  });

  it.each([
    // The layout (20 × 6) and the configured default (42 × 3): the probability a pair becomes a candidate.
    [0.8, 20, 6, 0.998],
    [0.5, 20, 6, 0.27],
    [0.63, 32, 4, 0.996],
    [0.5, 32, 4, 0.873],
    [0.2, 32, 4, 0.05],
    [0.45, 42, 3, 0.98],
    [0.4, 42, 3, 0.94],
    [0.1, 42, 3, 0.04],
  ])('P(candidate | J=%f, %i bands × %i rows) ≈ %f', (j, b, r, p) => {
    expect(candidateProbability(j, b, r)).toBeCloseTo(p, 2);
  });

  it('band keys: equal rows give equal keys, the band index is part of the key, one changed row changes one band', () => {
    const sig = signature(shingleHashes(words(300, 3)));
    const keys = bandKeys(sig, 32, 4);
    expect(keys).toHaveLength(32);
    expect(new Set(keys).size).toBe(32);
    expect(bandKeys(Uint32Array.from(sig), 32, 4)).toEqual(keys);
    const changed = Uint32Array.from(sig);
    changed[9] = (changed[9]! + 1) >>> 0; // row 1 of band 2
    const diff = bandKeys(changed, 32, 4)
      .map((k, i) => (k === keys[i] ? -1 : i))
      .filter(i => i >= 0);
    expect(diff).toEqual([2]);
    // Identical rows in two bands still give two keys.
    const flat = new Uint32Array(NUM_PERM).fill(7);
    expect(new Set(bandKeys(flat, 32, 4)).size).toBe(32);
  });

  it('rejects a layout larger than the signature', () => {
    expect(() => bandKeys(new Uint32Array(NUM_PERM), 20, 7)).toThrow(RangeError);
  });

  it('finds lightly edited copies empirically: ≥ 97 of 100 copies with 5 % of words changed share a band', () => {
    let hits = 0;
    for (let i = 0; i < 100; i++) {
      const base = words(600, 5000 + i);
      const edited = base.map((w, j) => ((j * 7919 + i) % 20 === 0 ? `edit${j}` : w));
      const ka = bandKeys(signature(shingleHashes(base)), 42, 3);
      const kb = bandKeys(signature(shingleHashes(edited)), 42, 3);
      if (ka.some((k, b) => k === kb[b])) hits++;
    }
    expect(hits).toBeGreaterThanOrEqual(97);
  });
});
