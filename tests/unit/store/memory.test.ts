import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  isOomError,
  nextMemoryState,
  parseInfoMemory,
  type MemoryState,
} from '../../../src/store/memory.js';

const W = { high: 0.85, low: 0.75 };
const at = (ratio: number, max = 1000) => ({ used: Math.round(ratio * max), max, ratio });

describe('memory back-pressure state machine (store/memory.ts)', () => {
  it('enters high at the high watermark and leaves it only below the low one', () => {
    const ratios = [0.5, 0.84, 0.85, 0.9, 0.8, 0.75, 0.749, 0.8, 0.849, 0.86];
    const states: MemoryState[] = [];
    let s: MemoryState = 'ok';
    for (const r of ratios) states.push((s = nextMemoryState(s, at(r), W)));
    expect(states).toEqual(['ok', 'ok', 'high', 'high', 'high', 'high', 'ok', 'ok', 'ok', 'high']);
  });

  it('maxmemory 0 is unlimited: never high, whatever is used', () => {
    expect(nextMemoryState('ok', { used: 10 ** 12, max: 0, ratio: 0 }, W)).toBe('unlimited');
    expect(nextMemoryState('high', { used: 10 ** 12, max: 0, ratio: 0 }, W)).toBe('unlimited');
    // A limit set later takes effect on the next reading.
    expect(nextMemoryState('unlimited', at(0.9), W)).toBe('high');
    expect(nextMemoryState('unlimited', at(0.8), W)).toBe('ok');
  });

  it('reads used_memory and maxmemory out of INFO memory', () => {
    const info =
      '# Memory\r\nused_memory:2516584\r\nused_memory_human:2.40M\r\nused_memory_rss:9001\r\nmaxmemory:3145728\r\nmaxmemory_human:3.00M\r\nmaxmemory_policy:noeviction\r\n';
    const f = parseInfoMemory(info);
    expect(f).toMatchObject({ used: 2516584, max: 3145728 });
    expect(f.ratio).toBeCloseTo(0.8, 3);
    expect(parseInfoMemory('# Memory\r\nused_memory:10\r\nmaxmemory:0\r\n')).toEqual({
      used: 10,
      max: 0,
      ratio: 0,
    });
  });

  it('tells an OOM reply from other errors', () => {
    expect(isOomError(new Error("OOM command not allowed when used memory > 'maxmemory'."))).toBe(true);
    expect(isOomError(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(isOomError(new Error('Connection is closed. OOM'))).toBe(false);
    expect(isOomError('OOM')).toBe(false);
  });

  it('formats byte figures for the budget message', () => {
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(2516584)).toBe('2.4 MiB');
    expect(formatBytes(512)).toBe('512 B');
  });
});
