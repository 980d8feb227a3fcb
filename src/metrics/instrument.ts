import type { Fetcher, FetchResult } from '../fetch/types.js';
import type { HistogramRecorder } from './histograms.js';

/** `ok`, `not-modified` (304) or the failure class: a bounded label set. */
export function fetchResultLabel(res: FetchResult): string {
  if (!res.ok) return res.class;
  return res.status === 304 ? 'not-modified' : 'ok';
}

/**
 * Wraps a fetcher so every request's duration lands in `newsflow_fetch_duration_seconds`. A fetch the politeness
 * gate turned away (it throws before sending anything) is not a fetch and is not observed.
 */
export function instrumentFetcher(
  fetcher: Fetcher,
  rec: HistogramRecorder,
  now: () => number = () => performance.now(),
): Fetcher {
  return new Proxy(fetcher, {
    get(target, prop, receiver) {
      if (prop !== 'fetch') return Reflect.get(target, prop, receiver) as unknown;
      return async (req: Parameters<Fetcher['fetch']>[0]): Promise<FetchResult> => {
        const t0 = now();
        const res = await target.fetch(req);
        rec.observe('fetch', { kind: req.kind, result: fetchResultLabel(res) }, (now() - t0) / 1000);
        return res;
      };
    },
  });
}

/** Times a synchronous step (extraction) and records it under `result(value)`. */
export function timed<T>(
  rec: HistogramRecorder | undefined,
  metric: 'extraction',
  result: (value: T) => string,
  fn: () => T,
): T {
  const t0 = performance.now();
  const value = fn();
  rec?.observe(metric, { result: result(value) }, (performance.now() - t0) / 1000);
  return value;
}
