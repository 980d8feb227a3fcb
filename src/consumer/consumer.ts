import { hostname } from 'node:os';
import { Cluster, Redis } from 'ioredis';
import { createRedis, redisTargetFromEnv, type RedisClient, type RedisTarget } from '../store/redis.js';
import { keysFor } from '../store/keys.js';
import { createStoryStore } from '../store/story-store.js';
import { CONSUMER_DEFAULTS } from './defaults.js';
import { decodeEvent, fieldsToRecord, InvalidEventError, type StreamEvent } from './events.js';
import { createReader, type ArticleView, type StoryView } from './reader.js';

/**
 * A consumer-group client for the newsflow stream. Delivery is **at-least-once**: an entry is acknowledged
 * only after the handler resolved, so a crash between reading and acking makes another consumer (or this one,
 * restarted under the same name) handle it again. Handlers must be idempotent — key your side effects by
 * `streamId`, or by `event.storyId` + `event.type` + `event.articleId`.
 *
 * One loop per consumer, one entry at a time: run more consumers (processes, or several in one process under
 * different names) to go faster.
 */

export { CONSUMER_DEFAULTS };

export interface ConsumerMessage {
  /** The stream entry id, unique and increasing: a good idempotency key. */
  streamId: string;
  event: StreamEvent;
  /** The raw entry, including fields newer than this client. */
  fields: Readonly<Record<string, string>>;
  /** 1 on first delivery; more after a crash, a timeout or a failed attempt. */
  deliveryCount: number;
  /** Aborted when `stop()` runs out of patience; the entry then stays pending and is delivered again later. */
  signal: AbortSignal;
  /** The article the event is about: member metadata, its story, and the story's body. Null if gone. */
  article(): Promise<ArticleView | null>;
  /** The story the event is about, with every member and the representative's body. Null if gone. */
  story(): Promise<StoryView | null>;
}

export type MessageHandler = (message: ConsumerMessage) => unknown;

export interface ConsumerErrorInfo {
  phase: 'handler' | 'redis' | 'dead-letter';
  streamId?: string;
  deliveryCount?: number;
}

export interface ConsumerOptions {
  /** Consumer group name; created (MKSTREAM) at `startId` if it does not exist. */
  group: string;
  handler: MessageHandler;
  /**
   * A Redis URL, a cluster's seed nodes (`{ cluster: [{ host, port }] }`), or a client to copy settings from (the
   * consumer opens its own connection). Default: REDIS_CLUSTER_NODES, else REDIS_URL, else redis://127.0.0.1:6379.
   */
  redis?: RedisClient | RedisTarget;
  /** newsflow's key prefix (config `redis.keyPrefix`). Default `newsflow`. */
  prefix?: string;
  /** Default: newsflow's stream under `prefix`, `<prefix>:{stories}:articles`. */
  stream?: string;
  /** Default `<prefix>:{stories}:articles:dlq`: same hash tag as the stream (one MULTI moves an entry). */
  deadLetterStream?: string;
  /**
   * This consumer's name inside the group. Keep it stable across restarts (one per replica) so a restarted
   * consumer finds its own unacknowledged entries first. Default: the host name.
   */
  consumer?: string;
  /** Where a newly created group starts: `$` (only new events, default) or `0` (everything still in the stream). */
  startId?: string;
  /** Entries per read. */
  count?: number;
  /** How long one XREADGROUP waits for new entries. */
  blockMs?: number;
  /** An entry pending this long (on any consumer, this one included) is claimed and delivered again. Keep it above your slowest handler. */
  claimMinIdleMs?: number;
  /** How often to look for such entries. */
  claimIntervalMs?: number;
  /** An entry is handled at most this many times; then it moves to the dead-letter stream with the last error. */
  maxDeliveries?: number;
  deadLetterMaxLen?: number;
  /** Called for handler failures and Redis trouble. Default: one line on stderr. */
  onError?: (err: Error, info: ConsumerErrorInfo) => void;
}

