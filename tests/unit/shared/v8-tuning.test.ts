import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, INTERRUPT_BUDGET, tuneV8 } from '../../../src/shared/v8-tuning.js';

describe('tuneV8', () => {
  it('sets the interrupt budget and the heap growing factor', () => {
    const set: string[] = [];
    tuneV8(['--enable-source-maps'], f => set.push(f));
    expect(set).toEqual([
      `--interrupt-budget=${INTERRUPT_BUDGET}`,
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    ]);
  });

  it('leaves a flag the process was started with alone', () => {
    const set: string[] = [];
    tuneV8(['--interrupt-budget=100000'], f => set.push(f));
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    set.length = 0;
    tuneV8(['--heap-growing-percent=50', '--interrupt-budget=1'], f => set.push(f));
    expect(set).toEqual([]);
  });
});
