import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEDULER_PREFIX } from '../../src/feeds/scheduler.js';
import { keysFor, QUEUE } from '../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../helpers/redis.js';
import { faultService, startCluster, type Proc } from './lib/cluster.js';

/**
 * Issue 8, scenario 7: deploy churn. 100 feeds (quiet RSS, no items) on 5 hosts (127.0.0.1–5 where the system
 * routes 127.0.0.0/8 to loopback, as Linux does; else 5 ports of 127.0.0.1, which the politeness gate counts as 5
 * hosts as well), each with a 10 s interval, polled by 4 `--role poller` processes that are restarted 10 times
 * each, rolling, while the run lasts: SIGTERM (drain, release the reconciler lease), every third time SIGKILL.
 *
 * Asserted, from the servers' side: each feed was requested the expected number of times ± 1 over the measured
 * window; two requests to one host are never closer than the politeness interval (feeds pass the gate: only
 * robots.txt is skipped for them, src/fetch/fetcher.ts); and BullMQ holds exactly one job scheduler per feed,
 * 100, at the end.
 *
 * Timing: a scheduler ticks every 2 s and polls a feed due within 1 s (min(tick / 2, 10 % of the interval)), so
 * a feed is polled every 5th tick; a poll that the gate or a restart holds back by more than that second moves
 * to the next tick (12 s), which the ± 1 absorbs once. The window is 60 s, longer when restarts take longer
 * (a new process is awaited before the next restart; startup is most of a restart's time on a loaded machine).
 */

const HOSTS = 5;
const FEEDS = 100;
const POLLERS = 4;
const RESTARTS_EACH = 10;
const INTERVAL_MS = 10_000;
const TICK_MS = 2_000;
const POLITENESS_MS = 100;
/** The measured window: the run after every feed's first poll. */
const WINDOW_MS = 60_000;
/** Run after the last restart, inside the window. */
const TAIL_MS = 5_000;

interface FeedHost {
  host: string;
  origin: string;
  port: number;
  server: Server;
}

/** One request seen by a feed server: which feed, on which host, when (this process' clock, ms). */
interface Hit {
  feed: string;
  host: string;
  at: number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

async function listen(server: Server, host: string): Promise<string> {
  server.listen(0, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err as Error)),
  ]);
  return host;
}

