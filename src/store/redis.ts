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

/** Producers are built with the offline queue disabled; wait until connected before the first command. */
export async function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${client.status})`));
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
