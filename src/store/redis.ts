import { Redis, type RedisOptions } from 'ioredis';

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

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 5_000,
          commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
        };
  const client = new Redis(url, {
    ...base,
    retryStrategy: times => Math.max(Math.min(Math.exp(times), 20_000), 1_000),
    ...extra,
  });
  // An unhandled 'error' event would crash the process; connection errors are retried and logged by callers.
  client.on('error', () => undefined);
  return client;
}

/** Redis did not become ready in time (down, unreachable, still loading its data). */
export class RedisNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisNotReadyError';
  }
}

/** Producers are built with the offline queue disabled; wait until connected before the first command. */
export async function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
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
export async function deleteByPattern(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
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
export async function probeRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
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
