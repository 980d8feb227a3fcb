/**
 * newsflow processes for the bench: the built CLI (`newsflow start --role …`) on a config folder of the run's
 * own, exactly as a deployment starts them. Only the processes started here are ever signalled, by their pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';

export const CLI = resolve('dist/src/cli/main.js');

export interface RoleProc {
  role: string;
  pid: number;
  child: ChildProcess;
  /** Resolves once the process logged "newsflow started". */
  started: Promise<void>;
  exited: Promise<number | null>;
  /** Last lines of stderr and non-JSON stdout, for error reports. */
  tail(): string;
  /** SIGTERM (drain), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A config folder with newsflow.yaml and feeds.yaml. */
export function writeConfig(service: unknown, feeds: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'nf-bench-'));
  writeFileSync(join(dir, 'newsflow.yaml'), stringify(service));
  writeFileSync(join(dir, 'feeds.yaml'), stringify({ feeds }));
  return dir;
}

/**
 * Service settings for a bench on loopback: production defaults (log level info included: one line per
 * article is part of the cost) except what a local site needs — loopback
 * allowed on the site's ports, no robots.txt (the site has none), and no per-host spacing, since every page
 * and feed of the bench comes from one host (production spreads over many hosts; the gate's Redis scripts
 * still run for every request).
 */
export function benchService(opts: {
  redisUrl: string;
  prefix: string;
  ports: number[];
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    redis: { url: opts.redisUrl, keyPrefix: opts.prefix },
    fetch: {
      allowNetworks: ['127.0.0.0/8'],
      allowedPorts: opts.ports,
      politeness: { interval: '0s', maxInFlight: 64 },
      robots: { enabled: false },
    },
    ...opts.extra,
  };
}

export function startRole(
  role: 'poller' | 'extractor' | 'all',
  configDir: string,
  env: NodeJS.ProcessEnv = {},
): RoleProc {
  const child = spawn(process.execPath, [CLI, 'start', '--role', role, '--config', configDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>(r => (onStarted = r));
  createInterface({ input: child.stdout }).on('line', line => {
    try {
      const rec = JSON.parse(line) as { msg?: string; level?: number };
      if (rec.msg === 'newsflow started') onStarted();
      else if ((rec.level ?? 0) >= 40) keep(line);
    } catch {
      keep(line);
    }
  });
  createInterface({ input: child.stderr }).on('line', keep);
  const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
  return {
    role,
    pid: child.pid ?? -1,
    child,
    started: Promise.race([
      started,
      exited.then(code => {
        throw new Error(`${role} exited (${code}) before starting:\n${lines.join('\n')}`);
      }),
    ]),
    exited,
    tail: () => lines.join('\n'),
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
