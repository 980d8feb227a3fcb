import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { keysFor, type Keys } from '../../../src/store/keys.js';
import { CLI, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';

/**
 * Worker processes for a fault run: the built CLI (`newsflow start --role …`) on a config folder of the
 * run's own, every process appending to one history file (NEWSFLOW_HISTORY_FILE, src/pipeline/history.ts).
 */
export interface Proc {
  role: string;
  child: ChildProcess;
  /** JSON log lines seen so far. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  alive(): boolean;
}

export interface FaultCluster {
  dir: string;
  historyFile: string;
  procs: Proc[];
  spawn(role: 'poller' | 'extractor' | 'api' | 'all', env?: NodeJS.ProcessEnv): Proc;
  /** SIGKILL whatever is still running. */
  killAll(): Promise<void>;
}

/**
 * Service settings for fault runs on loopback: private addresses allowed on the site's ports, no per-host
 * spacing (every page comes from one local host), short stall detection so a killed worker's jobs come back
 * within seconds. `service` is merged over these.
 */
export function faultService(opts: {
  redisUrl: string;
  prefix: string;
  ports: number[];
  service?: Record<string, unknown>;
}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    redis: { url: opts.redisUrl, keyPrefix: opts.prefix },
    log: { level: 'info' },
    extractor: { concurrency: 4, lockDuration: '4s', stalledInterval: '2s', maxStalledCount: 2, attempts: 3 },
    extract: { threads: 1 },
    fetch: {
      allowNetworks: ['127.0.0.0/8'],
      allowedPorts: opts.ports,
      politeness: { interval: '0s', maxInFlight: 64 },
      robots: { enabled: false },
    },
    shutdown: { grace: '20s' },
  };
  return deepMerge(base, opts.service ?? {});
}

export function startCluster(service: Record<string, unknown>, feeds: unknown[]): FaultCluster {
  const dir = writeConfigDir(service, feeds);
  const historyFile = join(mkdtempSync(join(tmpdir(), 'nf-history-')), 'history.jsonl');
  const procs: Proc[] = [];
  return {
    dir,
    historyFile,
    procs,
    spawn(role, env = {}) {
      const child = spawn(process.execPath, [CLI, 'start', '--role', role, '--config', dir], {
        env: { ...process.env, ...env, NEWSFLOW_HISTORY_FILE: historyFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const logs: Record<string, unknown>[] = [];
      createInterface({ input: child.stdout }).on('line', line => {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line
        }
      });
      child.stderr.resume();
      const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
      const proc: Proc = { role, child, logs, exited, alive: () => child.exitCode === null && !child.killed };
      procs.push(proc);
      return proc;
    },
    async killAll() {
      await Promise.all(
        procs
          .filter(p => p.child.exitCode === null && p.child.signalCode === null)
          .map(p => {
            p.child.kill('SIGKILL');
            return p.exited;
          }),
      );
    },
  };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      prev &&
      typeof prev === 'object' &&
      !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * A key prefix of the test's own on the test Redis, with a connection to it; `cleanups` gets the step that
 * deletes the prefix's keys and closes the connection.
 */
export function faultPrefix(
  name: string,
  cleanups: (() => Promise<void>)[],
): { prefix: string; redis: Redis; keys: Keys } {
  const prefix = testPrefix(name);
  const redis = testRedis();
  cleanups.push(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });
  return { prefix, redis, keys: keysFor(prefix) };
}