export interface ConsumerStats {
  /** Handler invocations. */
  delivered: number;
  acked: number;
  /** XACKs that found the entry already acknowledged: another consumer claimed and finished it first. */
  ackMisses: number;
  failed: number;
  /** Entries taken over from idle consumers (or retried after a failure) via XAUTOCLAIM. */
  claimed: number;
  deadLettered: number;
  /** Pending entries whose stream entry was trimmed away before they were handled. */
  missing: number;
}

export interface Consumer {
  readonly name: string;
  readonly group: string;
  readonly stream: string;
  readonly deadLetterStream: string;
  /** Creates the group if needed and starts the loop; resolves once the loop runs. */
  start(): Promise<void>;
  /** Stops reading, lets the running handler finish (up to `timeoutMs`, then aborts it unacked), closes the connection. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  /** Settles when the loop has ended (after `stop()`). */
  readonly finished: Promise<void>;
  stats(): ConsumerStats;
}

/** Fields written to the dead-letter stream; docs/schema/dead-letter.json describes them. */
export interface DeadLetterFields {
  sourceStream: string;
  sourceId: string;
  group: string;
  consumer: string;
  deliveries: string;
  /** Short machine-readable class: the error's `code` or name, `invalid-event`, or `max-deliveries`. */
  reason: string;
  error: string;
  failedAt: string;
  /** The original entry's fields as JSON. */
  fields: string;
}

type Entry = [id: string, fields: string[] | null];

