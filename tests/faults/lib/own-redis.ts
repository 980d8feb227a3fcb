import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type ManagedRedis } from '../../../src/store/redis-server.js';

/**
 * A Redis of the scenario's own, for faults that hit Redis itself (kill -9, SIGSTOP): never the shared test
 * Redis. It is the managed redis-server the CLI starts (src/store/redis-server.ts: AOF `everysec`, `--save ''`,
 * noeviction) in a temp folder, so a restart on the same port and folder loads what the AOF holds.
 */
export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  /** The current redis-server's pid (a restart changes it). */
  pid(): number | undefined;
  /** SIGKILL: no AOF flush, no goodbye to clients. */
  kill9(): Promise<void>;
  /** A new redis-server on the same port and folder; resolves once it answers PING (the AOF is loaded). */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Stops the server (resuming it first if paused) and removes its folder. */
  stop(): Promise<void>;
}

/** Whether `redis-server` runs here; scenarios that need their own Redis skip without it. */
export function redisServerInstalled(): boolean {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'nf-own-redis-'));
  let server: ManagedRedis | null = await launch(dir);
  const port = server.port;
  let paused = false;

  function running(): ManagedRedis | null {
    const child = server?.process;
    return child && child.exitCode === null && child.signalCode === null ? server : null;
  }

  return {
    url: server.url,
    port,
    dir,
    pid: () => running()?.process.pid,
    async kill9() {
      const s = running();
      if (!s) return;
      const exited = new Promise<void>(done => s.process.once('exit', () => done()));
      s.process.kill('SIGKILL');
      await exited;
      paused = false;
    },
    async restart() {
      if (running()) throw new Error('own redis: restart() while the server still runs');
      server = await launch(dir, port);
    },
    pause() {
      const s = running();
      if (!s) throw new Error('own redis: pause() with no server running');
      s.process.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      running()?.process.kill('SIGCONT');
      paused = false;
    },
    async stop() {
      const s = running();
      if (s && paused) s.process.kill('SIGCONT');
      paused = false;
      await s?.stop();
      server = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(dir: string, port?: number): Promise<ManagedRedis> {
  const s = await startRedisServer({ dataDir: dir, appendOnly: true, ...(port ? { port } : {}) });
  // Redis logs to stdout (ignored); drain stderr anyway so a full pipe can never block the server.
  s.process.stderr?.resume();
  return s;
}
