import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { articleJobId, articleJobOptions, type ArticleJobData } from '../../../src/pipeline/queues.js';
import { keysFor, QUEUE } from '../../../src/store/keys.js';
import { createRedis } from '../../../src/store/redis.js';
import { CLI, spawnCli, writeConfigDir } from '../../helpers/cli.js';
import { startHostileServer, type HostileServer } from '../../helpers/hostile-server.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

/**
 * Politeness across processes: two real extractor processes (`newsflow start --role extractor`, the built CLI)
 * share one host's gate through Redis. Twenty article jobs for that host: the host sees its requests at least
 * 950 ms apart and never two at once, and no job fails or spends an attempt because of the gate (the gate
 * delays jobs in BullMQ with moveToDelayed + DelayedError).
 */
const JOBS = 20;
const ATTEMPTS = 3;

function articleHtml(n: number): string {
  const words = [
    'harbor',
    'crane',
    'freight',
    'council',
    'budget',
    'rail',
    'ferry',
    'tariff',
    'quay',
    'depot',
  ];
  const paras = Array.from({ length: 8 }, (_, p) => {
    const w = (i: number): string => words[(n * 7 + p * 3 + i) % words.length]!;
    return `<p>Report ${n}, part ${p}: the ${w(0)} committee met the ${w(1)} operators to discuss the ${w(2)} plan, and the ${w(3)} office said the ${w(4)} figures for item ${n}-${p} would be published after the ${w(5)} review in district ${n}.</p>`;
  }).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test report ${n}</title></head><body><article><h1>Test report ${n}</h1>${paras}</article></body></html>`;
}

describe.skipIf(!existsSync(CLI))('politeness across two worker processes', () => {
  let server: HostileServer;
  let redis: Redis;
  let queue: Queue<ArticleJobData>;
  let producer: Redis;
  let configDir: string;
  const workers: ChildProcess[] = [];
  const prefix = testPrefix('polite');
  const starts: number[] = [];
  const robotsStarts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const pageHits = new Map<string, number>();

  beforeAll(async () => {
    server = await startHostileServer({
      routes: {
        '*': (req, res) => {
          const path = new URL(req.url ?? '/', 'http://x').pathname;
          const now = performance.now();
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          res.on('close', () => inFlight--);
          if (path === '/robots.txt') {
            robotsStarts.push(now);
            starts.push(now);
            res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
            return;
          }
          starts.push(now);
          pageHits.set(path, (pageHits.get(path) ?? 0) + 1);
          const n = Number(/^\/news\/(\d+)$/.exec(path)?.[1] ?? -1);
          // A little server time, so overlapping requests would be seen if the gate let them through.
          setTimeout(
            () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articleHtml(n)),
            50,
          );
        },
      },
    });
    redis = testRedis();
    producer = createRedis(testRedisUrl(), 'producer');
    const keys = keysFor(prefix);
    queue = new Queue<ArticleJobData>(QUEUE.extract, { connection: producer, prefix: keys.bullPrefix });
    configDir = writeConfigDir(
      {
        redis: { url: testRedisUrl(), keyPrefix: prefix },
        log: { level: 'info' },
        extractor: { concurrency: 4, attempts: ATTEMPTS },
        fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [server.port] },
      },
      [],
    );
    // Both workers start at once. Their start-up (loading the whole CLI) is most of this file's time, and on a
    // loaded machine it can take tens of seconds: the hook and the test get their own generous timeouts.
    await Promise.all(
      [0, 1].map(async i => {
        const child = spawnCli(['start', '--role', 'extractor', '--config', configDir]);
        workers.push(child);
        let out = '';
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`worker ${i} did not start:\n${out}`)), 120_000);
          const onData = (d: Buffer): void => {
            out += String(d);
            if (out.includes('newsflow started')) {
              clearTimeout(timer);
              resolve();
            }
          };
          child.stdout?.on('data', onData);
          child.stderr?.on('data', onData);
          child.once('exit', code => reject(new Error(`worker ${i} exited ${code}:\n${out}`)));
        });
      }),
    );
  }, 150_000);

  afterAll(async () => {
    for (const w of workers) {
      if (w.exitCode === null) {
        w.kill('SIGTERM');
        const exited = once(w, 'exit');
        const timer = setTimeout(() => w.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    }
    await queue?.close();
    producer?.disconnect();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await server?.close();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  }, 60_000);

  it('spaces requests ≥ 950 ms, never overlaps them, and costs no job an attempt', async () => {
    const at = new Date().toISOString();
    const data: ArticleJobData[] = Array.from({ length: JOBS }, (_, i) => {
      const url = server.url(`/news/${i}`);
      const urlKey = canonicalUrlKey(url)!;
      return {
        url,
        urlKey,
        urlHash: hashKey(urlKey),
        feed: { id: 'polite-test', url: server.url('/feed.xml') },
        item: { title: `Test report ${i}` },
        enqueuedAt: at,
      };
    });
    const jobs = await queue.addBulk(
      data.map(d => ({
        name: 'article',
        data: d,
        opts: { ...articleJobOptions(ATTEMPTS), jobId: articleJobId(d.urlHash) },
      })),
    );
    const ids = jobs.map(j => j.id!);

    const deadline = Date.now() + 120_000;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(ids.map(id => queue.getJobState(id)));
      if (states.every(s => s === 'completed' || s === 'failed')) break;
      await new Promise(r => setTimeout(r, 250));
    }
    const finished = await Promise.all(ids.map(id => queue.getJob(id)));
    const summary = finished.map(j => ({
      state: states[finished.indexOf(j)],
      outcome: (j?.returnvalue as { outcome?: string } | undefined)?.outcome,
      attemptsMade: j?.attemptsMade,
      attemptsStarted: j?.attemptsStarted,
      stacktrace: j?.stacktrace?.length ?? 0,
      failedReason: j?.failedReason,
    }));

    // Every job completed, none failed, none retried: no stack traces, at most the one successful attempt.
    expect(
      summary.filter(s => s.state !== 'completed'),
      JSON.stringify(summary),
    ).toEqual([]);
    expect(summary.filter(s => s.outcome === 'failed' || s.outcome === undefined)).toEqual([]);
    expect(summary.every(s => s.stacktrace === 0 && !s.failedReason && (s.attemptsMade ?? 9) <= 1)).toBe(
      true,
    );
    // The gate did defer jobs through BullMQ (a job started more than once without spending attempts).
    expect(summary.reduce((n, s) => n + (s.attemptsStarted ?? 0), 0)).toBeGreaterThan(JOBS);

    // The host's view: each page once, robots.txt once, ≥ 950 ms between request starts, never two at once.
    expect([...pageHits.values()]).toEqual(Array.from({ length: JOBS }, () => 1));
    expect(robotsStarts).toHaveLength(1);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);
    expect(maxInFlight).toBe(1);
    console.info(
      `politeness: ${starts.length} requests, min gap ${Math.round(Math.min(...gaps))} ms, ` +
        `max in flight ${maxInFlight}, job starts ${summary.reduce((n, s) => n + (s.attemptsStarted ?? 0), 0)} for ${JOBS} jobs`,
    );
  }, 150_000);
});
