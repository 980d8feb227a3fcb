import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../helpers/redis.js';
import { checkInvariant, waitForDrain } from './lib/checker.js';
import { faultPrefix, faultService, startCluster } from './lib/cluster.js';
import { startSyntheticSite } from './lib/synthetic-site.js';

/**
 * Issue 8, scenario 6: consumer crash and poison entries (the delivery issue's cases) under load. The pipeline
 * (one poller, one extractor) publishes a few hundred stories from the synthetic site while three consumer
 * processes of one group read them (tests/faults/child/stream-consumer.mjs, on the built package entry). While
 * events flow, a consumer is SIGKILLed in the middle of a handler again and again and restarted — half the time
 * under its old name (it must find its own pending entry first), half under a new one (the dead name's entry
 * must be claimed by the others). Two bad entries are added to the stream: an event whose article does not exist
 * (the handler throws on every delivery) and an entry that is not an event at all.
 *
 * Asserted: every event the pipeline published was handled to the end by some consumer at least once and
 * acknowledged (nothing pending, no lag), the poison event is in the dead letters with the handler's error after
 * exactly `maxDeliveries` deliveries, the undecodable entry at once as `invalid-event`, neither was ever
 * acknowledged as handled, and the pipeline's own invariant holds.
 */

const CHILD = fileURLToPath(new URL('./child/stream-consumer.mjs', import.meta.url));
const STORIES = 200;
const CONSUMERS = 3;
const KILLS = 10;
const MAX_DELIVERIES = 3;
const GROUP = 'crash-app';

interface Begin {
  id: string;
  n: number;
  c: string;
}

