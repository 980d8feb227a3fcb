/**
 * MinHash signatures over word shingles and their LSH band keys, in 32-bit integer arithmetic only
 * (Math.imul), so a signature is the same on every machine and in every release that keeps
 * MINHASH_VERSION. The npm minhash packages overflow float64 or draw unseeded permutations, which makes
 * signatures stored in Redis incomparable across processes.
 */

/** Bump when seeds, shingling or hashing change: stored signatures and LSH buckets carry it. */
export const MINHASH_VERSION = 1;
export const NUM_PERM = 128;
export const SHINGLE_WORDS = 5;

/** murmur3's finalizer: a bijection on 32 bits with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** murmur3-style mixing of one 32-bit block into a running hash. */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** 32-bit hash of a string's UTF-16 code units (two per block). */
export function hashString(s: string, seed = 0): number {
  let h = seed | 0;
  let i = 0;
  for (; i + 1 < s.length; i += 2) h = mixBlock(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) h = mixBlock(h, s.charCodeAt(i));
  return fmix32(h ^ s.length);
}

/** splitmix32: the fixed seed sequence of the permutations (version 1 starts from this constant). */
function seedSequence(n: number, start: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = start >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    out[i] = (z ^ (z >>> 15)) >>> 0;
  }
  return out;
}

const SEEDS = seedSequence(NUM_PERM, 0x6e667631); // "nfv1"

/** Hashes of the distinct word shingles of a token list; a text shorter than one shingle is one shingle. */
export function shingleHashes(tokens: readonly string[], k = SHINGLE_WORDS): Uint32Array {
  const th = tokens.map(t => hashString(t, 0x5f3759df));
  const set = new Set<number>();
  const count = th.length >= k ? th.length - k + 1 : th.length > 0 ? 1 : 0;
  for (let i = 0; i < count; i++) {
    let h = 0x2545f491;
    const end = Math.min(i + k, th.length);
    for (let j = i; j < end; j++) h = mixBlock(h, th[j] ?? 0);
    set.add(fmix32(h ^ (end - i)));
  }
  return Uint32Array.from(set);
}

/** The 128 minima of `fmix32(shingle ^ seed_i)`: each seed picks a different bijection of the hash space. */
export function signature(shingles: Uint32Array): Uint32Array {
  const sig = new Uint32Array(NUM_PERM).fill(0xffffffff);
  for (let s = 0; s < shingles.length; s++) {
    const h = shingles[s] ?? 0;
    for (let i = 0; i < NUM_PERM; i++) {
      const v = fmix32(h ^ (SEEDS[i] ?? 0));
      if (v < (sig[i] ?? 0)) sig[i] = v;
    }
  }
  return sig;
}

/** Fraction of equal positions: an unbiased estimate of the Jaccard similarity of the shingle sets. */
export function jaccardEstimate(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < NUM_PERM; i++) if (a[i] === b[i]) eq++;
  return eq / NUM_PERM;
}

/**
 * Containment of the smaller set in the larger, from Jaccard and the set sizes:
 * |A∩B| = J·(|A|+|B|)/(1+J), divided by the smaller size. Clamped to 1.
 */
export function containmentFromJaccard(j: number, sizeA: number, sizeB: number): number {
  const small = Math.min(sizeA, sizeB);
  if (small === 0) return 0;
  return Math.min(1, (j * (sizeA + sizeB)) / ((1 + j) * small));
}

/** Probability that a pair with Jaccard `j` shares at least one band: 1 − (1 − j^rows)^bands. */
export function candidateProbability(j: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(j, rows), bands);
}

/** One key per band (band index, version and layout included by the caller): 64 bits of the band's rows, hex. */
export function bandKeys(sig: Uint32Array, bands: number, rows: number): string[] {
  if (bands * rows > NUM_PERM) {
    throw new RangeError(`${bands} bands × ${rows} rows exceed ${NUM_PERM} permutations`);
  }
  const out: string[] = [];
  for (let b = 0; b < bands; b++) {
    let h1 = 0x3c6ef372 ^ b;
    let h2 = 0xa54ff53a ^ b;
    for (let r = 0; r < rows; r++) {
      const v = sig[b * rows + r] ?? 0;
      h1 = mixBlock(h1, v);
      h2 = mixBlock(h2, v ^ 0x9e3779b9);
    }
    out.push(hex8(fmix32(h1 ^ rows)) + hex8(fmix32(h2 ^ rows)));
  }
  return out;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Big-endian bytes, the form Lua compares (4 bytes per permutation). */
export function signatureToBuffer(sig: Uint32Array): Buffer {
  const buf = Buffer.alloc(sig.length * 4);
  sig.forEach((v, i) => buf.writeUInt32BE(v, i * 4));
  return buf;
}

export function signatureFromBuffer(buf: Buffer): Uint32Array {
  const sig = new Uint32Array(buf.length / 4);
  for (let i = 0; i < sig.length; i++) sig[i] = buf.readUInt32BE(i * 4);
  return sig;
}
