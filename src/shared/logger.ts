import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Commands that print results on stdout (run, demo, extract…) log to stderr so their output
 * stays machine-readable; the long-running service logs to stdout as containers expect.
 */
export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino(
    { level, base: { service: 'newsflow' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: destination === 'stdout' ? 1 : 2, sync: true }),
  );
}
