import type { Redis } from 'ioredis';
import { ARTICLE_SCHEMA_VERSION, type NormalizedArticle } from './article.js';
import type { Keys } from './keys.js';
import { runScript } from './scripts.js';

export const EVENT_SCHEMA_VERSION = 1;

export type StoreResult = { stored: true; streamId: string } | { stored: false; existingId: string };

export interface ArticleStore {
  store(article: NormalizedArticle, urlHash: string): Promise<StoreResult>;
  get(id: string): Promise<NormalizedArticle | null>;
  idForUrlHash(urlHash: string): Promise<string | null>;
  /** Whether each URL key hash already has a stored article (one round trip). */
  knownUrlHashes(urlHashes: string[]): Promise<boolean[]>;
}

export function createArticleStore(redis: Redis, keys: Keys, opts: { streamMaxLen: number }): ArticleStore {
  return {
    async store(article, urlHash) {
      const now = Date.now();
      const reply = (await runScript(
        redis,
        'store-article-4',
        [keys.article(article.id), keys.urlIndex(urlHash), keys.stream, keys.articlesByTime],
        [
          article.id,
          JSON.stringify({ ...article, schemaVersion: ARTICLE_SCHEMA_VERSION }),
          article.url,
          now,
          new Date(now).toISOString(),
          opts.streamMaxLen,
          EVENT_SCHEMA_VERSION,
        ],
      )) as [number, string];
      return reply[0] === 1 ? { stored: true, streamId: reply[1] } : { stored: false, existingId: reply[1] };
    },
    async get(id) {
      const json = await redis.get(keys.article(id));
      return json ? (JSON.parse(json) as NormalizedArticle) : null;
    },
    idForUrlHash(urlHash) {
      return redis.get(keys.urlIndex(urlHash));
    },
    async knownUrlHashes(urlHashes) {
      if (urlHashes.length === 0) return [];
      const values = await redis.mget(...urlHashes.map(h => keys.urlIndex(h)));
      return values.map(v => v !== null);
    },
  };
}
