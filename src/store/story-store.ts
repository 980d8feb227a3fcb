import type { RedisClient } from './redis.js';
import type {
  DecisionPlan,
  StoryMemberRecord,
  StoryMemberView,
  StoryRecord,
  StoryRelation,
} from '../dedupe/story.js';
import { withUrlKey } from '../dedupe/story.js';
import { ARTICLE_SCHEMA_VERSION, type NormalizedArticle } from '../dedupe/article.js';
import { decodeBody, encodeBody } from './body.js';
import type { Keys } from './keys.js';
import { runScript } from './scripts.js';

export type DecisionKind = 'created' | 'joined' | 'exists';

/** What the decision script did with one article. */
export interface Decision {
  kind: DecisionKind;
  articleId: string;
  storyId: string;
  relation: StoryRelation;
  /** The article became its story's representative in place of another (a `story.updated` was published). */
  representativeChanged: boolean;
  /** Which key decided: url, attribution, body, lead, minhash, or new. */
  via: string;
  /** The article represents its story after this decision: its body was stored (or, on a retry, repaired). */
  bodyStored: boolean;
}

/**
 * The story model in Redis: one decision script per article (src/store/lua/decide-article-4.lua), one
 * body per story, metadata and a pointer per member. Reads are plain commands.
 *
 * Bodies live outside the decision's slot (`keys.body`, tagged by article), so on a Redis Cluster they spread
 * over the primaries while the index stays in `{stories}`. The order that keeps them right:
 *   1. the decision names the story's representative (and lists the bodies it dropped on `keys.bodyGc`);
 *   2. the representative's body is stored (SET NX: its bytes never change, so a repeat is harmless);
 *   3. the dropped bodies are deleted and leave the GC list.
 * A job that dies after 1 is retried (BullMQ's stalled-job check); its decision answers `exists` with
 * `storeBody`, and step 2 runs then. Until then a reader falls back to the body the new representative replaced
 * (`prevRep`); only a new story has no body during that time. Bodies step 3 missed are deleted by
 * `collectBodies`, which the pruner runs (docs/ARCHITECTURE.md, "Bodies").
 */
export interface StoryStore {
  /**
   * `body`: the article's stored body when it was encoded already (encodeBody of this article — the extraction
   * thread does it, off the event loop); encoded here otherwise.
   */
  decide(plan: DecisionPlan, article: NormalizedArticle, body?: Buffer): Promise<Decision>;
  /** The representative article (with body) of a story, by story id or by any member's article id. */
  get(id: string): Promise<NormalizedArticle | null>;
  /**
   * The article represents its story but its body is not stored: the job that decided died before writing it.
   * Its retry must then run again (fetch, extract, decide), and the decision's `exists` answer stores the body.
   */
  lacksBody(articleId: string): Promise<boolean>;
  /**
   * Deletes the bodies on the GC list listed at least `olderThanMs` ago whose article no longer represents a
   * story (a writer died between storing a new body and deleting the old; a story was pruned). At most `limit`
   * per call: `examined` entries looked at, `removed` of them left the list (the rest wait for a retry to store
   * the body that replaces theirs), `deleted` bodies were there to delete.
   */
  collectBodies(opts: {
    now: number;
    olderThanMs: number;
    limit?: number;
  }): Promise<{ examined: number; removed: number; deleted: number }>;
  idForUrlHash(urlHash: string): Promise<string | null>;
  /** Whether each URL key hash is already taken by a stored article (one round trip). */
  knownUrlHashes(urlHashes: string[]): Promise<boolean[]>;
  /**
   * Of these paragraph hashes, the ones the site (registrable domain) used in at least SHARED_MIN_STORIES other
   * stored articles: its boilerplate, left out of the page's signature (src/dedupe/fingerprint.ts).
   */
  sharedParagraphs(domain: string, hashes: string[]): Promise<Set<string>>;
  storyIdOf(articleId: string): Promise<string | null>;
  readStory(storyId: string): Promise<StoryRecord | null>;
  /** Story ids in creation order, in pages. */
  storyIds(opts?: { pageSize?: number }): AsyncGenerator<string[]>;
  /** Article ids with their store time (ms), by store time: one page of the listing behind /articles and export. */
  articlesByTime(q: ArticleTimeRange): Promise<{ id: string; at: number }[]>;
  /** Story ids with their creation time (ms), by creation time: one page of the console's story list. */
  storiesByTime(q: ArticleTimeRange): Promise<{ id: string; at: number }[]>;
  /** How many articles were stored at or after `sinceMs` (all when null). */
  countArticles(sinceMs: number | null): Promise<number>;
}

