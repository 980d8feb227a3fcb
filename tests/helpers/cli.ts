import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

/** The built CLI (`npm test` builds before running vitest). */
export const CLI = resolve('dist/src/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += String(d)));
    child.stderr.on('data', d => (stderr += String(d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`CLI ${args.join(' ')} timed out\n${stderr}`));
    }, timeoutMs);
    child.on('exit', code => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Writes a config folder (newsflow.yaml + feeds.yaml) to a temp dir. */
export function writeConfigDir(service: unknown, feeds: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'nf-cli-'));
  writeFileSync(join(dir, 'newsflow.yaml'), stringify(service));
  writeFileSync(join(dir, 'feeds.yaml'), stringify({ feeds }));
  return dir;
}

/**
 * Runs the CLI with stdout read the way a slow pipe reader does (`| wc -c` on a busy box): one chunk, then a
 * pause. Output a command leaves queued in its process when it exits is lost, as in a shell pipeline.
 */
export function runCliPiped(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<CliResult & { bytes: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 10);
    });
    child.stderr.on('data', d => (stderr += String(d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`CLI ${args.join(' ')} timed out\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': every byte the child wrote is read by then.
    child.on('close', code => {
      clearTimeout(timer);
      const out = Buffer.concat(chunks);
      done({ code, stdout: out.toString('utf8'), stderr, bytes: out.length });
    });
  });
}
