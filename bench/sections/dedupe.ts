/** Dedupe + store: bench/dedupe-store.ts (`npm run bench:dedupe`) in its own process, read back from its JSON. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export interface DedupeResult {
  n: number;
  outcomes: Record<string, number>;
  msPerArticle: {
    dedupeStore: { mean: number; p50: number; p95: number };
    plan: number;
    decideScript: number;
    baselineStore: number;
    ratio: number;
  };
  memoryMiBPer10k: {
    dedupe: number;
    baseline: number;
    ratio: number;
    byKind: Record<string, number>;
    keysPerArticle: number;
  };
}

export async function runDedupe(n: number, redisUrl: string): Promise<DedupeResult> {
  const out = resolve('bench/out/dedupe.json');
  rmSync(out, { force: true });
  const output = await new Promise<{ code: number | null; text: string }>(done => {
    const child = spawn(
      process.execPath,
      ['eval/dedupe/run-ts.mjs', 'bench/dedupe-store.ts', '--n', String(n)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, REDIS_URL: redisUrl },
      },
    );
    let text = '';
    child.stdout.on('data', d => (text += String(d)));
    child.stderr.on('data', d => (text += String(d)));
    child.on('error', err => done({ code: -1, text: String(err) }));
    child.on('close', code => done({ code, text }));
  });
  if (output.code !== 0 || !existsSync(out)) {
    throw new Error(`bench/dedupe-store.ts failed (exit ${output.code}):\n${output.text.slice(-2000)}`);
  }
  return JSON.parse(readFileSync(out, 'utf8')) as DedupeResult;
}
