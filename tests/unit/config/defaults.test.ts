import { describe, expect, it } from 'vitest';
import { SERVICE_DEFAULTS, serviceSchema } from '../../../src/config/schema.js';
import { CONSUMER_DEFAULTS } from '../../../src/consumer/defaults.js';
import { DEFAULT_MAX_HTML_CHARS } from '../../../src/extract/extract.js';
import { DEFAULT_HEAP_MB, DEFAULT_TASK_TIMEOUT_MS } from '../../../src/extract/pool.js';

/** Issue 14 (3): a default is written once, in the zod schema; the constants code uses are read from it. */
describe('defaults come from the config schema', () => {
  it('SERVICE_DEFAULTS is what the schema makes of an empty newsflow.yaml, frozen', () => {
    expect(SERVICE_DEFAULTS).toEqual(serviceSchema.parse({}));
    expect(Object.isFrozen(SERVICE_DEFAULTS.extract)).toBe(true);
  });

  it('the consumer client and extraction read their shared defaults from it', () => {
    const { consumer, stream, redis, extract } = serviceSchema.parse({});
    expect(CONSUMER_DEFAULTS).toMatchObject({
      prefix: redis.keyPrefix,
      count: consumer.count,
      blockMs: consumer.block,
      claimMinIdleMs: consumer.claimMinIdle,
      maxDeliveries: consumer.maxDeliveries,
      deadLetterMaxLen: stream.deadLetterMaxLen,
    });
    expect(DEFAULT_MAX_HTML_CHARS).toBe(extract.maxHtmlChars);
    expect(DEFAULT_HEAP_MB).toBe(extract.heapMb);
    expect(DEFAULT_TASK_TIMEOUT_MS).toBe(extract.timeout);
  });
});

describe('retention config', () => {
  it('keeps stories 30 days and URLs 90 days by default; null keeps stories for ever', () => {
    expect(SERVICE_DEFAULTS.retention).toMatchObject({ stories: 30 * 86_400_000, urls: 90 * 86_400_000 });
    expect(serviceSchema.parse({ retention: { stories: null } }).retention.stories).toBeNull();
  });

  it('refuses a story retention shorter than dedupe.window (content keys would name removed stories)', () => {
    const r = serviceSchema.safeParse({ retention: { stories: '7d' }, dedupe: { window: '30d' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('dedupe.window');
    expect(serviceSchema.safeParse({ retention: { stories: '30d' }, dedupe: { window: '7d' } }).success).toBe(
      true,
    );
  });
});
