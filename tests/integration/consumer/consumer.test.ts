import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createConsumer,
  type Consumer,
  type ConsumerMessage,
  type ConsumerOptions,
} from '../../../src/index.js';
import { keysFor, type Keys } from '../../../src/store/keys.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

const RUN_TS = fileURLToPath(new URL('./child/run-ts.mjs', import.meta.url));
const HANGING = fileURLToPath(new URL('./child/hanging-consumer.ts', import.meta.url));

let redis: Redis;
let prefix: string;
let keys: Keys;
const consumers: Consumer[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  redis = testRedis();
  prefix = testPrefix('consumer');
  keys = keysFor(prefix);
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(consumers.splice(0).map(c => c.stop({ timeoutMs: 2_000 })));
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function publish(n: number, tag = 'e'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const articleId = `${tag}${i}`;
    ids.push(
      (await redis.xadd(
        keys.stream,
        '*',
        ...['type', 'story.created', 'storyId', articleId, 'articleId', articleId],
        ...['url', `https://example.org/${articleId}`, 'version', '1', 'at', new Date().toISOString()],
      ))!,
    );
  }
  return ids;
}

interface Seen {
  id: string;
  articleId: string;
  deliveryCount: number;
  consumer: string;
  at: number;
}

function startConsumer(
  name: string,
  seen: Seen[],
  extra: Partial<ConsumerOptions> & { fail?: (m: ConsumerMessage) => boolean } = {},
): Consumer {
  const { fail, ...rest } = extra;
  const c = createConsumer({
    redis: testRedisUrl(),
    prefix,
    group: 'g',
    consumer: name,
    startId: '0',
    blockMs: 200,
    claimMinIdleMs: 1_500,
    claimIntervalMs: 100,
    onError: () => undefined,
    handler: m => {
      seen.push({
        id: m.streamId,
        articleId: m.event.articleId,
        deliveryCount: m.deliveryCount,
        consumer: name,
        at: Date.now(),
      });
      if (fail?.(m)) {
        throw Object.assign(new Error(`cannot handle ${m.event.articleId}`), { code: 'E_POISON' });
      }
    },
    ...rest,
  });
  consumers.push(c);
  return c;
}

async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

/** Starts the hanging consumer in a child process and resolves once it has read (and not acked) `expect` entries. */
async function hangingChild(
  name: string,
  expectDeliveries: number,
): Promise<{ child: ChildProcess; got: string[] }> {
  const child = spawn(process.execPath, [RUN_TS, HANGING, testRedisUrl(), prefix, 'g', name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const got: string[] = [];
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', code => reject(new Error(`child exited early (${code})`)));
    lines.on('line', line => {
      const msg = JSON.parse(line) as { got?: string };
      if (msg.got) got.push(msg.got);
      if (got.length >= expectDeliveries) resolve();
    });
  });
  return { child, got };
}

