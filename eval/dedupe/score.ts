/**
 * Pairwise clustering scores: every pair of items predicted in one story is a predicted pair, every pair
 * of items of one ground-truth group is a true pair. Items the pipeline lost count as singletons.
 */

export interface PairScores {
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
}

function pairs(clusters: Map<string, string[]>): Set<string> {
  const out = new Set<string>();
  for (const members of clusters.values()) {
    const sorted = [...new Set(members)].sort();
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) out.add(`${sorted[i]}\n${sorted[j]}`);
    }
  }
  return out;
}

function groupBy(assign: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [item, cluster] of assign) {
    const list = out.get(cluster);
    if (list) list.push(item);
    else out.set(cluster, [item]);
  }
  return out;
}

/**
 * `truth` and `predicted` map item → cluster id. Items missing from `predicted` are singletons there.
 * Precision is 1 when nothing is paired (no wrong pair was made).
 */
export function pairwiseScores(truth: Map<string, string>, predicted: Map<string, string>): PairScores {
  const items = [...truth.keys()];
  const pred = new Map(items.map(i => [i, predicted.get(i) ?? `missing:${i}`]));
  const t = pairs(groupBy(truth));
  const p = pairs(groupBy(pred));
  let correct = 0;
  for (const pair of p) if (t.has(pair)) correct++;
  return {
    truePairs: t.size,
    predictedPairs: p.size,
    correctPairs: correct,
    precision: p.size === 0 ? 1 : correct / p.size,
    recall: t.size === 0 ? 1 : correct / t.size,
  };
}
