import { describe, expect, it } from 'vitest';
import { pairwiseScores } from '../../../eval/dedupe/score.js';

describe('pairwise scores (eval:dedupe)', () => {
  const truth = new Map([
    ['o1', 'g1'],
    ['c1', 'g1'],
    ['e1', 'g1'],
    ['o2', 'g2'],
    ['n1', 'n1'],
  ]);

  it('perfect clustering scores 1/1', () => {
    expect(
      pairwiseScores(
        truth,
        new Map([
          ['o1', 'a'],
          ['c1', 'a'],
          ['e1', 'a'],
          ['o2', 'b'],
          ['n1', 'c'],
        ]),
      ),
    ).toMatchObject({
      truePairs: 3,
      predictedPairs: 3,
      precision: 1,
      recall: 1,
    });
  });

  it('a split loses recall, a wrong merge loses precision, a lost item counts as a singleton', () => {
    const s = pairwiseScores(
      truth,
      new Map([
        ['o1', 'a'],
        ['c1', 'a'],
        ['o2', 'a'],
        ['n1', 'c'],
      ]),
    );
    // Predicted pairs: o1-c1 (right), o1-o2, c1-o2 (wrong); e1 was lost.
    expect(s).toMatchObject({ truePairs: 3, predictedPairs: 3, correctPairs: 1 });
    expect(s.precision).toBeCloseTo(1 / 3, 6);
    expect(s.recall).toBeCloseTo(1 / 3, 6);
  });
});
