import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsToRecord } from '../../../src/consumer/events.js';
import { pairs } from '../../../src/metrics/status.js';
import { pruneStories } from '../../../src/store/retention.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, type Published } from '../api/fixtures.js';

const SCRIPT = 'examples/python-consumer/consumer.py';

/** pyenv and virtualenv shims hide Debian's dist-packages, so try the system interpreter too. */
function findSystemPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import redis'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  return null;
}

/**
 * The current redis-py release from pip, in a venv of its own (kept under node_modules/.cache between runs).
 * redis-py 8 speaks RESP3 by default: XREADGROUP answers a map, not a list. Null when venv or pip cannot
 * (no python3-venv, no registry): the suite then says so and runs with the Debian package only.
 */
function pipPython(): string | null {
  const dir = resolve('node_modules/.cache/newsflow-python-redis');
  const py = join(dir, 'bin', 'python');
  const ok = (): boolean =>
    existsSync(py) && spawnSync(py, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0;
  if (ok()) return py;
  const base = ['python3', '/usr/bin/python3'].find(
    c => spawnSync(c, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0,
  );
  if (!base) return null;
  rmSync(dir, { recursive: true, force: true });
  if (spawnSync(base, ['-m', 'venv', dir], { stdio: 'ignore', timeout: 120_000 }).status !== 0) return null;
  const pip = spawnSync(
    py,
    ['-m', 'pip', 'install', '--quiet', '--timeout', '20', '--retries', '1', 'redis'],
    {
      stdio: 'ignore',
      timeout: 120_000,
    },
  );
  return pip.status === 0 && ok() ? py : null;
}

function redisPyVersion(python: string): string {
  return spawnSync(python, ['-c', 'import redis; print(redis.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
}

const interpreters: { label: string; python: string }[] = [];
const system = findSystemPython();
if (system) {
  interpreters.push({ label: `Debian python3-redis (redis-py ${redisPyVersion(system)})`, python: system });
} else {
  process.stderr.write(
    'python-example.test.ts: SKIPPED the Debian package: no python3 with redis-py (apt-get install python3-redis)\n',
  );
}
const fromPip = pipPython();
if (fromPip) {
  interpreters.push({ label: `pip's redis-py ${redisPyVersion(fromPip)} in a venv`, python: fromPip });
} else {
  process.stderr.write(
    'python-example.test.ts: SKIPPED redis-py from pip: no venv or the registry did not answer\n',
  );
}

function run(
  python: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, '--redis-url', testRedisUrl(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += String(d)));
    child.stderr.on('data', d => (stderr += String(d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python consumer timed out\n${stderr}`));
    }, timeoutMs);
    child.on('exit', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(interpreters.length === 0).each(interpreters)(
  'Python consumer example, $label',
  ({ python }) => {
    let pub: Published;

    beforeAll(async () => {
      pub = await publishDemo(testPrefix('py'));
    });
    afterAll(async () => {
      await pub?.close();
    });

    it('reads every event the pipeline published, with its article and story body, and acks each', async () => {
      const { redis, keys } = pub.rt;
      const entries = await redis.xrange(keys.stream, '-', '+');
      expect(entries.length).toBeGreaterThanOrEqual(3);
      const res = await run(python, [
        '--prefix',
        pub.prefix,
        '--group',
        'py',
        '--consumer',
        'py-1',
        '--from',
        '0',
        '--limit',
        String(entries.length),
      ]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const lines = res.stdout
        .trim()
        .split('\n')
        .map(l => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map(l => l.id)).toEqual(entries.map(([id]) => id));
      for (const [i, [, flat]] of entries.entries()) {
        const event = fieldsToRecord(flat);
        expect(lines[i]).toMatchObject({
          type: event.type,
          storyId: event.storyId,
          articleId: event.articleId,
          url: event.url,
          deliveries: 1,
        });
        expect(typeof lines[i]!.title).toBe('string');
        expect(typeof lines[i]!.relation).toBe('string');
        // schemaVersion 2: the declared canonical (the demo pages declare http://…/), and the dedupe key.
        expect(lines[i]!.canonicalUrl).toMatch(/^http:\/\/127\.0\.0\.[12]:\d+\/.+\/$/);
        expect(lines[i]!.urlKey).toMatch(/^https:\/\/127\.0\.0\.[12]:\d+\/.+[^/]$/);
        expect(lines[i]!.storyWords).toBeGreaterThan(100);
        // The body is stored compressed with its text left out: Python derives the same text as newsflow.
        const body = await pub.rt.store.get(event.articleId!);
        expect(lines[i]!.storyText).toBe(body!.contentText);
      }
      const groups = ((await redis.call('XINFO', 'GROUPS', keys.stream)) as unknown[][]).map(g => pairs(g));
      expect(groups.find(g => g.name === 'py')).toMatchObject({ pending: 0, lag: 0 });
    });

    it('reads a body stored as plain JSON (before bodies were compressed)', async () => {
      const { redis, keys, store } = pub.rt;
      const [first] = await redis.xrange(keys.stream, '-', '+', 'COUNT', 1);
      const event = fieldsToRecord(first![1]);
      const storyId = (await store.storyIdOf(event.articleId!))!;
      const rep = (await redis.hget(keys.story(storyId), 'rep'))!;
      const saved = await redis.getBuffer(keys.body(rep));
      const article = (await store.get(storyId))!;
      await redis.set(keys.body(rep), JSON.stringify({ ...article, contentText: 'legacy text' }));
      try {
        const res = await run(python, [
          '--prefix',
          pub.prefix,
          '--group',
          'py-legacy',
          '--from',
          '0',
          '--limit',
          '1',
        ]);
        expect(res.stderr).toBe('');
        expect(JSON.parse(res.stdout.trim().split('\n')[0]!)).toMatchObject({ storyText: 'legacy text' });
      } finally {
        await redis.set(keys.body(rep), saved!);
      }
    });

    it("reads a body stored at the story's legacy key (before bodies left the {stories} slot)", async () => {
      const { redis, keys, store } = pub.rt;
      const [first] = await redis.xrange(keys.stream, '-', '+', 'COUNT', 1);
      const event = fieldsToRecord(first![1]);
      const storyId = (await store.storyIdOf(event.articleId!))!;
      const rep = (await redis.hget(keys.story(storyId), 'rep'))!;
      const saved = (await redis.getBuffer(keys.body(rep)))!;
      const article = (await store.get(storyId))!;
      await redis.del(keys.body(rep));
      await redis.set(
        keys.legacyStoryBody(storyId),
        JSON.stringify({ ...article, contentText: 'pre-move text' }),
      );
      try {
        const res = await run(python, [
          '--prefix',
          pub.prefix,
          '--group',
          'py-legacy-key',
          '--from',
          '0',
          '--limit',
          '1',
        ]);
        expect(res.stderr).toBe('');
        expect(JSON.parse(res.stdout.trim().split('\n')[0]!)).toMatchObject({ storyText: 'pre-move text' });
      } finally {
        await redis.del(keys.legacyStoryBody(storyId));
        await redis.set(keys.body(rep), saved);
      }
    });

    it('handles story.expired: the removed story and its members, nothing read for it', async () => {
      const { redis, keys } = pub.rt;
      const [storyId] = await redis.zrange(keys.storiesByTime, 0, 0);
      const members = await redis.zrange(keys.storyMembers(storyId!), 0, -1);
      const r = await pruneStories({
        redis,
        keys,
        retentionMs: 1,
        urlTtlMs: 60_000,
        streamMaxLen: 10_000,
        now: () => Date.now() + 10_000,
        limit: 1,
      });
      expect(r.expired).toEqual([{ storyId, members: members.length }]);
      // A group that starts just before the newest entry (the story.expired) reads that one only.
      const [, before] = await redis.xrevrange(keys.stream, '+', '-', 'COUNT', 2);
      const res = await run(python, [
        '--prefix',
        pub.prefix,
        '--group',
        'py-expired',
        '--from',
        before![0],
        '--limit',
        '1',
      ]);
      expect(res.stderr).toBe('');
      expect(JSON.parse(res.stdout.trim())).toMatchObject({ type: 'story.expired', storyId, members });
    });

    it('stops on SIGTERM with exit 0, every event it printed acknowledged', async () => {
      const child = spawn(
        python,
        [SCRIPT, '--redis-url', testRedisUrl(), '--prefix', pub.prefix, '--group', 'py-term', '--from', '0'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', d => (out += String(d)));
      const total = await pub.rt.redis.xlen(pub.rt.keys.stream);
      for (let i = 0; i < 400 && out.trim().split('\n').filter(Boolean).length < total; i++) {
        await new Promise(r => setTimeout(r, 50));
      }
      const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out.trim().split('\n')).toHaveLength(total);
      const summary = (await pub.rt.redis.xpending(pub.rt.keys.stream, 'py-term')) as [number, ...unknown[]];
      expect(Number(summary[0])).toBe(0);
    });
  },
);
