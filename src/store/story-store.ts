import type { Redis } from 'ioredis';
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
}

/**
 * The story model in Redis: one decision script per article (src/store/lua/decide-article-4.lua), one
 * body per story, metadata and a pointer per member. Reads are plain commands.
 */
export interface StoryStore {
  /**
   * `body`: the article's stored body when it was encoded already (encodeBody of this article — the extraction
   * thread does it, off the event loop); encoded here otherwise.
   */
  decide(plan: DecisionPlan, article: NormalizedArticle, body?: Buffer): Promise<Decision>;
  /** The representative article (with body) of a story, by story id or by any member's article id. */
  get(id: string): Promise<NormalizedArticle | null>;
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

export function createStoryStore(redis: Redis, keys: Keys, opts: { streamMaxLen: number }): StoryStore {
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
          body ?? encodeBody({ ...article, schemaVersion: ARTICLE_SCHEMA_VERSION }),
        ],
      )) as [string, string, string, string, number, string];
      const [kind, articleId, storyId, relation, changed, via] = reply;
      return {
        kind: kind as DecisionKind,
        articleId,
        storyId,
        relation: relation as StoryRelation,
        representativeChanged: changed === 1,
        via,
      };
    },
    async get(id) {
      const storyId = (await store.storyIdOf(id)) ?? id;
      const raw = await redis.getBuffer(keys.storyBody(storyId));
      return raw ? decodeBody(raw) : null;
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
