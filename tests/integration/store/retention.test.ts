import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, fieldsToRecord } from '../../../src/consumer/events.js';
import { readStream } from '../../../src/metrics/status.js';
import { processArticle } from '../../../src/pipeline/process-article.js';
import { startPruner } from '../../../src/pipeline/pruner.js';
import { statsKey } from '../../../src/store/keys.js';
import { ArchiveError, pruneStories, URL_TOMBSTONE } from '../../../src/store/retention.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, seedArticles, type Published } from '../api/fixtures.js';

/** Issue 11 (1): stories past retention.stories are removed whole; their URLs stay known as tombstones. */
describe('retention: pruning expired stories (real Redis)', () => {
  const DAY = 86_400_000;
  const T0 = 1_790_000_000_000;
  let pub: Published;
  let old: string[];
  let young: string[];

  beforeAll(async () => {
    pub = await publishDemo(testPrefix('retention'), { run: false });
    old = await seedArticles(pub.rt, { n: 3, feedId: 'old', at: i => T0 + i });
    young = await seedArticles(pub.rt, { n: 2, feedId: 'young', at: i => T0 + 20 * DAY + i });
  });
  afterAll(async () => {
    await pub?.close();
  });

  const keysOf = async (): Promise<Set<string>> => new Set(await pub.rt.redis.keys(`${pub.prefix}:*`));
  const prune = (dryRun: boolean) =>
    pruneStories({
      redis: pub.rt.redis,
      keys: pub.rt.keys,
      retentionMs: 10 * DAY,
      urlTtlMs: 90 * DAY,
      streamMaxLen: 10_000,
      // Old stories are 25 days inactive, young ones 5 days: only the old go.
      now: () => T0 + 25 * DAY,
      dryRun,
    });

  it('a dry run lists the expired stories and removes nothing', async () => {
    const before = await keysOf();
    const r = await prune(true);
    expect(r.expired.map(e => e.storyId).sort()).toEqual([...old].sort());
    expect(await keysOf()).toEqual(before);
  });

  it('removes every key of an expired story, keeps young ones whole, tombstones URLs, publishes story.expired', async () => {
    const { keys, redis, store } = pub.rt;
    const reps = new Map<string, string>();
    for (const id of [...old, ...young]) reps.set(id, (await redis.hget(keys.story(id), 'rep'))!);
    const r = await prune(false);
    expect(r.expired).toHaveLength(3);
    // Every body of the removed stories went with them (another slot: deleted right after the pass's scripts).
    expect(r.bodiesDeleted).toBe(3);
    const left = await keysOf();
    for (const id of old) {
      for (const k of [keys.story(id), keys.storyMembers(id), keys.body(reps.get(id)!), keys.article(id)]) {
        expect(left.has(k), k).toBe(false);
      }
      expect(await redis.zscore(keys.storiesByTime, id)).toBeNull();
      expect(await redis.zscore(keys.articlesByTime, id)).toBeNull();
      expect(await redis.get(keys.urlIndex(id))).toBe(URL_TOMBSTONE);
      const ttl = await redis.pttl(keys.urlIndex(id));
      expect(ttl).toBeGreaterThan(89 * DAY);
      expect(await store.get(id)).toBeNull();
      // The poller's check: a tombstoned URL counts as known, so it is not enqueued again.
      expect(await store.knownUrlHashes([id])).toEqual([true]);
    }
    for (const id of young) {
      expect(await store.get(id)).not.toBeNull();
      expect(left.has(keys.body(reps.get(id)!))).toBe(true);
    }
    const entries = await redis.xrange(keys.stream, '-', '+');
    const expired = entries
      .map(([, f]) => decodeEvent(fieldsToRecord(f)))
      .filter(e => e.type === 'story.expired');
    expect(expired.map(e => e.storyId).sort()).toEqual([...old].sort());
    for (const e of expired) expect(e.members).toEqual([e.storyId]);
  });

  it('a second pass is a no-op', async () => {
    const before = await keysOf();
    expect((await prune(false)).expired).toEqual([]);
    expect(await keysOf()).toEqual(before);
  });

  it('an article job for a pruned URL ends as skipped without a fetch', async () => {
    const { rt } = pub;
    let fetched = 0;
    const out = await processArticle(
      {
        redis: rt.redis,
        keys: rt.keys,
        fetcher: {
          fetch: () => {
            fetched++;
            throw new Error('must not fetch');
          },
        } as unknown as typeof rt.fetcher,
        store: rt.store,
        log: rt.log,
        now: rt.now,
        dedupe: {} as never,
        enqueueArticle: () => Promise.resolve(),
        histograms: rt.histograms,
        extract: () => Promise.reject(new Error('must not extract')),
      },
      {
        url: 'https://old.example/a-0',
        urlKey: 'https://old.example/a-0',
        urlHash: old[0]!,
        feed: { id: 'old', url: 'https://old.example/feed.xml' },
        item: {},
        enqueuedAt: new Date().toISOString(),
      },
      { lastAttempt: false },
    );
    expect(out).toMatchObject({ outcome: 'skipped' });
    expect(fetched).toBe(0);
  });
});

