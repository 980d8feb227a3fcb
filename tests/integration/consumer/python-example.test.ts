import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsToRecord } from '../../../src/consumer/events.js';
import { pairs } from '../../../src/metrics/status.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, type Published } from '../api/fixtures.js';

const SCRIPT = 'examples/python-consumer/consumer.py';

/** pyenv and virtualenv shims hide Debian's dist-packages, so try the system interpreter too. */
function findPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import redis'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  return null;
}

const python = findPython();
const SKIP_REASON = 'SKIPPED: no python3 with redis-py here (apt-get install python3-redis); CI installs it';
if (!python) process.stderr.write(`python-example.test.ts ${SKIP_REASON}\n`);

function run(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python!, [SCRIPT, '--redis-url', testRedisUrl(), ...args], {
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

describe.skipIf(!python)(`Python consumer example (${python ?? SKIP_REASON})`, () => {
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
    const res = await run([
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
    const saved = await redis.getBuffer(keys.storyBody(storyId));
    const article = (await store.get(storyId))!;
    await redis.set(keys.storyBody(storyId), JSON.stringify({ ...article, contentText: 'legacy text' }));
    try {
      const res = await run(['--prefix', pub.prefix, '--group', 'py-legacy', '--from', '0', '--limit', '1']);
      expect(res.stderr).toBe('');
      expect(JSON.parse(res.stdout.trim().split('\n')[0]!)).toMatchObject({ storyText: 'legacy text' });
    } finally {
      await redis.set(keys.storyBody(storyId), saved!);
    }
  });

  it('stops on SIGTERM with exit 0, every event it printed acknowledged', async () => {
    const child = spawn(
      python!,
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
});
