import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RedisClient } from './redis.js';
import {
  STORY_EVENT_VERSION,
  toExportLine,
  urlAliasHashes,
  withUrlKey,
  type StoryMemberRecord,
} from '../dedupe/story.js';
import { createStoryStore, type StoryStore } from './story-store.js';
import { statsKey, type Keys } from './keys.js';
import { runScript } from './scripts.js';

/** The value a URL key holds after its story was removed: "seen, not stored" (src/store/lua/prune-story-4.lua). */
export const URL_TOMBSTONE = '~';

export interface PruneOptions {
  redis: RedisClient;
  keys: Keys;
  /** Stories whose last activity is older than this go. */
  retentionMs: number;
  /** How long a removed story's URL keys stay as tombstones. */
  urlTtlMs: number;
  streamMaxLen: number;
  now: () => number;
  /** At most this many stories looked at; null walks every story created before the cutoff. */
  limit?: number | null;
  /** Where in the stories-by-creation list to start (the service keeps it between passes); default 0. */
  offset?: number;
  dryRun?: boolean;
  /** retention.archive: append each removed story to `<dir>/<YYYY-MM-DD>.jsonl.gz` before removing it. */
  archiveDir?: string | null;
}

export interface PruneResult {
  /** Stories removed (or, in a dry run, that would be). */
  expired: { storyId: string; members: number }[];
  /** Stories looked at. */
  examined: number;
  /** Where the next pass should start: 0 once the walk reached the cutoff. */
  nextOffset: number;
  /** Bodies deleted from the body GC list: the pruned stories' and any a writer left behind. */
  bodiesDeleted: number;
}

/**
 * A body on the GC list is left this long to the decision's own caller, which deletes it a round trip after the
 * decision; only what a dead caller left is the pruner's.
 */
export const BODY_GC_GRACE_MS = 60_000;

const PAGE = 100;

/** The archive could not be written: the stories it was for stay, and the pass stops (retention.archive). */
export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

/**
 * One pruning pass (issue 11): walks stories by creation time up to the cutoff — a story created later cannot
 * have expired — and removes each whose last activity is older, one script call per story so no call runs
 * long. Idempotent: a story removed by another pass answers `missing`, an active one `active`. With
 * `archiveDir`, the stories a page of the walk would remove are first appended to `<dir>/<YYYY-MM-DD>.jsonl.gz`
 * (what `newsflow stories export` prints, plus the body); if that write fails, nothing of the page is removed.
 */
export async function pruneStories(o: PruneOptions): Promise<PruneResult> {
  const now = o.now();
  const cutoff = now - o.retentionMs;
  const at = new Date(now).toISOString();
  const store = createStoryStore(o.redis, o.keys, { streamMaxLen: o.streamMaxLen });
  const expired: PruneResult['expired'] = [];
  let offset = o.offset ?? 0;
  let examined = 0;
  const limit = o.limit ?? Infinity;
  const prune = async (storyId: string, dryRun: boolean): Promise<[string, number]> => {
    const aliases = dryRun ? [] : await memberAliases(o.redis, o.keys, storyId);
    const [verdict, members] = (await runScript(
      o.redis,
      'prune-story-4',
      [o.keys.story(storyId), o.keys.stream, o.keys.storiesByTime, o.keys.articlesByTime],
      [
        o.keys.stories,
        storyId,
        cutoff,
        o.urlTtlMs,
        at,
        o.streamMaxLen,
        STORY_EVENT_VERSION,
        JSON.stringify(aliases),
        dryRun ? '1' : '0',
      ],
    )) as [string, number];
    return [verdict, Number(members)];
  };
  const done = async (nextOffset: number): Promise<PruneResult> => {
    let bodiesDeleted = 0;
    if (!o.dryRun) {
      // The pruned stories' members are on the GC list with score 0; bodies a writer dropped, after the grace.
      for (;;) {
        const r = await store.collectBodies({ now, olderThanMs: BODY_GC_GRACE_MS, limit: 1_000 });
        bodiesDeleted += r.deleted;
        if (r.examined < 1_000 || r.removed === 0) break;
      }
    }
    return { expired, examined, nextOffset, bodiesDeleted };
  };
  for (;;) {
    const size = Math.min(PAGE, limit - examined);
    if (size <= 0) return done(offset);
    const ids = await o.redis.zrangebyscore(
      o.keys.storiesByTime,
      '-inf',
      `(${cutoff}`,
      'LIMIT',
      offset,
      size,
    );
    if (ids.length === 0) return done(0);
    if (o.archiveDir && !o.dryRun) await archivePage(o, store, ids, prune, now);
    const before = expired.length;
    for (const storyId of ids) {
      examined++;
      const [verdict, members] = await prune(storyId, o.dryRun === true);
      if (verdict === 'expired') expired.push({ storyId, members });
      // A removed story leaves the list; one kept (or, in a dry run, any) moves the walk on.
      if (o.dryRun || verdict === 'active' || verdict === 'merged') offset++;
    }
    // Counted for status and /metrics (the {ops} stats hash: another slot than the story, so not in the script).
    if (!o.dryRun && expired.length > before) {
      await o.redis.hincrby(statsKey(o.keys), 'retention.expired', expired.length - before);
    }
  }
}

/** Appends the stories of `ids` that would go now to the day's archive file, as one gzip member. */
async function archivePage(
  o: PruneOptions,
  store: StoryStore,
  ids: string[],
  prune: (storyId: string, dryRun: boolean) => Promise<[string, number]>,
  now: number,
): Promise<void> {
  const lines: string[] = [];
  for (const storyId of ids) {
    const [verdict] = await prune(storyId, true);
    if (verdict !== 'expired') continue;
    const story = await store.readStory(storyId);
    if (!story) continue;
    lines.push(`${JSON.stringify({ ...toExportLine(story), body: await store.get(storyId) })}\n`);
  }
  if (lines.length === 0) return;
  const file = join(o.archiveDir!, `${new Date(now).toISOString().slice(0, 10)}.jsonl.gz`);
  try {
    await mkdir(o.archiveDir!, { recursive: true });
    // Concatenated gzip members are one valid gzip file (zcat, gzip.open and zlib read them all).
    await appendFile(file, gzipSync(lines.join('')));
  } catch (err) {
    await o.redis.hincrby(statsKey(o.keys), 'retention.archive_failed', 1);
    throw new ArchiveError(`cannot write the archive ${file}: ${(err as Error).message}; nothing removed`, {
      cause: err,
    });
  }
}

/** Same-site redirect targets and canonicals of the story's members: URL keys beyond `url:<articleId>`. */
async function memberAliases(redis: RedisClient, keys: Keys, storyId: string): Promise<string[]> {
  const ids = await redis.zrange(keys.storyMembers(storyId), 0, -1);
  if (ids.length === 0) return [];
  const jsons = await redis.mget(...ids.map(id => keys.article(id)));
  const out = new Set<string>();
  jsons.forEach((json, i) => {
    if (!json) return;
    try {
      const m = withUrlKey(JSON.parse(json) as StoryMemberRecord);
      for (const h of urlAliasHashes(m, ids[i]!)) out.add(h);
    } catch {
      // A member record that does not parse has no aliases we can know; its own URL key is still tombstoned.
    }
  });
  return [...out];
}
