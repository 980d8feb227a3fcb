import { describe, expect, it } from 'vitest';
import { INTERRUPT_BUDGET, tuneJit } from '../../../src/shared/jit.js';

describe('tuneJit', () => {
  it('raises the interrupt budget, unless the process was started with its own', () => {
    const set: string[] = [];
    tuneJit(['--enable-source-maps'], f => set.push(f));
    expect(set).toEqual([`--interrupt-budget=${INTERRUPT_BUDGET}`]);
    tuneJit(['--interrupt-budget=100000'], f => set.push(f));
    expect(set).toHaveLength(1);
  });
});