async function startHosts(n: number, hits: Hit[]): Promise<FeedHost[]> {
  const hosts: FeedHost[] = [];
  for (let i = 0; i < n; i++) {
    let origin = '';
    const server = createServer((req, res) => {
      const at = Date.now();
      const m = /^\/feeds\/([\w-]+)\.xml$/.exec(req.url ?? '');
      if (!m) return void res.writeHead(404).end();
      hits.push({ feed: m[1]!, host: origin, at });
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>${m[1]}</title><link>${origin}/</link>` +
            `<description>quiet feed</description></channel></rss>`,
        );
    });
    // A host of its own where 127.0.0.0/8 is all loopback; else another port of 127.0.0.1.
    const host = await listen(server, `127.0.0.${i + 1}`).catch(() => listen(server, '127.0.0.1'));
    const port = (server.address() as AddressInfo).port;
    origin = `http://${host}:${port}`;
    hosts.push({ host, origin, port, server });
  }
  return hosts;
}

describe('fault: deploy churn of the pollers', () => {
  it('4 pollers restarted 10 times each over 100 feeds: 100 schedulers, polls on schedule ± 1, per-host spacing held', async () => {
    const hits: Hit[] = [];
    const hosts = await startHosts(HOSTS, hits);
    cleanups.push(async () => {
      for (const h of hosts) {
        h.server.closeAllConnections();
        await new Promise<void>(r => h.server.close(() => r()));
      }
    });
    const prefix = testPrefix('faults-churn');
    const redis = testRedis();
    const keys = keysFor(prefix);
    const pollQueue = new Queue(QUEUE.poll, { connection: redis, prefix: keys.bullPrefix });
    cleanups.push(async () => {
      await pollQueue.close();
      await cleanupPrefix(redis, prefix);
      redis.disconnect();
    });

    const feeds = Array.from({ length: FEEDS }, (_, i) => {
      const id = `f${String(i).padStart(3, '0')}`;
      return { id, url: `${hosts[i % HOSTS]!.origin}/feeds/${id}.xml`, interval: `${INTERVAL_MS / 1000}s` };
    });
    const cluster = startCluster(
      faultService({
        redisUrl: testRedisUrl(),
        prefix,
        ports: hosts.map(h => h.port),
        service: {
          log: { level: 'info' },
          // Ticks every 2 s, no jitter; a killed poller's scheduler job comes back within ~6 s (docs/ARCHITECTURE.md,
          // Scheduling): the production 30 s + 30 s would silence a feed for several of its 10 s intervals.
          poller: {
            tick: `${TICK_MS}ms`,
            jitter: 0,
            concurrency: 8,
            lockDuration: '4s',
            stalledInterval: '2s',
          },
          fetch: { timeout: '2s', politeness: { interval: `${POLITENESS_MS}ms`, maxInFlight: 1 } },
          shutdown: { grace: '5s' },
        },
      }),
      feeds,
    );
    cleanups.push(() => cluster.killAll());
    const pollers: Proc[] = Array.from({ length: POLLERS }, () => cluster.spawn('poller'));

    // Every feed polled once: the schedulers exist and run.
    const polled = (): Set<string> => new Set(hits.map(h => h.feed));
    for (let i = 0; i < 600 && polled().size < FEEDS; i++) await sleep(100);
    expect(polled().size).toBe(FEEDS);

    // The measured window. Restarts roll like a deploy that keeps at least two pollers up: two chains, each over
    // two of the four slots, replace one process at a time and wait for the new one to be up ('newsflow
    // started') before the next; every third restart of a chain is a SIGKILL. The window lasts at least
    // WINDOW_MS and ends TAIL_MS after the last restart.
    const t0 = Date.now();
    const log: string[] = [];
    const chain = async (slots: number[]): Promise<void> => {
      for (let r = 0; r < slots.length * RESTARTS_EACH; r++) {
        const i = slots[r % slots.length]!;
        const victim = pollers[i]!;
        const signal = r % 3 === 2 ? 'SIGKILL' : 'SIGTERM';
        const tKill = Date.now();
        victim.child.kill(signal);
        const code = await victim.exited;
        const tSpawn = Date.now();
        const next = cluster.spawn('poller');
        pollers[i] = next;
        for (let w = 0; w < 300 && !next.logs.some(l => l.msg === 'newsflow started'); w++) await sleep(100);
        if (!next.alive()) throw new Error('a restarted poller exited');
        // K/T, exit code (none after SIGKILL), seconds to exit + seconds until the new one was up.
        log.push(
          `${signal === 'SIGKILL' ? 'K' : 'T'}${code ?? ''}(${((tSpawn - tKill) / 1000).toFixed(1)}+` +
            `${((Date.now() - tSpawn) / 1000).toFixed(1)})`,
        );
        await sleep(250);
      }
    };
    await Promise.all([chain([0, 2]), chain([1, 3])]);
    const churnMs = Date.now() - t0;
    const end = Math.max(t0 + WINDOW_MS, Date.now() + TAIL_MS);
    if (end > Date.now()) await sleep(end - Date.now());
    const t1 = Date.now();
    await Promise.all(
      pollers.map(p => {
        p.child.kill('SIGTERM');
        return p.exited;
      }),
    );

    // Per feed: requests inside the window.
    const inWindow = hits.filter(h => h.at >= t0 && h.at < t1);
    const perFeed = new Map<string, number>(feeds.map(f => [f.id, 0]));
    for (const h of inWindow) perFeed.set(h.feed, (perFeed.get(h.feed) ?? 0) + 1);
    // A feed polled every INTERVAL_MS is requested ⌊W/I⌋ or ⌈W/I⌉ times in a window of W: ± 1 around that.
    const expected = (t1 - t0) / INTERVAL_MS;
    const [low, high] = [Math.floor(expected) - 1, Math.ceil(expected) + 1];
    const off = [...perFeed].filter(([, n]) => n < low || n > high);
    const histogram: Record<number, number> = {};
    for (const n of perFeed.values()) histogram[n] = (histogram[n] ?? 0) + 1;

    // Per host: the smallest gap between two requests (all of the run, not only the window).
    const gaps = hosts.map(h => {
      const times = hits.filter(x => x.host === h.origin).map(x => x.at);
      times.sort((a, b) => a - b);
      let min = Infinity;
      for (let i = 1; i < times.length; i++) min = Math.min(min, times[i]! - times[i - 1]!);
      return { host: h.origin, requests: times.length, min };
    });

    const schedulers = await pollQueue.getJobSchedulers(0, -1);
    const count = await pollQueue.getJobSchedulersCount();
    console.info(
      [
        `deploy churn: ${log.length} restarts (${log.join(' ')}) in ${(churnMs / 1000).toFixed(1)} s, window ` +
          `${((t1 - t0) / 1000).toFixed(1)} s; ${inWindow.length} feed requests in it, ${expected.toFixed(2)} per ` +
          `feed expected (${low}–${high} allowed)`,
        `  polls per feed → feeds: ${JSON.stringify(histogram)}`,
        ...off.map(
          ([id, n]) =>
            `  off: ${id} ${n} requests, at ${hits
              .filter(h => h.feed === id)
              .map(h => ((h.at - t0) / 1000).toFixed(1))
              .join(' ')} s`,
        ),
        ...gaps.map(g => `  ${g.host}: ${g.requests} requests, smallest gap ${g.min} ms`),
        `  schedulers: ${count}`,
      ].join('\n'),
    );

    expect(count).toBe(FEEDS);
    expect(schedulers.map(s => s.key).sort()).toEqual(feeds.map(f => `${SCHEDULER_PREFIX}${f.id}`));
    expect(off).toEqual([]);
    // The gate counts the interval from the later of a request's start and its end (Redis TIME, truncated to the
    // millisecond), and the server logs a request before it answers it, so the servers' gaps are at least the
    // interval less the two clocks' millisecond truncation.
    for (const g of gaps) expect(g.min, g.host).toBeGreaterThanOrEqual(POLITENESS_MS - 2);
    expect(log).toHaveLength(POLLERS * RESTARTS_EACH);
  });
});
