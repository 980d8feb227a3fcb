/**
 * Polling: N feeds on a local server that honours If-None-Match, polled by `newsflow start --role poller`
 * processes the way production polls them. The first pass is the service's own start: the reconciler creates
 * one job scheduler per feed, a feed never polled is due at once, and every poll stores the feed's ETag. The
 * measured pass then queues one poll job per feed (what a scheduler tick of due feeds, or `run --once`,
 * queues) and times until every job has counted its outcome; every answer is a 304, so the pass measures the
 * conditional GET path: feed state, lock, politeness gate, request, next-poll arithmetic, state write.
 */
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { serviceSchema } from '../../src/config/schema.js';
import { feedKeys, keysFor, QUEUE, statsKey } from '../../src/store/keys.js';
import { pollJobOptions, type PollJobData } from '../../src/pipeline/queues.js';
import { createRedis, deleteByPattern, waitReady } from '../../src/store/redis.js';
import { processCpu } from '../lib/proc.js';
import { benchService, startRole, writeConfig, type RoleProc } from '../lib/roles.js';

export interface PollingOptions {
  redis: Redis;
  redisUrl: string;
  feeds: number;
  pollers: number;
  /** Give up on a pass after this long. */
  timeoutMs: number;
  say: (line: string) => void;
}

export interface PollingResult {
  feeds: number;
  pollers: number;
  concurrencyPerPoller: number;
  firstPass: { seconds: number; pollsPerS: number; withValidators: number; complete: boolean };
  conditionalPass: {
    seconds: number;
    pollsPerS: number;
    enqueueS: number;
    notModified: number;
    otherOutcomes: Record<string, number>;
    served304: number;
    served200: number;
    complete: boolean;
    /** CPU of the poller processes during the pass, per poll. */
    pollerCpuMsPerPoll: number | null;
    /** Polls per CPU-second of the poller processes. */
    pollsPerPollerCpuS: number | null;
    /** Redis server CPU during the pass, per poll (the Redis is shared: an upper bound). */
    redisCpuMsPerPoll: number | null;
  };
  /** One `getJobSchedulers(0, -1)` — what the reconciler reads every loop (5 s) — at this many feeds. */
  reconcileReadMs: number;
}

interface FeedServer {
  origin: string;
  counts: { ok: number; notModified: number };
  close(): Promise<void>;
}

const LAST_MODIFIED = 'Sun, 01 Nov 2026 10:00:00 GMT';