describe('newsflow prune (CLI)', () => {
  let pub: Published;
  beforeAll(async () => {
    pub = await publishDemo(testPrefix('prune-cli'));
  });
  afterAll(async () => {
    await pub?.close();
  });

  it('--dry-run --json lists, then prune removes and prints JSON Lines; pruned stories are gone from the API reads', async () => {
    const stories = await pub.rt.redis.zcard(pub.rt.keys.storiesByTime);
    expect(stories).toBeGreaterThan(1);
    const dir = writeConfigDir({ redis: { keyPrefix: pub.prefix }, log: { level: 'warn' } }, []);
    const env = { REDIS_URL: testRedisUrl() };
    const dry = await runCli(['prune', '--dry-run', '--json', '--older-than', '1ms', '--config', dir], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const dryLines = dry.stdout
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, unknown>);
    expect(dryLines.at(-1)).toMatchObject({ summary: true, dryRun: true, stories });
    expect(await pub.rt.redis.zcard(pub.rt.keys.storiesByTime)).toBe(stories);

    const real = await runCli(['prune', '--json', '--older-than', '1ms', '--config', dir], env);
    expect(real.code).toBe(0);
    const lines = real.stdout
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(stories + 1);
    expect(lines.at(-1)).toMatchObject({ summary: true, dryRun: false, stories });
    expect(await pub.rt.redis.zcard(pub.rt.keys.storiesByTime)).toBe(0);
    expect(await pub.rt.redis.zcard(pub.rt.keys.articlesByTime)).toBe(0);

    const bad = await runCli(['prune', '--older-than', 'soon', '--config', dir], env);
    expect(bad.code).toBe(2);
  });
});

describe('consumer groups behind retention', () => {
  const DAY = 86_400_000;
  let pub: Published;
  beforeAll(async () => {
    pub = await publishDemo(testPrefix('retention-lag'), { run: false });
    await seedArticles(pub.rt, { n: 2, feedId: 'lag', at: i => Date.now() + i });
    await pub.rt.redis.xgroup('CREATE', pub.rt.keys.stream, 'slow', '0');
    await pub.rt.redis.xgroup('CREATE', pub.rt.keys.stream, 'done', '$');
  });
  afterAll(async () => {
    await pub?.close();
  });

  it('status flags a group whose oldest unread entry is older than retention.stories; /metrics has its age', async () => {
    const { redis, keys } = pub.rt;
    const read = (now: number) => readStream(redis, keys.stream, { now: () => now, retentionMs: 30 * DAY });
    const today = (await read(Date.now())).groups;
    expect(today.find(g => g.name === 'slow')).toMatchObject({ behindRetention: false });
    expect(today.find(g => g.name === 'slow')!.oldestAt).not.toBeNull();
    expect(today.find(g => g.name === 'done')).toMatchObject({ oldestAt: null, behindRetention: false });
    const later = (await read(Date.now() + 31 * DAY)).groups;
    expect(later.find(g => g.name === 'slow')).toMatchObject({ behindRetention: true });
    expect(later.find(g => g.name === 'done')).toMatchObject({ behindRetention: false });
  });

  it('the pruner warns once per group that falls behind, not once per pass', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) {
          if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        }
        done();
      },
    });
    const pruner = startPruner({
      redis: pub.rt.redis,
      keys: pub.rt.keys,
      retentionMs: 30 * DAY,
      urlTtlMs: DAY,
      streamMaxLen: 10_000,
      // A clock 31 days on: the seeded stories expire too, and the group owes month-old entries.
      now: () => Date.now() + 31 * DAY,
      intervalMs: 3_600_000,
      batch: 100,
      log: pino({ level: 'info' }, sink),
    });
    try {
      await pruner.runOnce();
      await pruner.runOnce();
    } finally {
      await pruner.stop();
    }
    const warnings = lines.filter(l => String(l.msg).includes('older than retention.stories'));
    // Two passes, one warning per group: 'slow' owes the month-old story events; 'done' owes the story.expired
    // events of the first pass (written "a month before" this clock).
    const groups = warnings.map(w => w.group);
    expect(groups.filter(g => g === 'slow')).toHaveLength(1);
    expect(new Set(groups).size).toBe(groups.length);
  });
});

describe('retention.archive', () => {
  const DAY = 86_400_000;
  const T0 = 1_790_000_000_000;
  let pub: Published;
  let work: string;
  beforeAll(async () => {
    pub = await publishDemo(testPrefix('retention-archive'), { run: false });
    work = mkdtempSync(join(tmpdir(), 'nf-archive-'));
  });
  afterAll(async () => {
    await pub?.close();
    rmSync(work, { recursive: true, force: true });
  });
  const prune = (archiveDir: string) =>
    pruneStories({
      redis: pub.rt.redis,
      keys: pub.rt.keys,
      retentionMs: 10 * DAY,
      urlTtlMs: DAY,
      streamMaxLen: 10_000,
      now: () => T0 + 25 * DAY,
      archiveDir,
    });

  it('a failed archive write removes nothing and is counted; a working one holds each story with its body', async () => {
    const ids = await seedArticles(pub.rt, { n: 3, feedId: 'arch', at: i => T0 + i });
    const blocked = join(work, 'a-file');
    writeFileSync(blocked, 'not a folder');
    await expect(prune(join(blocked, 'archive'))).rejects.toBeInstanceOf(ArchiveError);
    for (const id of ids) expect(await pub.rt.store.get(id)).not.toBeNull();
    expect(await pub.rt.redis.hget(statsKey(pub.rt.keys), 'retention.archive_failed')).toBe('1');

    const dir = join(work, 'archive');
    const r = await prune(dir);
    expect(r.expired).toHaveLength(3);
    const file = join(dir, `${new Date(T0 + 25 * DAY).toISOString().slice(0, 10)}.jsonl.gz`);
    const lines = gunzipSync(readFileSync(file))
      .toString()
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l) as { storyId: string; body: { contentText: string } | null });
    expect(lines.map(l => l.storyId).sort()).toEqual([...ids].sort());
    for (const l of lines) expect(l.body?.contentText.length).toBeGreaterThan(100);
  });
});
