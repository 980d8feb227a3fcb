/** Consumer defaults, in a module of their own so config validation can use them without loading a Redis client. */
export const CONSUMER_DEFAULTS = {
  prefix: 'newsflow',
  startId: '$',
  count: 16,
  blockMs: 5_000,
  claimMinIdleMs: 60_000,
  claimIntervalMs: 15_000,
  maxDeliveries: 5,
  deadLetterMaxLen: 100_000,
  stopTimeoutMs: 30_000,
} as const;
