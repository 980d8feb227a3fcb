/**
 * V8's tier-up budget for newsflow's processes. By default V8 sends a function to TurboFan after ~66 KB of its
 * bytecode has run; extraction runs hundreds of mid-sized functions (the HTML tokenizer, the DOM, Readability,
 * our block rules), so the first pages queue ~430 TurboFan jobs per thread, ~4 s of compiler CPU for 91 pages
 * measured on the 2-core dev machine — on one core that time is taken from the pages (the warm-up of issue 16).
 * With an 8× budget only the really hot functions are optimized: ~170 jobs, ~0.8 s, and the steady rate is the
 * same within noise (docs/PERFORMANCE.md, "Warm-up"). V8 flags are per process, so this covers the worker
 * threads started after it. An explicit `node --interrupt-budget=N` wins.
 */
import { setFlagsFromString } from 'node:v8';

export const INTERRUPT_BUDGET = 540_000;

/** Sets the budget unless the process was started with its own; call before any thread starts. */
export function tuneJit(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): void {
  if (execArgv.some(a => a.startsWith('--interrupt-budget'))) return;
  setFlags(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
