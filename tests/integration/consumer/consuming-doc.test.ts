import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, type Published } from '../api/fixtures.js';

/** The first ```js block after the marker in docs/CONSUMING.md: what a new user copies. */
function docExample(): string {
  const doc = readFileSync('docs/CONSUMING.md', 'utf8');
  const at = doc.indexOf('<!-- example: typescript-consumer -->');
  const m = /```js\n([\s\S]*?)```/.exec(doc.slice(at));
  if (at < 0 || !m) throw new Error('docs/CONSUMING.md lost its TypeScript example');
  return m[1]!;
}

describe("docs/CONSUMING.md's TypeScript example, run as written against the built package", () => {
  let pub: Published;
  // Inside the package folder, so `import … from 'newsflow'` resolves to this package (self-reference) — as it
  // does for a user after `npm install newsflow`. `npm test` builds dist/ first.
  const file = resolve('dist', `.consuming-example-${randomUUID().slice(0, 8)}.mjs`);

  beforeAll(async () => {
    pub = await publishDemo(testPrefix('doc'));
    writeFileSync(file, docExample());
  });
  afterAll(async () => {
    rmSync(file, { force: true });
    await pub?.close();
  });

  it('prints every story event with its title and body, acknowledges them, and stops on SIGTERM', async () => {
    expect(existsSync(resolve('dist/src/index.js')), 'run `npm run build` first').toBe(true);
    const total = await pub.rt.redis.xlen(pub.rt.keys.stream);
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, REDIS_URL: testRedisUrl(), NEWSFLOW_KEY_PREFIX: pub.prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += String(d)));
    child.stderr.on('data', d => (err += String(d)));
    const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
    const lines = (): string[] => out.split('\n').filter(Boolean);
    for (let i = 0; i < 600 && lines().length < total && child.exitCode === null; i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    expect(await exited, err).toBe(0);
    const printed = lines().map(
      l => JSON.parse(l) as { id: string; title: unknown; words: number; relation: unknown },
    );
    const ids = (await pub.rt.redis.xrange(pub.rt.keys.stream, '-', '+')).map(([id]) => id);
    expect(printed.map(p => p.id)).toEqual(ids);
    for (const p of printed) {
      expect(typeof p.title).toBe('string');
      expect(typeof p.relation).toBe('string');
      expect(p.words).toBeGreaterThan(100);
    }
    const summary = (await pub.rt.redis.xpending(pub.rt.keys.stream, 'my-app')) as [number, ...unknown[]];
    expect(Number(summary[0])).toBe(0);
  });
});
