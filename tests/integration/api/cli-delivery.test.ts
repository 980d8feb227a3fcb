import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsToRecord } from '../../../src/consumer/events.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, type Published } from './fixtures.js';

/** The built CLI (`npm test` builds first) against what the pipeline published under a test prefix. */
// Each CLI run starts a Node process that loads the whole CLI: seconds apiece on a loaded 2-core machine.
describe('newsflow status / tail / articles get / stories get / export', { timeout: 240_000 }, () => {
  let pub: Published;
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, '--config', dir]);

  beforeAll(async () => {
    pub = await publishDemo(testPrefix('cli-delivery'));
    dir = writeConfigDir({ redis: { url: testRedisUrl(), keyPrefix: pub.prefix }, log: { level: 'warn' } }, [
      ...pub.site.feeds,
      { id: 'switched-off', url: 'https://example.org/feed.xml', enabled: false },
    ]);
  });
  afterAll(async () => {
    await pub?.close();
  });

  it('status shows queues, feeds with their health, the stream with group lag, dead letters and failures', async () => {
    const { redis, keys } = pub.rt;
    await redis.hset(keys.feedState('daily-market-hub'), {
      consecutiveErrors: 2,
      lastErrorClass: 'http',
      lastErrorReason: 'HTTP 503',
    });
    await redis.xgroup('CREATE', keys.stream, 'reader', '0');
    await redis.xadd(keys.deadLetters, '*', 'reason', 'E_BAD', 'group', 'reader', 'error', 'boom');
    const res = await cli('status');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.stdout;
    expect(out).toMatch(/^ {2}poll-feed\s+0\s+0\s+0\s+0\s+2$/m);
    expect(out).toMatch(/^ {2}fetch-article\s+0\s+0\s+0\s+0\s+\d+$/m);
    expect(out).toContain('feeds (3): 1 ok, 1 backing off, 1 disabled');
    expect(out).toMatch(/daily-market-hub\s+backing off\s+2 errors in a row; http: HTTP 503/);
    expect(out).toMatch(/switched-off\s+disabled\s+disabled in feeds.yaml/);
    const n = await redis.xlen(keys.stream);
    expect(out).toContain(`stream ${keys.stream}: ${n} entries`);
    // Consumers 0, pending 0, lag n, and the time of the oldest entry it owes (it has read none).
    expect(out).toMatch(new RegExp(`^ {2}reader\\s+0\\s+0\\s+${n}\\s+\\d{4}-\\d{2}-\\d{2}T\\S+Z$`, 'm'));
    expect(out).toContain(`dead letters ${keys.deadLetters}: 1 — E_BAD 1`);
    expect(out).toMatch(
      /^memory: \d+(\.\d)? [KMG]?i?B (used, no maxmemory|of .* — pause at 85 %, resume below 75 %)/m,
    );

    const json = JSON.parse((await cli('status', '--json')).stdout) as {
      queues: Record<string, { completed: number }>;
      stream: { length: number; groups: { name: string; lag: number }[] };
      deadLetters: { byReason: Record<string, number> };
      memory: { used: number; max: number; ratio: number; state: string; highWatermark: number };
    };
    expect(json.memory).toMatchObject({ highWatermark: 0.85, lowWatermark: 0.75 });
    expect(json.memory.used).toBeGreaterThan(0);
    expect(json.queues['poll-feed']!.completed).toBe(2);
    expect(json.stream.groups).toEqual([expect.objectContaining({ name: 'reader', lag: n })]);
    expect(json.deadLetters.byReason).toEqual({ E_BAD: 1 });
  });

  it('tail --from 0 --count N --json prints the stream; with --group it acknowledges what it printed', async () => {
    const { redis, keys } = pub.rt;
    const entries = await redis.xrange(keys.stream, '-', '+');
    const plain = await cli('tail', '--from', '0', '--count', String(entries.length), '--json');
    expect(plain.code).toBe(0);
    const lines = plain.stdout
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(entries.map(([id, flat]) => ({ id, ...fieldsToRecord(flat), version: 1 })));

    const grouped = await cli('tail', '--group', 'tailer', '--from', '0', '--count', '2');
    expect(grouped.code).toBe(0);
    expect(grouped.stdout.trim().split('\n')).toHaveLength(2);
    expect(grouped.stdout).toContain(entries[0]![0]);
    const groups = (await redis.call('XINFO', 'GROUPS', keys.stream)) as unknown[][];
    const g = groups.find(x => x[1] === 'tailer')!;
    expect(g[g.indexOf('pending') + 1]).toBe(0);
    expect(g[g.indexOf('lag') + 1]).toBe(entries.length - 2);

    expect((await cli('tail', '--from', 'yesterday')).code).toBe(2); // a bad option value: usage
  });

  it('articles get and stories get print an article and a story with its members', async () => {
    // Find a copy in-process (each CLI run costs seconds on a loaded machine), then ask the CLI about it.
    const ids = await pub.rt.redis.zrange(pub.rt.keys.articlesByTime, 0, -1);
    const reps = await Promise.all(ids.map(async id => [id, await pub.rt.store.storyIdOf(id)] as const));
    const copyId = (
      await Promise.all(
        reps.map(async ([id, sid]) =>
          (await pub.rt.store.readStory(sid!))!.representativeId === id ? null : id,
        ),
      )
    ).find(Boolean)!;
    const copy = JSON.parse((await cli('articles', 'get', copyId, '--json')).stdout) as Record<
      string,
      unknown
    >;
    expect(copy).toMatchObject({ id: copyId, isRepresentative: false });
    const text = await cli('articles', 'get', String(copy.id));
    expect(text.stdout).toContain(`article ${String(copy.id)}`);
    expect(text.stdout).toContain(`story:       ${String(copy.storyId)} (${String(copy.relation)}, copy;`);

    const story = await cli('stories', 'get', String(copy.storyId));
    expect(story.code).toBe(0);
    expect(story.stdout).toMatch(/— 2 members/);
    expect(story.stdout).toContain(String(copy.url));

    // stories explain: one JSON line per member, the key that joined the copy and the member it matched.
    const explained = await cli('stories', 'explain', String(copy.storyId));
    expect(explained.code).toBe(0);
    const lines = explained.stdout
      .trim()
      .split('\n')
      .map(
        l =>
          JSON.parse(l) as {
            articleId: string;
            via: string | null;
            matched: { articleId: string } | null;
            representative: boolean;
          },
      );
    expect(lines).toHaveLength(2);
    // The feeds are polled in parallel, so either page may reach the store first: the first member started
    // the story ('new', matched nothing), the second matched it by a key; the original represents the story
    // whichever came first.
    const first = lines.find(l => l.via === 'new');
    const second = lines.find(l => l !== first);
    expect(first).toMatchObject({ matched: null });
    expect(second?.via).toMatch(/^(attribution|body|lead|minhash|url)$/);
    expect(second?.matched?.articleId).toBe(first?.articleId);
    expect(lines.filter(l => l.representative).map(l => l.articleId)).toEqual(
      lines.map(l => l.articleId).filter(id => id !== copyId),
    );
    expect((await cli('stories', 'explain', 'no-such-story')).code).toBe(1);

    const missing = await cli('stories', 'get', 'no-such-story');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`newsflow: no story no-such-story (under key prefix "${pub.prefix}")`);
    expect((await cli('articles', 'get', 'no-such-article')).code).toBe(1);
  });

  it('export writes one JSON line per article (bodies once per story); --since narrows it', async () => {
    const ids = await pub.rt.redis.zrange(pub.rt.keys.articlesByTime, 0, -1);
    const out = join(mkdtempSync(join(tmpdir(), 'nf-export-')), 'articles.jsonl');
    const res = await cli('export', '--out', out);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`exported ${ids.length} articles to ${out}`);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as { id: string; isRepresentative: boolean; body: unknown });
    expect(lines.map(l => l.id)).toEqual(ids);
    for (const l of lines) expect(l.body === null).toBe(!l.isRepresentative);

    const none = await cli('export', '--since', '2999-01-01');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect((await cli('export', '--since', 'last week')).code).toBe(2); // a bad option value: usage
  });
});
