import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE } from '../../src/store/keys.js';
import { testRedisUrl } from '../helpers/redis.js';
import { checkInvariant, readHistory, waitForDrain } from './lib/checker.js';
import { faultPrefix, faultService, startCluster, type Proc } from './lib/cluster.js';
import { articleHtml, startSyntheticSite } from './lib/synthetic-site.js';

/**
 * Issue 8, "SIGTERM drain": a `start --role all` process is told to stop while 10 article jobs are running.
 * Readiness must turn 503 while they still run, the jobs must finish in that process (drained, not stalled
 * and re-run elsewhere), and the process must exit 0 within the grace period. The pages are held open by the
 * site until the test lets them go, so "at once" and "drained" are facts of the order of events, not timings.
 */
const COUNT = 30;
const CONCURRENCY = 10;
const LOCK_MS = 4_000;
const STALLED_INTERVAL_MS = 2_000;
const GRACE_MS = 30_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** The /readyz status, or 0 when nothing answers (the process is gone). */
async function readyz(address: string): Promise<number> {
  try {
    return (await fetch(`${address}/readyz`)).status;
  } catch {
    return 0;
  }
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('fault: SIGTERM drain', () => {
  it(
    'SIGTERM during 10 active jobs: readiness 503 at once, the 10 finish in that process, exit 0 within the grace, nothing stalls',
    { timeout: 170_000 },
    async () => {
      // Every page is held until `release()`; after it, pages answer at once.
      const held: { i: number; res: ServerResponse }[] = [];
      let released = false;
      const answer = (i: number, res: ServerResponse): void => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(articleHtml(i).html);
      };
      const routes = Object.fromEntries(
        Array.from({ length: COUNT }, (_, i) => [
          `/a/${i}`,
          (res: ServerResponse) => (released ? answer(i, res) : held.push({ i, res })),
        ]),
      );
      const release = (): void => {
        released = true;
        for (const h of held.splice(0)) answer(h.i, h.res);
      };
      const site = await startSyntheticSite({ count: COUNT, routes });
      cleanups.push(() => site.close());
      const { prefix, redis, keys } = faultPrefix('faults-sigterm', cleanups);
      const port = Number(new URL(site.origin).port);
      const cluster = startCluster(
        faultService({
          redisUrl: testRedisUrl(),
          prefix,
          ports: [port],
          service: {
            extractor: {
              concurrency: CONCURRENCY,
              lockDuration: `${LOCK_MS}ms`,
              stalledInterval: `${STALLED_INTERVAL_MS}ms`,
              maxStalledCount: 2,
              attempts: 3,
            },
            // Held pages must not time out while the test holds them.
            fetch: { timeout: '90s', headersTimeout: '90s' },
            api: { host: '127.0.0.1', port: 0 },
            shutdown: { grace: `${GRACE_MS}ms` },
          },
        }),
        [{ id: 'synthetic', url: site.feedUrl }],
      );
      cleanups.push(() => cluster.killAll());
      const extractBase = `${keys.bullPrefix}:${QUEUE.extract}`;

      const main = cluster.spawn('all');
      const pid = main.child.pid ?? -1;
      const address = await until('the api to listen', 60_000, () => {
        const line = main.logs.find(l => l.msg === 'api listening');
        return line ? String(line.address) : undefined;
      });
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // Ten jobs running in the process: ten starts there, ten pages requested and held, ten active in BullMQ.
      const running = await until('10 running jobs', 90_000, () => {
        const starts = readHistory(cluster.historyFile).filter(h => h.ev === 'start' && h.pid === pid);
        return starts.length >= CONCURRENCY && held.length >= CONCURRENCY
          ? new Set(starts.map(s => s.jobId))
          : undefined;
      });
      expect(running.size).toBe(CONCURRENCY);
      expect(held).toHaveLength(CONCURRENCY);
      expect(await redis.llen(`${extractBase}:active`)).toBe(CONCURRENCY);
      expect(await readyz(address)).toBe(200);

      // A second extractor, up before the SIGTERM, runs BullMQ's stalled check while the draining process
      // holds the 10 jobs for longer than a lock lives: had the draining process stopped renewing its locks,
      // the check would hand the jobs to this extractor and the history would show a second start.
      const second: Proc = cluster.spawn('extractor');
      const secondPid = second.child.pid ?? -1;
      await until('the second extractor to take a job', 90_000, () =>
        readHistory(cluster.historyFile).some(h => h.ev === 'start' && h.pid === secondPid)
          ? true
          : undefined,
      );

      const termAt = Date.now();
      main.child.kill('SIGTERM');
      let status = 0;
      for (let i = 0; i < 200 && status !== 503; i++) {
        status = await readyz(address);
        if (status === 0) break;
        if (status !== 503) await sleep(10);
      }
      const readyzMs = Date.now() - termAt;
      expect(status).toBe(503);
      // "At once": not ready while every one of the 10 jobs is still waiting for its page.
      expect(main.child.exitCode).toBeNull();
      expect(
        readHistory(cluster.historyFile).filter(h => h.ev === 'outcome' && running.has(h.jobId)),
      ).toEqual([]);

      await sleep(LOCK_MS + 2 * STALLED_INTERVAL_MS + 1_000);
      expect(main.child.exitCode).toBeNull(); // still draining: its pages are still held
      release();

      const code = await main.exited;
      const exitMs = Date.now() - termAt;
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(GRACE_MS);
      expect(main.logs.some(l => l.msg === 'grace period over: cancelling running jobs')).toBe(false);
      expect(main.logs.some(l => l.msg === 'stopped')).toBe(true);

      expect(await waitForDrain(redis, keys, { timeoutMs: 90_000, settleMs: 2_000 })).toBe(true);
      const report = await checkInvariant(redis, keys, cluster.historyFile);
      expect(report.violations).toEqual([]);
      expect(report.enqueued).toBe(COUNT);
      expect(report.stored).toBe(COUNT);

      // Drained, not stalled: each of the 10 started once, in the SIGTERMed process, and finished there.
      const lines = report.history;
      for (const jobId of running) {
        const starts = lines.filter(h => h.ev === 'start' && h.jobId === jobId);
        expect(
          starts.map(s => s.pid),
          jobId,
        ).toEqual([pid]);
        const outcomes = lines.filter(h => h.ev === 'outcome' && h.jobId === jobId);
        expect(
          outcomes.map(o => [o.pid, o.ev === 'outcome' && o.outcome]),
          jobId,
        ).toEqual([[pid, 'stored']]);
      }
      // The second extractor did the other 20, and BullMQ reports no stalled job at all.
      const secondJobs = new Set(
        lines.filter(h => h.ev === 'start' && h.pid === secondPid).map(h => h.jobId),
      );
      expect(secondJobs.size).toBe(COUNT - CONCURRENCY);
      for (const jobId of running) expect(secondJobs.has(jobId)).toBe(false);
      const events = await redis.xrange(`${extractBase}:events`, '-', '+');
      expect(events.filter(([, f]) => f[0] === 'event' && f[1] === 'stalled')).toEqual([]);
      console.log(
        `sigterm-drain: readiness 503 after ${readyzMs} ms, exit 0 after ${exitMs} ms (grace ${GRACE_MS} ms), ` +
          `10 drained in pid ${pid}, ${secondJobs.size} done by the second extractor`,
      );
    },
  );
});
