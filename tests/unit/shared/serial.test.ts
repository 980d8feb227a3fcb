import { describe, expect, it } from 'vitest';
import { serialRunner } from '../../../src/shared/serial.js';

const tick = (): Promise<void> => new Promise(r => setImmediate(r));

describe('serialRunner', () => {
  it('never overlaps runs and turns any number of pokes during a run into one more run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => {};
    const runner = serialRunner(
      async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>(r => (release = r));
        active--;
      },
      () => {},
      () => false,
    );
    const first = runner.poke();
    await tick();
    void runner.poke();
    void runner.poke();
    void runner.poke();
    expect(runs).toBe(1);
    release();
    await tick();
    expect(runs).toBe(2);
    release();
    await first;
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    expect(runner.current()).toBeNull();
  });

  it('reports a failing run and keeps running later pokes', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const runner = serialRunner(
      () => {
        n++;
        return n === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      err => errors.push(err),
      () => false,
    );
    await runner.poke();
    await runner.poke();
    expect(n).toBe(2);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('boom');
  });

  it('starts nothing once stopped', async () => {
    let n = 0;
    let stopped = false;
    const runner = serialRunner(
      () => Promise.resolve(void n++),
      () => {},
      () => stopped,
    );
    await runner.poke();
    stopped = true;
    await runner.poke();
    expect(n).toBe(1);
  });
});
