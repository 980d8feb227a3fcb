import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, PRODUCER_COMMAND_TIMEOUT_MS, waitReady } from '../../../src/store/redis.js';
import { testRedisUrl } from '../../helpers/redis.js';

/**
 * A TCP relay to the test Redis whose replies can be held back: Redis stops answering while every connection
 * stays open, as when the server is stopped (SIGSTOP) or stalls. Held replies are delivered in order on thaw.
 */
interface Relay {
  url: string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

async function startRelay(target: string): Promise<Relay> {
  const { hostname, port } = new URL(target);
  let frozen = false;
  const held: (() => void)[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer(client => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', chunk => {
      if (frozen) held.push(() => client.write(chunk));
      else client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const addr = server.address();
  return {
    url: `redis://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const send of held.splice(0)) send();
    },
    close: () =>
      new Promise<void>(done => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Redis connection roles against a Redis that stops answering', () => {
  it('a producer command fails after the command timeout while a worker command waits and then succeeds', async () => {
    const relay = await startRelay(testRedisUrl());
    cleanups.push(() => relay.close());
    const producer = createRedis(relay.url, 'producer');
    const worker = createRedis(relay.url, 'worker');
    cleanups.push(() => {
      producer.disconnect();
      worker.disconnect();
    });
    await Promise.all([waitReady(producer), waitReady(worker)]);
    expect(producer.options.commandTimeout).toBe(PRODUCER_COMMAND_TIMEOUT_MS);
    expect(worker.options.commandTimeout).toBeUndefined();

    relay.freeze();
    let workerSettled = false;
    const workerPing = worker.ping().finally(() => {
      workerSettled = true;
    });
    await expect(producer.ping()).rejects.toThrow(/timed out/i);
    // The worker's command is still waiting: it was not failed with the producer's.
    expect(workerSettled).toBe(false);
    relay.thaw();
    expect(await workerPing).toBe('PONG');
    // The timeout did not break the producer's connection.
    expect(await producer.ping()).toBe('PONG');
  });
});
