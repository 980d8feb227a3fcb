/**
 * What the kernel says about a process we started: CPU time (whole process and per thread) and RSS, read from
 * /proc so the process under test runs unmodified. Linux only; elsewhere every reader returns null.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let ticks: number | null = null;

/** Clock ticks per second of /proc's CPU fields (USER_HZ, 100 on Linux). */
function clockTicks(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** utime + stime of a stat line, in seconds. The command name may hold spaces: fields count from its ')'. */
function statCpu(line: string): number {
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks();
}

function readOr<T>(path: string, parse: (text: string) => T): T | null {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** CPU seconds the process has used so far, all threads, including threads that have ended. */
export function processCpu(pid: number): number | null {
  return readOr(`/proc/${pid}/stat`, statCpu);
}

/** CPU seconds of one thread (tid) of a process; null once the thread has ended. */
export function threadCpu(pid: number, tid: number): number | null {
  return readOr(`/proc/${pid}/task/${tid}/stat`, statCpu);
}

/** Live thread ids of a process. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Resident set size in MiB (VmRSS). */
export function rssMiB(pid: number): number | null {
  return readOr(`/proc/${pid}/status`, text => {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) / 1024 : null;
  });
}

export function hasProc(): boolean {
  return existsSync('/proc/self/stat');
}

/**
 * Waits until a process has gone quiet (under `maxShare` of one core over two windows in a row), so CPU counted
 * afterwards is the work we gave it, not its start-up (module loading, worker threads compiling).
 */
export async function waitIdle(
  pid: number,
  opts: { windowMs?: number; maxShare?: number; timeoutMs?: number } = {},
): Promise<boolean> {
  const windowMs = opts.windowMs ?? 500;
  const maxShare = opts.maxShare ?? 0.02;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let quiet = 0;
  let last = processCpu(pid);
  while (Date.now() < deadline) {
    await new Promise(r => setTimeout(r, windowMs));
    const now = processCpu(pid);
    if (now === null || last === null) return false;
    quiet = now - last <= (maxShare * windowMs) / 1000 ? quiet + 1 : 0;
    last = now;
    if (quiet >= 2) return true;
  }
  return false;
}

/** Runs a bench script to its end: exit code and its stdout and stderr together (for the log). */
export function runCollect(cmd: string, argv: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise(done => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', d => (output += String(d)));
    child.stderr.on('data', d => (output += String(d)));
    child.on('error', err => done({ code: -1, output: String(err) }));
    child.on('close', code => done({ code, output }));
  });
}
