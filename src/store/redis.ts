import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import {
  isClusterTarget,
  parseClusterNodes,
  type ClusterTarget,
  type RedisTarget,
} from '../shared/redis-target.js';

export { ClusterNodesError, isClusterTarget, parseClusterNodes } from '../shared/redis-target.js';
export type { ClusterTarget, RedisTarget } from '../shared/redis-target.js';

/**
 * A connection to newsflow's Redis: one server, or a Redis Cluster (issue 18). The commands newsflow sends are
 * the same on both: every multi-key script, MULTI and multi-key read stays inside one hash tag (src/store/keys.ts).
 */
export type RedisClient = Redis | Cluster;

/**
 * The Redis named by the environment alone — REDIS_CLUSTER_NODES (comma-separated), else REDIS_URL — for entry
 * points without a config folder (the consumer client, eval and bench scripts); the service reads the same two
 * variables through its config (src/config/load.ts).
 */
export function redisTargetFromEnv(env: NodeJS.ProcessEnv = process.env): RedisTarget | null {
  const nodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map(n => n.trim())
    .filter(Boolean);
  if (nodes.length > 0) return parseClusterNodes(nodes);
  return env.REDIS_URL || null;
}

/** Where a target is, for messages: never a password. */
export function describeRedis(target: RedisTarget): string {
  if (!isClusterTarget(target)) return redactRedisUrl(target);
  const scheme = target.tls ? 'rediss' : 'redis';
  return `Redis Cluster ${target.cluster.map(n => `${scheme}://${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',')}`;
}

/** The primaries of a cluster (each a plain client of one node), or the one server. */
export function primaries(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/**
 * Connection roles, per BullMQ's production guide: workers must wait out Redis outages
 * (`maxRetriesPerRequest: null`); producers and request handlers fail fast instead of queueing commands.
 */
export type RedisRole = 'worker' | 'producer';

/**
 * How long a producer waits for a reply. A Redis that keeps the connection open but does not answer (stopped,
 * stalled, a half-open socket) never triggers a reconnect, so without it a request or an enqueue would hang
 * until Redis came back. Never on worker connections: their blocking commands wait on purpose.
 */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5_000;

/** Reconnect backoff: 1 s, then growing to 20 s. */
const reconnectDelay = (times: number): number => Math.max(Math.min(Math.exp(times), 20_000), 1_000);

export function createRedis(target: string, role: RedisRole, extra?: RedisOptions): Redis;
export function createRedis(target: RedisTarget, role: RedisRole, extra?: RedisOptions): RedisClient;
export function createRedis(target: RedisTarget, role: RedisRole, extra: RedisOptions = {}): RedisClient {
  const base: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 5_000,
          commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
        };
  const client = isClusterTarget(target)
    ? new Cluster(target.cluster, clusterOptions(target, role, { ...base, ...extra }))
    : new Redis(target, { ...base, retryStrategy: reconnectDelay, ...extra });
  // An unhandled 'error' event would crash the process; connection errors are retried and logged by callers.
  client.on('error', () => undefined);
  return client;
}

/**
 * The same roles on a cluster. The per-command rules (retries, timeouts) are each node connection's; the offline
 * queue and reconnects are the cluster client's. A failover shows as connection errors to the dead primary, then
 * CLUSTERDOWN or MOVED once its replica takes over: ioredis refreshes the slot map and retries the command after
 * `retryDelayOnFailover` / `retryDelayOnClusterDown`, up to `maxRedirections` times, so a worker waits a
 * failover out like an outage of one Redis (tests/faults/cluster-failover.test.ts measures it).
 */
function clusterOptions(target: ClusterTarget, role: RedisRole, node: RedisOptions): ClusterOptions {
  const { enableOfflineQueue, ...redisOptions } = node;
  return {
    redisOptions: {
      ...redisOptions,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    enableOfflineQueue: enableOfflineQueue ?? role === 'worker',
    enableReadyCheck: true,
    clusterRetryStrategy: reconnectDelay,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    // A failover takes the cluster's node timeout plus an election (seconds): keep redirecting that long.
    maxRedirections: 64,
    slotsRefreshTimeout: 2_000,
  };
}

/** Redis did not become ready in time (down, unreachable, still loading its data). */
export class RedisNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisNotReadyError';
  }
}

/** Producers are built with the offline queue disabled; wait until connected before the first command. */
export async function waitReady(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new RedisNotReadyError(`Redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolveReady();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/** Deletes every key matching a pattern, in batches; only for prefixes the caller owns. */
export async function deleteByPattern(client: RedisClient, pattern: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanKeys(client, pattern)) {
    if (client instanceof Cluster) {
      // One key per UNLINK: keys of one node may still lie in different slots.
      deleted += (await Promise.all(keys.map(k => client.unlink(k)))).reduce((a, b) => a + b, 0);
    } else {
      deleted += await client.unlink(...keys);
    }
  }
  return deleted;
}

/** Every key matching a pattern, in batches: SCAN on the one server, or on every primary of a cluster. */
export async function* scanKeys(client: RedisClient, pattern: string): AsyncGenerator<string[]> {
  for (const node of primaries(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`: URLs in messages never carry passwords. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/**
 * Connects once, with no retry, and PINGs: resolves when Redis answers, rejects with the socket's or the server's
 * error (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, WRONGPASS…). The CLI calls it before anything else so an unreachable
 * Redis is one line at once, not a reconnect loop that times out.
 */
export async function probeRedis(target: RedisTarget, timeoutMs = 5_000): Promise<void> {
  const once: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  };
  const client = isClusterTarget(target)
    ? new Cluster(target.cluster, {
        ...clusterOptions(target, 'producer', once),
        lazyConnect: true,
        clusterRetryStrategy: () => null,
        maxRedirections: 2,
      })
    : new Redis(target, once);
  // connect() rejects with a bare "Connection is closed."; the socket's own error arrives as an event first.
  let socketError: Error | undefined;
  client.on('error', (err: Error) => (socketError ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw socketError ?? err;
  } finally {
    client.disconnect();
  }
}

/** The short reason of a connection failure: the errno code when there is one, else the first line. */
export function connectionErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code && /^E[A-Z]+$/.test(e.code)) return e.code;
  const message = e?.message ?? String(err);
  return message.split('\n')[0] ?? message;
}
