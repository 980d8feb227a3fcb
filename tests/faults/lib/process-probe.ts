import { readFileSync } from 'node:fs';

/**
 * Reading a worker process from outside, for fault scenarios: its Prometheus text (`/metrics`) and, on Linux,
 * its resident set from /proc (sampled, since /metrics gives one value per scrape).
 */

/** Samples of one metric in a Prometheus text exposition, by label string (`''` for none). */
export function metricSamples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

/** The one unlabelled sample of `name`; throws when the exposition has none. */
export function metricValue(text: string, name: string): number {
  const v = metricSamples(text, name).get('');
  if (v === undefined || Number.isNaN(v)) throw new Error(`metric ${name} not exposed`);
  return v;
}

export async function scrape(apiAddress: string): Promise<string> {
  const res = await fetch(`${apiAddress}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
  return res.text();
}

/** Resident set size (bytes) of a process from /proc/<pid>/status; null where /proc is not there. */
export function procRss(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples `procRss(pid)` every `everyMs` until stopped; `peak()` is the largest seen (null without /proc). */
export function sampleRss(pid: number, everyMs = 100): { peak(): number | null; stop(): void } {
  let peak: number | null = procRss(pid);
  const timer = setInterval(() => {
    const v = procRss(pid);
    if (v !== null) peak = Math.max(peak ?? 0, v);
  }, everyMs);
  return {
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
}
