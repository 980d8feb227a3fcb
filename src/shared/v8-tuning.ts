/**
 * V8 settings for newsflow's processes, set once by the CLI and `workers/*.ts` before any thread starts (V8
 * flags are per process, so the worker threads started after it share them). A flag given on the command
 * line (`node --interrupt-budget=N …`) wins over ours.
 *
 * - `--interrupt-budget`: by default V8 sends a function to TurboFan after ~66 KB of its bytecode has run;
 *   extraction runs hundreds of mid-sized functions (the HTML tokenizer, the DOM, Readability, our block
 *   rules), so the first pages queue ~430 TurboFan jobs per thread, ~4 s of compiler CPU for 91 pages measured
 *   on the 2-core dev machine — on one core that time is taken from the pages (the warm-up of issue 16). With
 *   an 8× budget only the really hot functions are optimized: ~170 jobs, ~0.8 s, and the steady rate is the
 *   same within noise (docs/PERFORMANCE.md, "Warm-up").
 * - `--heap-growing-percent`: after each full GC V8 lets the old generation grow by a dynamic factor of up to
 *   4× the live size before the next one. The extractor's main thread (~45 MB live: BullMQ, ioredis, undici,
 *   the pages in flight) promotes every page it holds across an await, so its heap sawed between ~110 and
 *   ~160 MB and the process RSS by ±20 % over 10 000 pages; growing by 30 % holds it at ~80 MB and RSS within
 *   5 %, with no measurable CPU cost (docs/PERFORMANCE.md, "Memory"). The threads' heaps are unaffected.
 */
import { setFlagsFromString } from 'node:v8';

export const INTERRUPT_BUDGET = 540_000;
export const HEAP_GROWING_PERCENT = 30;

/** Sets our flags, each unless the process was started with its own; call before any thread starts. */
export function tuneV8(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): void {
  const given = (flag: string): boolean => execArgv.some(a => a.startsWith(flag));
  if (!given('--interrupt-budget')) setFlags(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  if (!given('--heap-growing-percent')) setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
