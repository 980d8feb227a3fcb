import { SERVICE_DEFAULTS } from '../config/schema.js';

const { redis, consumer, stream } = SERVICE_DEFAULTS;

/**
 * The consumer client's defaults. Those newsflow.yaml also sets (prefix, batch, block, claim idle, deliveries,
 * dead-letter cap) come from the config schema's defaults, so `newsflow tail --group` and a library user who
 * passes nothing behave alike; the rest exist only in the client.
 */
export const CONSUMER_DEFAULTS = Object.freeze({
  prefix: redis.keyPrefix,
  startId: '$',
  count: consumer.count,
  blockMs: consumer.block,
  claimMinIdleMs: consumer.claimMinIdle,
  claimIntervalMs: 15_000,
  maxDeliveries: consumer.maxDeliveries,
  deadLetterMaxLen: stream.deadLetterMaxLen,
  stopTimeoutMs: 30_000,
});