interface ConsumerProc {
  name: string;
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  /** Resolves on this process' next handler start for an entry `accept` accepts. */
  nextBegin(accept: (b: Begin) => boolean, timeoutMs: number): Promise<boolean>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

async function until(cond: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function fields(flat: string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  return f;
}

describe('fault: consumer crashes and poison entries under load', () => {
  it('every published event is handled and acked; poison ends in the dead letters after maxDeliveries', async () => {
    const site = await startSyntheticSite({ count: STORIES });
    cleanups.push(() => site.close());
    const { prefix, redis, keys } = faultPrefix('faults-consumer', cleanups);
    const handledFile = join(mkdtempSync(join(tmpdir(), 'nf-handled-')), 'handled.jsonl');

    const begins: Begin[] = [];
    const procs: ConsumerProc[] = [];
    const startConsumer = (name: string): ConsumerProc => {
      const child = spawn(
        process.execPath,
        [CHILD, testRedisUrl(), prefix, GROUP, name, handledFile, String(MAX_DELIVERIES)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stderr.resume();
      let onReady!: () => void;
      const ready = new Promise<void>(r => (onReady = r));
      let waiter: { accept: (b: Begin) => boolean; done: (ok: boolean) => void } | null = null;
      createInterface({ input: child.stdout }).on('line', line => {
        const msg = JSON.parse(line) as { ready?: string; begin?: string; n?: number };
        if (msg.ready) onReady();
        if (msg.begin) {
          const begin = { id: msg.begin, n: msg.n ?? 0, c: name };
          begins.push(begin);
          if (waiter?.accept(begin)) {
            waiter.done(true);
            waiter = null;
          }
        }
      });
      const exited = new Promise<void>(r => child.once('exit', () => r()));
      const proc: ConsumerProc = {
        name,
        child,
        ready,
        exited,
        nextBegin: (accept, timeoutMs) =>
          new Promise<boolean>(done => {
            const timer = setTimeout(() => {
              waiter = null;
              done(false);
            }, timeoutMs);
            waiter = {
              accept,
              done: ok => {
                clearTimeout(timer);
                done(ok);
              },
            };
          }),
      };
      procs.push(proc);
      return proc;
    };
    cleanups.push(async () => {
      for (const p of procs) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      }
      await Promise.all(procs.map(p => p.exited));
    });

    // Consumers first (the group starts at 0 either way), then the pipeline.
    let live = Array.from({ length: CONSUMERS }, (_, i) => startConsumer(`c${i}`));
    await Promise.all(live.map(p => p.ready));
    const port = Number(new URL(site.origin).port);
    const cluster = startCluster(faultService({ redisUrl: testRedisUrl(), prefix, ports: [port] }), [
      { id: 'synthetic', url: site.feedUrl },
    ]);
    cleanups.push(() => cluster.killAll());
    cluster.spawn('poller');
    cluster.spawn('extractor');

    // Once events flow, two bad entries join the stream: an event about an article that does not exist, and
    // an entry missing most of the event's fields.
    await until(async () => (await redis.xlen(keys.stream)) >= 10, 'the first events', 60_000);
    const now = new Date().toISOString();
    const ghost = `poison${randomUUID().replaceAll('-', '')}`;
    const poisonId = (await redis.xadd(
      keys.stream,
      '*',
      ...['type', 'story.created', 'storyId', ghost, 'articleId', ghost],
      ...['url', 'https://gone.example/poison', 'version', '1', 'at', now],
    ))!;
    const invalidId = (await redis.xadd(
      keys.stream,
      '*',
      'type',
      'story.created',
      'url',
      'https://x.example/',
    ))!;
    const injected = new Set([poisonId, invalidId]);

    // Kill a consumer while its handler is busy with a real event's first delivery, round robin, until KILLS kills have landed
    // inside a handler (a consumer idle for 4 s is killed too, and counted apart); restart it at once under its
    // old name every other time, under a new name otherwise. Restarts are not awaited: the next kill is another
    // consumer's, and a consumer is not chosen before it is ready.
    let kills = 0;
    let landed = 0;
    const killedAt: string[] = [];
    const tKills = Date.now();
    while (landed < KILLS && kills < 2 * KILLS) {
      await sleep(200 + Math.random() * 300);
      const i = kills % CONSUMERS;
      const victim = live[i]!;
      await victim.ready;
      // First deliveries only: killing every delivery of one entry would make it a crash loop, which the consumer
      // rightly dead-letters as max-deliveries.
      const busy = await victim.nextBegin(b => b.n === 1 && !injected.has(b.id), 4_000);
      victim.child.kill('SIGKILL');
      killedAt.push(`${Number(await redis.xlen(keys.stream))}${busy ? '' : '(idle)'}`);
      await victim.exited;
      kills++;
      if (busy) landed++;
      const next = startConsumer(kills % 2 === 0 ? victim.name : `c${i}-r${kills}`);
      live = live.map(p => (p === victim ? next : p));
    }
    const published = Number(await redis.xlen(keys.stream));
    const killMs = Date.now() - tKills;

    // The pipeline drains; then the group catches up: no lag, nothing pending, both bad entries dead-lettered.
    expect(await waitForDrain(redis, keys, { timeoutMs: 90_000, settleMs: 2_000 })).toBe(true);
    const group = async (): Promise<Record<string, unknown>> => {
      const groups = (await redis.call('XINFO', 'GROUPS', keys.stream)) as unknown[][];
      const g = groups.find(x => x[x.indexOf('name') + 1] === GROUP) ?? [];
      const out: Record<string, unknown> = {};
      for (let i = 0; i + 1 < g.length; i += 2) out[String(g[i])] = g[i + 1];
      return out;
    };
    await until(
      async () => {
        const g = await group();
        return g.pending === 0 && g.lag === 0 && (await redis.xlen(keys.deadLetters)) >= 2;
      },
      'the group to catch up',
      60_000,
    );
    await Promise.all(
      live.map(p => {
        p.child.kill('SIGTERM');
        return p.exited;
      }),
    );

    const entries = await redis.xrange(keys.stream, '-', '+');
    const events = entries.filter(([id]) => !injected.has(id));
    const handled = new Map<string, number>();
    const lines = existsSync(handledFile)
      ? readFileSync(handledFile, 'utf8').split('\n').filter(Boolean)
      : [];
    for (const line of lines) {
      const { id } = JSON.parse(line) as { id: string };
      handled.set(id, (handled.get(id) ?? 0) + 1);
    }
    const unhandled = events.filter(([id]) => !handled.has(id)).map(([id]) => id);
    const handledTwice = [...handled.values()].filter(n => n > 1).length;
    const redelivered = new Set(begins.filter(b => b.n > 1 && !injected.has(b.id)).map(b => b.id));
    const letters = (await redis.xrange(keys.deadLetters, '-', '+')).map(([, f]) => fields(f));
    const g = await group();
    const pending = (await redis.xpending(keys.stream, GROUP)) as [number, ...unknown[]];
    const report = await checkInvariant(redis, keys, cluster.historyFile);
    console.info(
      [
        `consumer crash: ${events.length} events published (${report.stored} articles stored), ${kills} SIGKILLs ` +
          `(${landed} inside a handler), ${redelivered.size} events delivered again, ${handledTwice} handled ` +
          `to the end twice; kills over ${(killMs / 1000).toFixed(1)} s at stream lengths ${killedAt.join(' ')}, ` +
          `${published} entries when they ended`,
        `  group: pending ${String(g.pending)}, lag ${String(g.lag)}, consumers ${String(g.consumers)}`,
        ...letters.map(
          l => `  dead letter ${l.sourceId}: ${l.reason} after ${l.deliveries} deliveries — ${l.error}`,
        ),
        `  poison handler runs: ${begins
          .filter(b => b.id === poisonId)
          .map(b => `${b.c}#${b.n}`)
          .join(', ')}`,
      ].join('\n'),
    );

    expect(report.violations).toEqual([]);
    expect(report.stored).toBe(STORIES);
    expect(events.length).toBeGreaterThanOrEqual(STORIES);
    // The kills hit handlers at work, and what they held came back.
    expect(landed).toBe(KILLS);
    expect(redelivered.size).toBeGreaterThan(0);

    expect(unhandled).toEqual([]);
    expect(Number(pending[0])).toBe(0);
    expect(g.lag).toBe(0);
    expect(g['last-delivered-id']).toBe(entries[entries.length - 1]![0]);

    expect(letters).toHaveLength(2);
    const poison = letters.find(l => l.sourceId === poisonId);
    expect(poison).toMatchObject({
      group: GROUP,
      reason: 'E_NO_ARTICLE',
      deliveries: String(MAX_DELIVERIES),
      error: `no article ${ghost}`,
    });
    expect(JSON.parse(poison?.fields ?? '{}')).toMatchObject({ articleId: ghost, type: 'story.created' });
    expect(begins.filter(b => b.id === poisonId).map(b => b.n)).toEqual(
      Array.from({ length: MAX_DELIVERIES }, (_, i) => i + 1),
    );
    expect(letters.find(l => l.sourceId === invalidId)).toMatchObject({
      reason: 'invalid-event',
      deliveries: '1',
    });
    expect(begins.filter(b => b.id === invalidId)).toEqual([]);
    expect(handled.has(poisonId) || handled.has(invalidId)).toBe(false);
  });
});
