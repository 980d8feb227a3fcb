import { afterAll, describe, expect, it } from 'vitest';
import {
  createHistogramRecorder,
  histogramField,
  histogramSamples,
} from '../../../src/metrics/histograms.js';
import { keysFor } from '../../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

const redis = testRedis();
const prefix = testPrefix('histograms');
const keys = keysFor(prefix);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('histogram recorder (real Redis)', () => {
  it('sums observations in the process and writes them in one batch on flush', async () => {
    const rec = createHistogramRecorder(redis, keys, { flushMs: 60_000 });
    rec.observe('extraction', { result: 'article' }, 0.02);
    rec.observe('extraction', { result: 'article' }, 0.03);
    rec.observe('extraction', { result: 'skipped' }, 2);
    rec.observe('extraction', { result: 'article' }, Number.NaN);
    // Nothing reaches Redis before the flush.
    expect(await redis.exists(keys.metricsHistograms)).toBe(0);
    await rec.flush();
    const raw = await redis.hgetall(keys.metricsHistograms);
    expect(raw[histogramField('extraction', ['article'], 'count')]).toBe('3');
    expect(Number(raw[histogramField('extraction', ['article'], 'sum')])).toBeCloseTo(0.05, 10);
    // NaN counts as 0 (bucket ≤ 0.01), 0.02 falls in ≤ 0.025, 0.03 in ≤ 0.05.
    expect(raw[histogramField('extraction', ['article'], 0)]).toBe('1');
    expect(raw[histogramField('extraction', ['article'], 1)]).toBe('1');
    expect(raw[histogramField('extraction', ['article'], 2)]).toBe('1');
    expect(raw[histogramField('extraction', ['skipped'], 'count')]).toBe('1');

    // A second batch adds to the first; a flush with nothing pending writes nothing.
    rec.observe('extraction', { result: 'article' }, 0.02);
    await rec.flush();
    await rec.flush();
    const samples = histogramSamples('extraction', await redis.hgetall(keys.metricsHistograms));
    const count = samples.find(
      s => s.metricName === 'newsflow_extraction_duration_seconds_count' && s.labels.result === 'article',
    );
    expect(count?.value).toBe(4);
  });

  it('writes on its own once the flush interval has passed', async () => {
    await redis.del(keys.metricsHistograms);
    const rec = createHistogramRecorder(redis, keys, { flushMs: 30 });
    rec.observe('job', { queue: 'q', result: 'ok' }, 0.2);
    for (let i = 0; i < 100 && !(await redis.exists(keys.metricsHistograms)); i++) {
      await new Promise(r => setTimeout(r, 20));
    }
    expect(await redis.hget(keys.metricsHistograms, histogramField('job', ['q', 'ok'], 'count'))).toBe('1');
  });
});