/** A page of articles by store time: scores from `from` towards `to` (inclusive), `offset` rows skipped. */
export interface ArticleTimeRange {
  order: 'asc' | 'desc';
  from: number | '-inf' | '+inf';
  to: number | '-inf' | '+inf';
  offset: number;
  limit: number;
}

const RELATIONS = new Set<string>([
  'original',
  'syndicated-copy',
  'excerpt-copy',
  'near-duplicate',
  'same-url',
]);

/** The JSON under `keys.article(id)`: a member's metadata, its story and relation; never a body. */
export interface StoredMember extends StoryMemberRecord {
  id: string;
  storyId: string;
  relation: StoryRelation;
}

/**
 * A paragraph is a site's boilerplate once two other articles of the site carried it: one repeat may be the
 * same story again (an update under a new address, which must still match its first version); two are a habit.
 */
export const SHARED_MIN_STORIES = 2;

/** How long `get` waits for the body of a story created a moment ago (ms, then gives up). */
const BODY_WAIT_MS = [20, 40, 80];

export function createStoryStore(redis: RedisClient, keys: Keys, opts: { streamMaxLen: number }): StoryStore {
  const store: StoryStore = {
    async decide(plan, article, body) {
      const reply = (await runScript(
        redis,
        'decide-article-4',
        [
          keys.urlIndex(plan.payload.urlHash),
          keys.stream,
          keys.storiesByTime,
          // The page's own publisher entry ('-': the page declares no name; never written).
          keys.publisher(plan.payload.pubKey || '-'),
        ],
        [
          keys.stories,
          JSON.stringify({ ...plan.payload, maxLen: String(opts.streamMaxLen) }),
          plan.signature,
          JSON.stringify(plan.member),
        ],
      )) as [string, string, string, string, number, string, number, string];
      const [kind, articleId, storyId, relation, changed, via, storeBody, dropped] = reply;
      if (storeBody === 1) {
        const bytes = body ?? encodeBody({ ...article, schemaVersion: ARTICLE_SCHEMA_VERSION });
        await redis.set(keys.body(articleId), bytes, 'NX');
      }
      const gone = dropped ? dropped.split(' ') : [];
      if (gone.length > 0) {
        // One key per command: on a cluster each body is in a slot of its own.
        await Promise.all(gone.map(a => redis.unlink(keys.body(a))));
        await redis.zrem(keys.bodyGc, ...gone);
      }
      return {
        kind: kind as DecisionKind,
        articleId,
        storyId,
        relation: relation as StoryRelation,
        representativeChanged: changed === 1,
        via,
        bodyStored: storeBody === 1,
      };
    },
    async get(id) {
      let storyId = (await store.storyIdOf(id)) ?? id;
      for (let attempt = 0; ; attempt++) {
        const [rep, prevRep, mergedInto] = await redis.hmget(
          keys.story(storyId),
          'rep',
          'prevRep',
          'mergedInto',
        );
        if (!rep) {
          // A story merged into another resolves to the survivor (once: a survivor is never merged away again).
          if (mergedInto && mergedInto !== storyId && attempt === 0) {
            storyId = mergedInto;
            continue;
          }
          const legacy = await redis.getBuffer(keys.legacyStoryBody(storyId));
          return legacy ? decodeBody(legacy) : null;
        }
        for (const key of [
          keys.body(rep),
          prevRep ? keys.body(prevRep) : null,
          keys.legacyStoryBody(storyId),
        ]) {
          if (!key) continue;
          const raw = await redis.getBuffer(key);
          if (raw) return decodeBody(raw);
        }
        // A story whose decision is a round trip old has no body yet: wait that out, briefly.
        if (attempt >= BODY_WAIT_MS.length) return null;
        await new Promise(done => setTimeout(done, BODY_WAIT_MS[attempt]));
      }
    },
    async lacksBody(articleId) {
      const storyId = await store.storyIdOf(articleId);
      if (!storyId || (await redis.hget(keys.story(storyId), 'rep')) !== articleId) return false;
      return (await redis.exists(keys.body(articleId))) === 0;
    },
    async collectBodies({ now, olderThanMs, limit = 1_000 }) {
      const ids = await redis.zrangebyscore(keys.bodyGc, '-inf', now - olderThanMs, 'LIMIT', 0, limit);
      if (ids.length === 0) return { examined: 0, removed: 0, deleted: 0 };
      const members = await redis.mget(...ids.map(a => keys.article(a)));
      const storyIds = members.map(json =>
        json ? ((JSON.parse(json) as StoredMember).storyId ?? null) : null,
      );
      const heads = await Promise.all(
        storyIds.map(s =>
          s ? redis.hmget(keys.story(s), 'rep', 'prevRep') : Promise.resolve<(string | null)[]>([null, null]),
        ),
      );
      // The body a new representative replaced is what readers get until the new one is stored: kept while the
      // new one is missing (its writer died; the retry will store it), collected on a later pass.
      const keep = await Promise.all(
        ids.map(async (a, i) => {
          const [rep = null, prevRep = null] = heads[i]!;
          if (rep === a) return true;
          return prevRep === a && rep !== null && (await redis.exists(keys.body(rep))) === 0;
        }),
      );
      const garbage = ids.filter((_, i) => !keep[i]);
      const current = ids.filter((a, i) => heads[i]![0] === a);
      const deleted = await Promise.all(garbage.map(a => redis.unlink(keys.body(a))));
      const done = [...garbage, ...current];
      if (done.length > 0) await redis.zrem(keys.bodyGc, ...done);
      // Those kept go to the back of the list, so they never hide newer garbage from the next pass.
      const waiting = ids.filter((a, i) => keep[i] && heads[i]![0] !== a);
      if (waiting.length > 0) await redis.zadd(keys.bodyGc, 'XX', ...waiting.flatMap(a => [now, a]));
      return { examined: ids.length, removed: done.length, deleted: deleted.reduce((x, y) => x + y, 0) };
    },
    idForUrlHash(urlHash) {
      return redis.get(keys.urlIndex(urlHash));
    },
    async sharedParagraphs(domain, hashes) {
      if (!domain || hashes.length === 0) return new Set();
      const counts = await redis.hmget(keys.siteParagraphs(domain), ...hashes);
      return new Set(hashes.filter((_, i) => Number(counts[i] ?? 0) >= SHARED_MIN_STORIES));
    },
    async knownUrlHashes(urlHashes) {
      if (urlHashes.length === 0) return [];
      const values = await redis.mget(...urlHashes.map(h => keys.urlIndex(h)));
      return values.map(v => v !== null);
    },
    async storyIdOf(articleId) {
      const json = await redis.get(keys.article(articleId));
      return json ? ((JSON.parse(json) as StoredMember).storyId ?? null) : null;
    },
    async readStory(storyId) {
      const [head, ids] = await Promise.all([
        redis.hmget(keys.story(storyId), 'rep', 'created', 'updated', 'mergedInto'),
        redis.zrange(keys.storyMembers(storyId), 0, -1),
      ]);
      const [rep, created, updated, mergedInto] = head;
      // A story merged into another resolves to the survivor.
      if (!rep) return mergedInto && mergedInto !== storyId ? store.readStory(mergedInto) : null;
      const rows = ids.length > 0 ? await redis.mget(...ids.map(id => keys.article(id))) : [];
      const members: StoryMemberView[] = [];
      for (const json of rows) {
        if (!json) continue;
        const { id: _id, storyId: _story, relation, ...record } = JSON.parse(json) as StoredMember;
        members.push({
          ...withUrlKey(record),
          relation: RELATIONS.has(relation) ? relation : 'near-duplicate',
        });
      }
      return {
        storyId,
        representativeId: rep,
        createdAt: new Date(Number(created)).toISOString(),
        updatedAt: new Date(Number(updated)).toISOString(),
        members,
      };
    },
    async articlesByTime(q) {
      const range = [keys.articlesByTime, q.from, q.to, 'WITHSCORES', 'LIMIT', q.offset, q.limit] as const;
      const flat =
        q.order === 'asc' ? await redis.zrangebyscore(...range) : await redis.zrevrangebyscore(...range);
      const rows: { id: string; at: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) rows.push({ id: flat[i]!, at: Number(flat[i + 1]) });
      return rows;
    },
    storiesByTime(q) {
      return timeRange(redis, keys.storiesByTime, q);
    },
    async countArticles(sinceMs) {
      return await redis.zcount(keys.articlesByTime, sinceMs ?? '-inf', '+inf');
    },
    async *storyIds(opts = {}) {
      const size = opts.pageSize ?? 500;
      for (let start = 0; ; start += size) {
        const page = await redis.zrange(keys.storiesByTime, start, start + size - 1);
        if (page.length > 0) yield page;
        if (page.length < size) return;
      }
    },
  };
  return store;
}

/** One page of a sorted set scored by time. */
async function timeRange(
  redis: RedisClient,
  key: string,
  q: ArticleTimeRange,
): Promise<{ id: string; at: number }[]> {
  const range = [key, q.from, q.to, 'WITHSCORES', 'LIMIT', q.offset, q.limit] as const;
  const flat =
    q.order === 'asc' ? await redis.zrangebyscore(...range) : await redis.zrevrangebyscore(...range);
  const rows: { id: string; at: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) rows.push({ id: flat[i]!, at: Number(flat[i + 1]) });
  return rows;
}