function feedBody(i: number, origin: string): string {
  // Items carry guids but no links: the first pass marks them seen without queueing article jobs.
  const items = [0, 1, 2]
    .map(
      k =>
        `<item><title>Feed ${i} item ${k}</title><guid isPermaLink="false">f${i}-${k}</guid>` +
        `<pubDate>Sun, 0${1 + k} Nov 2026 10:00:00 GMT</pubDate><description>Item ${k} of feed ${i}.</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${i}</title><link>${origin}/</link>${items}</channel></rss>`;
}

async function startFeedServer(): Promise<FeedServer> {
  const counts = { ok: 0, notModified: 0 };
  let origin = '';
  const server: Server = createServer((req, res) => {
    const m = /^\/f\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const etag = `"f${m[1]}-v1"`;
    if (req.headers['if-none-match'] === etag) {
      counts.notModified++;
      res.writeHead(304, { etag, 'last-modified': LAST_MODIFIED }).end();
      return;
    }
    counts.ok++;
    res.writeHead(200, {
      'content-type': 'application/rss+xml',
      etag,
      'last-modified': LAST_MODIFIED,
    });
    res.end(feedBody(Number(m[1]), origin));
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const addr = server.address();
  origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    origin,
    counts,
    close: () =>
      new Promise<void>(done => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function redisCpuS(redis: Redis): Promise<number | null> {
  const info = await redis.info('cpu');
  const user = /^used_cpu_user:([\d.]+)/m.exec(info)?.[1];
  const sys = /^used_cpu_sys:([\d.]+)/m.exec(info)?.[1];
  return user && sys ? Number(user) + Number(sys) : null;
}

async function outcomeCounts(redis: Redis, key: string): Promise<Record<string, number>> {
  const all = await redis.hgetall(key);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith('feed.poll.')) out[k.slice('feed.poll.'.length)] = Number(v);
  }
  return out;
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((s, x) => s + x, 0);

export async function runPolling(o: PollingOptions): Promise<PollingResult> {
  const server = await startFeedServer();
  const prefix = `newsflow-bench-${process.pid}-poll`;
  const keys = keysFor(prefix);
  const port = Number(new URL(server.origin).port);
  const feeds = Array.from({ length: o.feeds }, (_, i) => ({
    id: `f${i}`,
    url: `${server.origin}/f/${i}.xml`,
  }));
  const service = benchService({ redisUrl: o.redisUrl, prefix, ports: [port] });
  const configDir = writeConfig(service, feeds);
  const procs: RoleProc[] = [];
  const producer = createRedis(o.redisUrl, 'producer');
  const queue = new Queue<PollJobData>(QUEUE.poll, { connection: producer, prefix: keys.bullPrefix });
  const stats = statsKey(keys);
  try {
    await waitReady(producer);
    const t0 = Date.now();
    for (let i = 0; i < o.pollers; i++) procs.push(startRole('poller', configDir));
    await Promise.all(procs.map(p => p.started));

    // First pass: every feed answers 200 with its ETag.
    let firstDone = false;
    let lastReport = Date.now();
    while (Date.now() - t0 < o.timeoutMs) {
      const c = await outcomeCounts(o.redis, stats);
      if (sum(c) >= o.feeds) {
        firstDone = true;
        break;
      }
      if (Date.now() - lastReport > 15_000) {
        o.say(`  … first pass: ${sum(c)} / ${o.feeds} polled`);
        lastReport = Date.now();
      }
      await new Promise(r => setTimeout(r, 100));
    }
    const firstS = (Date.now() - t0) / 1000;
    const withValidators = await countWithEtag(
      o.redis,
      keys,
      feeds.map(f => f.id),
    );
    await settle(queue);

    // The measured pass: one poll job per feed, all answered 304.
    const before = await outcomeCounts(o.redis, stats);
    const served0 = { ...server.counts };
    const cpu0 = procs.map(p => processCpu(p.pid));
    const r0 = await redisCpuS(o.redis);
    const run = Date.now().toString(36);
    const t1 = Date.now();
    for (let i = 0; i < feeds.length; i += 1000) {
      await queue.addBulk(
        feeds.slice(i, i + 1000).map(f => ({
          name: 'poll',
          data: { feedId: f.id },
          opts: { ...pollJobOptions, jobId: `bench-${run}-${f.id}` },
        })),
      );
    }
    const enqueueS = (Date.now() - t1) / 1000;
    let after = before;
    let complete = false;
    while (Date.now() - t1 < o.timeoutMs) {
      after = await outcomeCounts(o.redis, stats);
      if (sum(after) - sum(before) >= o.feeds) {
        complete = true;
        break;
      }
      await new Promise(r => setTimeout(r, 50));
    }
    const passS = (Date.now() - t1) / 1000;
    const cpu1 = procs.map(p => processCpu(p.pid));
    const r1 = await redisCpuS(o.redis);
    const reconcileReadMs = await timeReconcileRead(queue);

    const delta: Record<string, number> = {};
    for (const [k, v] of Object.entries(after)) {
      const d = v - (before[k] ?? 0);
      if (d) delta[k] = d;
    }
    const notModified = delta['not-modified'] ?? 0;
    const { ['not-modified']: _nm, ...otherOutcomes } = delta;
    const pollerCpu = cpu0.every((c, i) => c !== null && cpu1[i] !== null)
      ? cpu1.reduce<number>((s, c, i) => s + (c ?? 0) - (cpu0[i] ?? 0), 0)
      : null;
    const polls = sum(delta);
    return {
      feeds: o.feeds,
      pollers: o.pollers,
      concurrencyPerPoller: serviceSchema.parse(service).poller.concurrency,
      firstPass: {
        seconds: firstS,
        pollsPerS: o.feeds / firstS,
        withValidators,
        complete: firstDone,
      },
      conditionalPass: {
        seconds: passS,
        pollsPerS: polls / passS,
        enqueueS,
        notModified,
        otherOutcomes,
        served304: server.counts.notModified - served0.notModified,
        served200: server.counts.ok - served0.ok,
        complete,
        pollerCpuMsPerPoll: pollerCpu !== null && polls ? (pollerCpu * 1000) / polls : null,
        pollsPerPollerCpuS: pollerCpu ? polls / pollerCpu : null,
        redisCpuMsPerPoll: r0 !== null && r1 !== null && polls ? ((r1 - r0) * 1000) / polls : null,
      },
      reconcileReadMs,
    };
  } finally {
    await Promise.all(procs.map(p => p.stop(10_000)));
    await queue.close();
    producer.disconnect();
    await server.close();
    await deleteByPattern(o.redis, `${prefix}:*`);
    rmSync(configDir, { recursive: true, force: true });
  }
}

async function countWithEtag(redis: Redis, keys: ReturnType<typeof keysFor>, ids: string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const id of ids.slice(i, i + 1000)) pipe.hget(feedKeys(keys, id).state, 'etag');
    for (const [, v] of (await pipe.exec()) ?? []) if (v) n++;
  }
  return n;
}

/** Waits until no poll job is waiting or running (scheduler jobs that found their feed not due finish fast). */
async function settle(queue: Queue): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
    if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0) return;
    await new Promise(r => setTimeout(r, 200));
  }
}

async function timeReconcileRead(queue: Queue): Promise<number> {
  const t0 = performance.now();
  await queue.getJobSchedulers(0, -1);
  return performance.now() - t0;
}
