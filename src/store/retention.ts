import type { Redis } from 'ioredis';
import { STORY_EVENT_VERSION, urlAliasHashes, withUrlKey, type StoryMemberRecord } from '../dedupe/story.js';
import { statsKey, type Keys } from './keys.js';
import { runScript } from './scripts.js';

/** The value a URL key holds after its story was removed: "seen, not stored" (src/store/lua/prune-story-4.lua). */
export const URL_TOMBSTONE = '~';

export interface PruneOptions {
  redis: Redis;
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
}

export interface PruneResult {
  /** Stories removed (or, in a dry run, that would be). */
  expired: { storyId: string; members: number }[];
  /** Stories looked at. */
  examined: number;
  /** Where the next pass should start: 0 once the walk reached the cutoff. */
  nextOffset: number;
}

const PAGE = 100;

/**
 * One pruning pass (issue 11): walks stories by creation time up to the cutoff — a story created later cannot
 * have expired — and removes each whose last activity is older, one script call per story so no call runs
 * long. Idempotent: a story removed by another pass answers `missing`, an active one `active`.
 */
export async function pruneStories(o: PruneOptions): Promise<PruneResult> {
  const now = o.now();
  const cutoff = now - o.retentionMs;
  const at = new Date(now).toISOString();
  const expired: PruneResult['expired'] = [];
  let offset = o.offset ?? 0;
  let examined = 0;
  const limit = o.limit ?? Infinity;
  for (;;) {
    const size = Math.min(PAGE, limit - examined);
    if (size <= 0) return { expired, examined, nextOffset: offset };
    const ids = await o.redis.zrangebyscore(
      o.keys.storiesByTime,
      '-inf',
      `(${cutoff}`,
      'LIMIT',
      offset,
      size,
    );
    if (ids.length === 0) return { expired, examined, nextOffset: 0 };
    const before = expired.length;
    for (const storyId of ids) {
      examined++;
      const aliases = await memberAliases(o.redis, o.keys, storyId);
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
          o.dryRun ? '1' : '0',
        ],
      )) as [string, number];
      if (verdict === 'expired') expired.push({ storyId, members: Number(members) });
      // A removed story leaves the list; one kept (or, in a dry run, any) moves the walk on.
      if (o.dryRun || verdict === 'active' || verdict === 'merged') offset++;
    }
    // Counted for status and /metrics (the {ops} stats hash: another slot than the story, so not in the script).
    if (!o.dryRun && expired.length > before) {
      await o.redis.hincrby(statsKey(o.keys), 'retention.expired', expired.length - before);
    }
  }
}

/** Same-site redirect targets and canonicals of the story's members: URL keys beyond `url:<articleId>`. */
async function memberAliases(redis: Redis, keys: Keys, storyId: string): Promise<string[]> {
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
