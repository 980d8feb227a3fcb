import type { StoryMemberView, StoryRecord, StoryRelation } from '../dedupe/story.js';
import type { NormalizedArticle } from '../dedupe/article.js';
import type { ArticleTimeRange } from '../store/story-store.js';

/**
 * Read views over the story store, shared by the consumer client, the HTTP API and the CLI so all three answer
 * alike. The key layout belongs to the story store (src/store/story-store.ts); this module only composes its
 * reads: a member keeps metadata and a pointer, the body is stored once per story (its representative's).
 */
export interface StoryReads {
  /** The story's body (its representative article), by story id or any member's article id. */
  get(id: string): Promise<NormalizedArticle | null>;
  storyIdOf(articleId: string): Promise<string | null>;
  readStory(storyId: string): Promise<StoryRecord | null>;
  /** Article ids by store time (the listing behind /articles and export). */
  articlesByTime(q: ArticleTimeRange): Promise<{ id: string; at: number }[]>;
  countArticles(sinceMs: number | null): Promise<number>;
  /** Story ids by creation time (the console's story list, newest first). */
  storiesByTime(q: ArticleTimeRange): Promise<{ id: string; at: number }[]>;
}

export interface ArticleView extends StoryMemberView {
  id: string;
  storyId: string;
  representativeId: string;
  isRepresentative: boolean;
  /**
   * The story's one stored body: this article's own when it is the representative, the representative's
   * otherwise (copies keep no body of their own).
   */
  body: NormalizedArticle | null;
}

export interface StoryView extends StoryRecord {
  representativeUrl: string;
  body: NormalizedArticle | null;
}

export interface Reader {
  article(articleId: string): Promise<ArticleView | null>;
  story(storyId: string): Promise<StoryView | null>;
}

export function createReader(store: StoryReads): Reader {
  return {
    async article(articleId) {
      const storyId = await store.storyIdOf(articleId);
      if (!storyId) return null;
      const [story, body] = await Promise.all([store.readStory(storyId), store.get(storyId)]);
      const member = story?.members.find(m => m.articleId === articleId);
      if (!story || !member) return null;
      return {
        id: articleId,
        ...member,
        storyId,
        representativeId: story.representativeId,
        isRepresentative: story.representativeId === articleId,
        body,
      };
    },
    async story(storyId) {
      const [story, body] = await Promise.all([store.readStory(storyId), store.get(storyId)]);
      if (!story) return null;
      const rep = story.members.find(m => m.articleId === story.representativeId);
      return { ...story, representativeUrl: rep?.url ?? body?.url ?? '', body };
    },
  };
}

export type { StoryRelation };
