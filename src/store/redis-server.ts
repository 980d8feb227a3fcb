import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { resolve } from 'node:path';
import type { RedisTarget } from './redis.js';

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

export const NO_REDIS_MESSAGE =
  'No Redis: REDIS_URL is not set, nothing answers at 127.0.0.1:6379, and `redis-server` is not installed. ' +
  'Get Redis one of these ways: install the OS package (`apt-get install redis-server` / `brew install redis`), ' +
  'run `docker compose up -d redis` in this repository, or point REDIS_URL at a Redis you run (redis://host:6379).';

export interface ManagedRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface ResolvedRedis {
  /** A URL of one server, or a cluster's seed nodes (`redis.cluster.nodes`). */
  target: RedisTarget;
  source: 'configured' | 'local-default' | 'managed';
  managed?: ManagedRedis;
}

export const DEFAULT_LOCAL_REDIS = { host: '127.0.0.1', port: 6379 };

/** Sends PING over a raw socket: answers true only for a Redis that says PONG in time. */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise(done => {
    const socket = createConnection({ host, port });
    let buf = '';
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', d => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) finish(buf.startsWith('+PONG'));
    });
    socket.on('error', () => finish(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => done(port));
    });
  });
}

export interface StartRedisOptions {
  dataDir: string;
  /** Durable by default (AOF everysec), as the service needs; tests turn it off. */
  appendOnly?: boolean;
  port?: number;
  startTimeoutMs?: number;
}

/** Starts a `redis-server` child on a free loopback port with newsflow's required settings. */
export async function startRedisServer(opts: StartRedisOptions): Promise<ManagedRedis> {
  const port = opts.port ?? (await freePort());
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    opts.appendOnly === false ? 'no' : 'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawnError = new Promise<Error>(done => child.once('error', done));
  const exited = new Promise<number | null>(done => child.once('exit', code => done(code)));

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    const failure = await Promise.race([
      spawnError.then(e => e),
      exited.then(code => new Error(`redis-server exited with code ${code}`)),
      new Promise<null>(done => setTimeout(() => done(null), 50)),
    ]);
    if (failure) {
      if ((failure as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RedisUnavailableError(NO_REDIS_MESSAGE);
      }
      throw new RedisUnavailableError(`could not start redis-server: ${failure.message}`);
    }
    if (await pingRedis('127.0.0.1', port, 200)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(`redis-server did not answer on port ${port}`);
    }
  }

  // Whatever way this process ends (process.exit after a closed pipe, an uncaught error), the server goes with it.
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () => {
      stopping ??= new Promise<void>(done => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        // SIGTERM makes redis-server flush its AOF and exit cleanly.
        child.kill('SIGTERM');
      });
      return stopping;
    },
  };
}

/**
 * Where to find Redis: a configured cluster or URL wins; else the local default if it answers; else a managed
 * redis-server under `dataDir`, which the caller must stop on exit.
 */
export async function resolveRedis(configured: RedisTarget | null, dataDir: string): Promise<ResolvedRedis> {
  if (configured) return { target: configured, source: 'configured' };
  const { host, port } = DEFAULT_LOCAL_REDIS;
  if (await pingRedis(host, port)) return { target: `redis://${host}:${port}`, source: 'local-default' };
  const managed = await startRedisServer({ dataDir });
  return { target: managed.url, source: 'managed', managed };
}