async function sigkill(child: ChildProcess): Promise<void> {
  const exited = new Promise(r => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function pendingCount(): Promise<number> {
  const summary = (await redis.xpending(keys.stream, 'g')) as [number, ...unknown[]];
  return Number(summary[0]);
}

describe('consumer client (real Redis)', () => {
  it('hands an entry read by a SIGKILLed consumer to another one after the idle time, acked once', async () => {
    const [id] = await publish(1);
    const { child, got } = await hangingChild('doomed', 1);
    expect(got).toEqual([id]);
    await sigkill(child);
    // How long ago Redis delivered it, measured by Redis (XPENDING idle), read together with our clock.
    const [row] = (await redis.xpending(keys.stream, 'g', '-', '+', 10)) as [
      string,
      string,
      number,
      number,
    ][];
    const deliveredAt = Date.now() - Number(row![2]);
    expect(row).toMatchObject([id, 'doomed', expect.any(Number), 1]);

    const seen: Seen[] = [];
    const rescuer = startConsumer('rescuer', seen, { claimMinIdleMs: 1_500 });
    await rescuer.start();
    await waitFor(() => seen.length === 1, 'the claimed entry');
    await waitFor(async () => (await pendingCount()) === 0, 'the ack');

    expect(seen[0]).toMatchObject({ id, deliveryCount: 2, consumer: 'rescuer' });
    // Redis hands it over only once it has been idle for claimMinIdleMs (less one XPENDING round trip of slack).
    expect(seen[0]!.at - deliveredAt).toBeGreaterThanOrEqual(1_500 - 100);
    expect(rescuer.stats()).toMatchObject({ claimed: 1, acked: 1, ackMisses: 0, deadLettered: 0 });
  });

  it('a consumer restarted under the same name reads its own pending entries first', async () => {
    const [first] = await publish(1, 'old');
    const { child } = await hangingChild('worker-1', 1);
    await sigkill(child);
    const later = await publish(2, 'new');

    const seen: Seen[] = [];
    // A long idle time: the old entry can only come back through this consumer's own pending list.
    const again = startConsumer('worker-1', seen, { claimMinIdleMs: 600_000 });
    await again.start();
    await waitFor(() => seen.length === 3, 'three deliveries');
    expect(seen.map(s => [s.id, s.deliveryCount])).toEqual([
      [first, 2],
      [later[0], 1],
      [later[1], 1],
    ]);
    await waitFor(async () => (await pendingCount()) === 0, 'all acked');
    expect(again.stats()).toMatchObject({ acked: 3, claimed: 0 });
  });

  it('moves a poison entry to the dead-letter stream after maxDeliveries, with the error', async () => {
    const ids = await publish(5);
    const poison = ids[2]!;
    const seen: Seen[] = [];
    const c = startConsumer('c1', seen, {
      maxDeliveries: 3,
      claimMinIdleMs: 100,
      claimIntervalMs: 50,
      fail: m => m.streamId === poison,
    });
    await c.start();
    await waitFor(async () => (await redis.xlen(keys.deadLetters)) === 1, 'a dead letter');
    await waitFor(async () => (await pendingCount()) === 0, 'nothing pending');

    const poisonDeliveries = seen.filter(s => s.id === poison).map(s => s.deliveryCount);
    expect(poisonDeliveries).toEqual([1, 2, 3]);
    for (const id of ids.filter(i => i !== poison)) expect(seen.filter(s => s.id === id)).toHaveLength(1);

    const letters = await redis.xrange(keys.deadLetters, '-', '+');
    expect(letters).toHaveLength(1);
    const flat = letters[0]![1];
    const letter: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) letter[flat[i]!] = flat[i + 1]!;
    expect(letter).toMatchObject({
      sourceStream: keys.stream,
      sourceId: poison,
      group: 'g',
      consumer: 'c1',
      deliveries: '3',
      reason: 'E_POISON',
      error: 'cannot handle e2',
    });
    expect(JSON.parse(letter.fields!)).toMatchObject({ articleId: 'e2', type: 'story.created' });
    expect(c.stats()).toMatchObject({ acked: 4, deadLettered: 1, failed: 3, ackMisses: 0 });
  });

  it('dead-letters malformed entries at once and crash-looping entries without calling the handler', async () => {
    await redis.xadd(keys.stream, '*', 'type', 'story.created', 'url', 'https://x.test/');
    const [looping] = await publish(1, 'loop');
    // Simulate an entry whose handlers keep crashing the process: read by a ghost, delivery count at 5 already.
    await redis.xgroup('CREATE', keys.stream, 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'ghost', 'COUNT', 10, 'STREAMS', keys.stream, '>');
    await redis.xclaim(keys.stream, 'g', 'ghost', 0, looping!, 'RETRYCOUNT', 5);

    const seen: Seen[] = [];
    const c = startConsumer('c1', seen, { maxDeliveries: 5, claimMinIdleMs: 1, claimIntervalMs: 50 });
    await c.start();
    await waitFor(async () => (await redis.xlen(keys.deadLetters)) === 2, 'two dead letters');
    expect(seen).toEqual([]);
    const reasons = (await redis.xrange(keys.deadLetters, '-', '+')).map(
      ([, f]) => f[f.indexOf('reason') + 1],
    );
    expect(reasons.sort()).toEqual(['invalid-event', 'max-deliveries']);
    expect(await pendingCount()).toBe(0);
  });

  it('every entry is handled and acked exactly once across consumers, even when one is SIGKILLed', async () => {
    const ids = await publish(60);
    // The child reads a first batch (COUNT 16), hangs on its first entry and is killed with all 16 unacked.
    const { child } = await hangingChild('victim', 1);
    await sigkill(child);

    const seen: Seen[] = [];
    const a = startConsumer('a', seen, { claimMinIdleMs: 1_000, count: 5 });
    const b = startConsumer('b', seen, { claimMinIdleMs: 1_000, count: 5 });
    const c = startConsumer('c', seen, { claimMinIdleMs: 1_000, count: 5 });
    await Promise.all([a.start(), b.start(), c.start()]);
    await waitFor(() => new Set(seen.map(s => s.id)).size === ids.length, 'all entries');
    await waitFor(async () => (await pendingCount()) === 0, 'no pending entries');

    expect(seen.map(s => s.id).sort()).toEqual([...ids].sort());
    const stats = [a, b, c].map(x => x.stats());
    expect(stats.reduce((n, s) => n + s.acked, 0)).toBe(ids.length);
    expect(stats.reduce((n, s) => n + s.ackMisses, 0)).toBe(0);
    expect(stats.reduce((n, s) => n + s.claimed, 0)).toBe(16);
    const groups = (await redis.call('XINFO', 'GROUPS', keys.stream)) as unknown[][];
    const g = groups[0]!;
    expect(g[g.indexOf('pending') + 1]).toBe(0);
    expect(g[g.indexOf('lag') + 1]).toBe(0);
  });

  it('stop() ends a blocked read at once and waits for a running handler before acking', async () => {
    const seen: Seen[] = [];
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const c = startConsumer('c1', seen, { blockMs: 10_000, handler: () => gate });
    await c.start();
    await publish(1);
    await waitFor(async () => (await pendingCount()) === 1, 'the delivery');
    const stopping = c.stop({ timeoutMs: 20_000 });
    await new Promise(r => setTimeout(r, 200));
    expect(await pendingCount()).toBe(1);
    release();
    await stopping;
    expect(await pendingCount()).toBe(0);
    expect(c.stats().acked).toBe(1);

    const idle = startConsumer('c2', seen, { blockMs: 10_000 });
    await idle.start();
    const t0 = Date.now();
    await idle.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('stop() gives up on a hung handler after its timeout and leaves the entry pending', async () => {
    let aborted = false;
    const seen: Seen[] = [];
    const c = startConsumer('c1', seen, {
      handler: m =>
        new Promise(() => {
          m.signal.addEventListener('abort', () => (aborted = true));
        }),
    });
    await c.start();
    await publish(1);
    await waitFor(async () => (await pendingCount()) === 1, 'the delivery');
    await c.stop({ timeoutMs: 300 });
    expect(aborted).toBe(true);
    expect(await pendingCount()).toBe(1);
    expect(c.stats().acked).toBe(0);
  });
});