export function createConsumer(opts: ConsumerOptions): Consumer {
  const prefix = opts.prefix ?? CONSUMER_DEFAULTS.prefix;
  const keys = keysFor(prefix);
  const stream = opts.stream ?? keys.stream;
  const dlq = opts.deadLetterStream ?? keys.deadLetters;
  const group = opts.group;
  const name = opts.consumer ?? hostname();
  const count = opts.count ?? CONSUMER_DEFAULTS.count;
  const blockMs = opts.blockMs ?? CONSUMER_DEFAULTS.blockMs;
  const claimMinIdleMs = opts.claimMinIdleMs ?? CONSUMER_DEFAULTS.claimMinIdleMs;
  const claimIntervalMs = opts.claimIntervalMs ?? Math.min(CONSUMER_DEFAULTS.claimIntervalMs, claimMinIdleMs);
  const maxDeliveries = opts.maxDeliveries ?? CONSUMER_DEFAULTS.maxDeliveries;
  const dlqMaxLen = opts.deadLetterMaxLen ?? CONSUMER_DEFAULTS.deadLetterMaxLen;
  const onError = opts.onError ?? defaultOnError(group, name);
  if (!group) throw new TypeError('createConsumer: group is required');
  if (typeof opts.handler !== 'function') throw new TypeError('createConsumer: handler must be a function');
  if (!(maxDeliveries >= 1)) throw new TypeError('createConsumer: maxDeliveries must be at least 1');

  const stats: ConsumerStats = {
    delivered: 0,
    acked: 0,
    ackMisses: 0,
    failed: 0,
    claimed: 0,
    deadLettered: 0,
    missing: 0,
  };
  /** Last handler error per entry, so a dead letter carries the real reason even when claimed by a later pass. */
  const lastErrors = new Map<string, { reason: string; error: string }>();
  const abort = new AbortController();
  let conn: RedisClient | undefined;
  let reader: ReturnType<typeof createReader> | undefined;
  let stopping = false;
  let blocking = false;
  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  let resolveFinished!: () => void;
  let rejectFinished!: (err: unknown) => void;
  const finished = new Promise<void>((res, rej) => {
    resolveFinished = res;
    rejectFinished = rej;
  });
  // Nobody may be listening to `finished`; its rejection is also surfaced through onError.
  finished.catch(() => undefined);

  function connect(): RedisClient {
    const r = opts.redis;
    // Our own connection: XREADGROUP BLOCK holds it, and stop() may cut it to end a block early.
    const own =
      r instanceof Redis
        ? r.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })
        : r instanceof Cluster
          ? r.duplicate([], {
              enableOfflineQueue: true,
              redisOptions: { ...r.options.redisOptions, maxRetriesPerRequest: null },
            })
          : createRedis(r ?? redisTargetFromEnv() ?? 'redis://127.0.0.1:6379', 'worker');
    own.on('error', () => undefined);
    reader = createReader(createStoryStore(own, keys, { streamMaxLen: 1 }));
    return own;
  }

  async function ensureGroup(c: RedisClient): Promise<void> {
    try {
      await c.xgroup('CREATE', stream, group, opts.startId ?? CONSUMER_DEFAULTS.startId, 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  async function read(c: RedisClient, id: string, block: number | null): Promise<Entry[]> {
    const args: (string | number)[] = ['GROUP', group, name, 'COUNT', count];
    if (block !== null) args.push('BLOCK', block);
    args.push('STREAMS', stream, id);
    blocking = block !== null;
    try {
      const reply = (await c.call('XREADGROUP', ...args)) as [string, Entry[]][] | null;
      return reply?.[0]?.[1] ?? [];
    } finally {
      blocking = false;
    }
  }

  /** Delivery counts of entries now pending on this consumer (XREADGROUP does not return them). */
  async function deliveryCounts(c: RedisClient, entries: Entry[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (entries.length === 0) return out;
    const reply = (await c.call(
      'XPENDING',
      stream,
      group,
      entries[0]![0],
      entries[entries.length - 1]![0],
      entries.length,
      name,
    )) as [string, string, number, number][];
    for (const [id, , , n] of reply) out.set(id, Number(n));
    return out;
  }

  async function ack(c: RedisClient, id: string): Promise<void> {
    lastErrors.delete(id);
    const n = await c.xack(stream, group, id);
    if (n === 1) stats.acked++;
    else stats.ackMisses++;
  }

  async function deadLetter(
    c: RedisClient,
    id: string,
    fields: Record<string, string>,
    deliveries: number,
    why: { reason: string; error: string },
  ): Promise<void> {
    const letter: DeadLetterFields = {
      sourceStream: stream,
      sourceId: id,
      group,
      consumer: name,
      deliveries: String(deliveries),
      reason: why.reason,
      error: why.error.slice(0, 2000),
      failedAt: new Date().toISOString(),
      fields: JSON.stringify(fields),
    };
    // Both or neither: the entry leaves the group's pending list exactly when its dead letter exists.
    await c
      .multi()
      .xadd(dlq, 'MAXLEN', '~', dlqMaxLen, '*', ...Object.entries(letter).flat<[string, string][]>())
      .xack(stream, group, id)
      .exec();
    lastErrors.delete(id);
    stats.deadLettered++;
    onError(new Error(`dead-lettered ${id} after ${deliveries} deliveries: ${why.reason}: ${why.error}`), {
      phase: 'dead-letter',
      streamId: id,
      deliveryCount: deliveries,
    });
  }

  async function handle(c: RedisClient, entry: Entry, deliveryCount: number): Promise<void> {
    const [id, flat] = entry;
    if (!flat) {
      // Trimmed from the stream while pending: nothing left to deliver.
      stats.missing++;
      await ack(c, id);
      return;
    }
    const fields = fieldsToRecord(flat);
    if (deliveryCount > maxDeliveries) {
      await deadLetter(
        c,
        id,
        fields,
        deliveryCount,
        lastErrors.get(id) ?? {
          reason: 'max-deliveries',
          error: `delivered ${deliveryCount} times without an ack (handler crashed, hung or timed out)`,
        },
      );
      return;
    }
    let event: StreamEvent;
    try {
      event = decodeEvent(fields);
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      await deadLetter(c, id, fields, deliveryCount, { reason: 'invalid-event', error: err.message });
      return;
    }
    stats.delivered++;
    try {
      await opts.handler({
        streamId: id,
        event,
        fields,
        deliveryCount,
        signal: abort.signal,
        article: () => reader!.article(event.articleId),
        story: () => reader!.story(event.storyId),
      });
    } catch (thrown) {
      stats.failed++;
      const err = thrown instanceof Error ? thrown : new Error(String(thrown));
      const why = { reason: reasonOf(thrown), error: err.message || err.name };
      onError(err, { phase: 'handler', streamId: id, deliveryCount });
      if (deliveryCount >= maxDeliveries) {
        await deadLetter(c, id, fields, deliveryCount, why);
      } else {
        // Left pending: XAUTOCLAIM hands it out again once it has been idle for claimMinIdleMs.
        if (lastErrors.size > 10_000) lastErrors.clear();
        lastErrors.set(id, why);
      }
      return;
    }
    await ack(c, id);
  }

  async function handleBatch(
    c: RedisClient,
    entries: Entry[],
    counts: Map<string, number> | null,
  ): Promise<void> {
    for (const entry of entries) {
      if (stopping) return;
      await handle(c, entry, counts ? (counts.get(entry[0]) ?? 1) : 1);
    }
  }

  async function loop(c: RedisClient): Promise<void> {
    let failures = 0;
    let phase: 'own-pending' | 'live' = 'own-pending';
    let pendingCursor = '0-0';
    let claimCursor = '0-0';
    let nextClaimAt = 0;
    while (!stopping) {
      try {
        if (phase === 'own-pending') {
          // After a restart, first finish what this consumer read but never acknowledged.
          const entries = await read(c, pendingCursor, null);
          if (entries.length === 0) phase = 'live';
          else {
            pendingCursor = entries[entries.length - 1]![0];
            await handleBatch(c, entries, await deliveryCounts(c, entries));
          }
        } else if (Date.now() >= nextClaimAt) {
          const reply = (await c.call(
            'XAUTOCLAIM',
            stream,
            group,
            name,
            claimMinIdleMs,
            claimCursor,
            'COUNT',
            count,
          )) as [string, (Entry | null)[], string[]?];
          claimCursor = reply[0];
          const entries = reply[1].filter((e): e is Entry => Array.isArray(e));
          // Redis 7 drops trimmed entries from the pending list itself and names them here.
          stats.missing += reply[2]?.length ?? 0;
          stats.claimed += entries.length;
          await handleBatch(c, entries, await deliveryCounts(c, entries));
          nextClaimAt = claimCursor === '0-0' ? Date.now() + claimIntervalMs : 0;
        } else {
          const block = Math.max(1, Math.min(blockMs, nextClaimAt - Date.now()));
          await handleBatch(c, await read(c, '>', block), null);
        }
        failures = 0;
      } catch (err) {
        if (stopping) break;
        const e = err as Error;
        if (String(e.message).startsWith('NOGROUP')) {
          // The stream or group was deleted under us: recreate and go on.
          await ensureGroup(c).catch(() => undefined);
        }
        onError(e, { phase: 'redis' });
        failures++;
        await sleep(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  }

  return {
    name,
    group,
    stream,
    deadLetterStream: dlq,
    finished,
    stats: () => ({ ...stats }),
    start() {
      started ??= (async () => {
        const c = connect();
        conn = c;
        await ensureGroup(c);
        loop(c)
          .finally(() => c.disconnect())
          .then(resolveFinished, rejectFinished);
      })();
      return started;
    },
    stop({ timeoutMs = CONSUMER_DEFAULTS.stopTimeoutMs } = {}) {
      stopped ??= stopLoop(timeoutMs);
      return stopped;
    },
  };

  async function stopLoop(timeoutMs: number): Promise<void> {
    stopping = true;
    if (!started) {
      resolveFinished();
      return;
    }
    await started.catch(() => undefined);
    // A blocked read holds nothing we need: entries it returns after this are still pending on us.
    if (blocking) conn?.disconnect();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      finished.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>(res => (timer = setTimeout(() => res(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      abort.abort(new Error('consumer stopping'));
      conn?.disconnect();
    }
  }
}

/** A short, groupable class for the dead-letter `reason` field. */
export function reasonOf(thrown: unknown): string {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) return code;
    return thrown.name || 'Error';
  }
  return 'non-error-thrown';
}

function defaultOnError(group: string, name: string) {
  return (err: Error, info: ConsumerErrorInfo): void => {
    const where = info.streamId ? ` entry ${info.streamId} (delivery ${info.deliveryCount ?? '?'})` : '';
    process.stderr.write(`newsflow consumer ${group}/${name}: ${info.phase}${where}: ${err.message}\n`);
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}
