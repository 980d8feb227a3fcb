import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toExportLine, type StoryRecord } from '../../../src/dedupe/story.js';
import { canonicalUrlKey } from '../../../src/dedupe/url-key.js';
import { listArticles } from '../../../src/api/articles.js';
import { testPrefix } from '../../helpers/redis.js';
import { publishDemo, type Published } from '../api/fixtures.js';

/**
 * Issue 13 item 4: `canonicalUrl` is the page's declared canonical (else its final URL); the dedupe key is its own
 * field, `urlKey`. The demo pages declare `<link rel="canonical" href="http://127.0.0.1:…/…/">` — the key folds
 * that to `https://…` without the trailing slash, which is no address of the page.
 */
describe('canonicalUrl is the declared canonical; urlKey the dedupe key', { timeout: 120_000 }, () => {
  let pub: Published;
  const stories: StoryRecord[] = [];

  beforeAll(async () => {
    pub = await publishDemo(testPrefix('canon'));
    for await (const ids of pub.rt.store.storyIds()) {
      for (const id of ids) {
        const s = await pub.rt.store.readStory(id);
        if (s) stories.push(s);
      }
    }
  });
  afterAll(async () => {
    await pub?.close();
  });

  it('every member record, export line and /articles summary carries both, and they differ as they should', async () => {
    const members = stories.flatMap(s => s.members);
    expect(members).toHaveLength(3);
    for (const m of members) {
      const body = await pub.rt.store.get(m.articleId);
      // The representative's body keeps what the page declared; every member declared one too.
      expect(m.canonicalUrl, m.url).toMatch(/^http:\/\/127\.0\.0\.[12]:\d+\/.+\/$/);
      expect(m.urlKey).toBe(canonicalUrlKey(m.canonicalUrl));
      expect(m.urlKey).toMatch(/^https:\/\//);
      if (body?.id === m.articleId) expect(m.canonicalUrl).toBe(body.canonicalUrl);
    }
    const exported = stories.map(toExportLine).flatMap(l => l.members);
    expect(exported.map(m => [m.canonicalUrl, m.urlKey]).sort()).toEqual(
      members.map(m => [m.canonicalUrl, m.urlKey]).sort(),
    );
    const page = await listArticles(pub.rt.store, { limit: 10, order: 'asc' });
    expect(page.items.map(a => [a.canonicalUrl, a.urlKey]).sort()).toEqual(
      members.map(m => [m.canonicalUrl, m.urlKey]).sort(),
    );
  });

  it('a member stored before urlKey existed still reads: its canonicalUrl held the key', async () => {
    const story = stories[0]!;
    const m = story.members[0]!;
    const key = pub.rt.keys.article(m.articleId);
    const stored = JSON.parse((await pub.rt.redis.get(key))!) as Record<string, unknown>;
    const { urlKey, schemaVersion: _v, ...old } = stored;
    await pub.rt.redis.set(key, JSON.stringify({ ...old, canonicalUrl: urlKey }));
    const again = await pub.rt.store.readStory(story.storyId);
    const read = again!.members.find(x => x.articleId === m.articleId)!;
    expect(read.urlKey).toBe(urlKey);
    expect(toExportLine(again!).members.find(x => x.url === m.url)?.urlKey).toBe(urlKey);
  });
});
