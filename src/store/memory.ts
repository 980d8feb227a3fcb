import { primaries, type RedisClient } from './redis.js';
import type { Logger } from '../shared/logger.js';

/**
 * Redis memory back-pressure. Every role reads `used_memory` and `maxmemory` from `INFO memory` (CONFIG is off
 * on managed Redis) and pauses intake at the high watermark until memory falls below the low one; the gap between
 * the two keeps a Redis near its budget from flapping. newsflow needs `maxmemory-policy noeviction`, so a full
 * Redis refuses writes: pausing first means jobs wait instead of failing.
 */

export interface MemoryFigures {
  /** `used_memory`, bytes. */
  used: number;
  /** `maxmemory`, bytes; 0 = no limit. */
  max: number;
  /** used / max; 0 when there is no limit. */
  ratio: number;
}

/** `ok`: take work; `high`: reached the high watermark, not yet back below the low one; `unlimited`: maxmemory 0. */
export type MemoryState = 'ok' | 'high' | 'unlimited';

export interface Watermarks {
  high: number;
  low: number;
}

/** The state machine: enter `high` at or above the high watermark, leave it only below the low one. */
export function nextMemoryState(prev: MemoryState, f: MemoryFigures, w: Watermarks): MemoryState {
  if (f.max <= 0) return 'unlimited';
  if (prev === 'high') return f.ratio < w.low ? 'ok' : 'high';
  return f.ratio >= w.high ? 'high' : 'ok';
}

/** used_memory and maxmemory out of an `INFO memory` reply. */
export function parseInfoMemory(info: string): MemoryFigures {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:(\\d+)\\s*$`, 'm').exec(info);
    return m ? Number(m[1]) : 0;
  };
  const used = field('used_memory');
  const max = field('maxmemory');
  return { used, max, ratio: max > 0 ? used / max : 0 };
}

/**
 * The figures of the fullest primary: on a cluster one full primary refuses the writes of its slots, so it is
 * the one that decides (replicas follow their primary).
 */
export async function readMemory(redis: RedisClient): Promise<MemoryFigures> {
  const all = await Promise.all(
    primaries(redis).map(async node => parseInfoMemory(await node.info('memory'))),
  );
  return all.reduce((worst, f) => (f.ratio > worst.ratio || (worst.max <= 0 && f.max > 0) ? f : worst));
}

/** `OOM command not allowed when used memory > 'maxmemory'`: RedisClient refused a write. Never a page's failure. */
export function isOomError(err: unknown): boolean {
  return err instanceof Error && /^OOM\b/.test(err.message);
}

/** 2.6 MiB: figures in messages and logs. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export interface MemoryGauge {
  state(): MemoryState;
  /** The last figures read; null before the first read. */
  figures(): MemoryFigures | null;
  /** Reads INFO memory now and applies the state machine (also what the timer does). */
  check(): Promise<MemoryState>;
  /** Called on every transition, after the one log line. */
  onChange(fn: (state: MemoryState, figures: MemoryFigures) => void): void;
  close(): void;
}

/**
 * Reads INFO memory every `intervalMs` and logs one line per transition (not per job). A failed read keeps the
 * last state: an unreachable Redis is the connection's concern, not a memory signal.
 */
export function startMemoryGauge(
  redis: RedisClient,
  opts: Watermarks & { intervalMs: number },
  log: Logger,
): MemoryGauge {
  let state: MemoryState = 'ok';
  let last: MemoryFigures | null = null;
  const listeners: ((s: MemoryState, f: MemoryFigures) => void)[] = [];
  let inFlight: Promise<MemoryState> | null = null;

  const apply = (f: MemoryFigures): MemoryState => {
    last = f;
    const next = nextMemoryState(state, f, opts);
    if (next !== state) {
      const prev = state;
      state = next;
      const fields = { used: f.used, max: f.max, ratio: Number(f.ratio.toFixed(3)), state: next };
      if (next === 'high') {
        log.warn(
          { ...fields, highWatermark: opts.high },
          `Redis memory at the high watermark (${formatBytes(f.used)} of ${formatBytes(f.max)}): intake paused`,
        );
      } else if (prev === 'high') {
        log.info(
          { ...fields, lowWatermark: opts.low },
          next === 'unlimited'
            ? 'Redis maxmemory removed (no back-pressure): intake resumed'
            : `Redis memory below the low watermark (${formatBytes(f.used)} of ${formatBytes(f.max)}): intake resumed`,
        );
      }
      for (const fn of listeners) fn(next, f);
    }
    return state;
  };

  const check = (): Promise<MemoryState> =>
    (inFlight ??= readMemory(redis)
      .then(apply, () => state)
      .finally(() => (inFlight = null)));

  const timer = setInterval(() => void check(), opts.intervalMs);
  timer.unref();
  void check();

  return {
    state: () => state,
    figures: () => last,
    check,
    onChange: fn => void listeners.push(fn),
    close: () => clearInterval(timer),
  };
}
