import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_DEDUPE,
  pinnedPublishers,
  publisherKey,
  type DedupeSettings,
} from '../../../src/dedupe/story.js';
import type { Attribution } from '../../../src/extract/types.js';
import { keysFor, type Keys } from '../../../src/store/keys.js';
import { createStoryStore, type StoryStore } from '../../../src/store/story-store.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';
import { decide, makeArticle, text } from './helpers.js';

/** A copy whose credit names only the site and the title ("The post T appeared first on Reuters."). */
function nameOnly(publisher: string, title: string): Attribution {
  return {
    originalUrl: null,
    originalPublisher: publisher,
    method: 'yoast-footer',
    evidence: `The post ${title} appeared first on ${publisher}.`,
    originalTitle: title,
  };
}

describe('publisher table integrity (decide-article-4.lua, real Redis)', () => {
  const redis: Redis = testRedis();
  const prefixes: string[] = [];
  let keys: Keys;
  let store: StoryStore;
  let seed = 100;

  beforeEach(() => {
    const prefix = testPrefix('pub');
    prefixes.push(prefix);
    keys = keysFor(prefix);
    store = createStoryStore(redis, keys, { streamMaxLen: 10_000 });
  });

  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  const page = (url: string, siteName: string, title: string) =>
    makeArticle(url, { siteName, title, contentText: text(seed++) });
  const entry = (name: string) => redis.hgetall(keys.publisher(publisherKey(name)));

  it('a hostile page with og:site_name "Reuters" cannot claim a name its domain spells', async () => {
    const real = page('https://www.reuters.com/markets/rates-1', 'Reuters', 'Rates hold');
    expect(await decide(store, real)).toMatchObject({ kind: 'created' });
    expect(await entry('reuters')).toMatchObject({ dom: 'reuters.com', str: '3' });

    // Even with its own JSON-LD publisher address and many pages, the hostile site does not take the name.
    for (let i = 0; i < 5; i++) {
      await decide(store, page(`https://evil.example/r/${i}`, 'Reuters', `Hostile story ${i}`), null, {
        publisherUrl: 'https://evil.example/',
      });
    }
    expect(await entry('reuters')).toMatchObject({ dom: 'reuters.com', 'n:evil.example': '5' });

    // A copy crediting Reuters with the hostile page's title does not join the hostile page…
    const hostileTitle = makeArticle('https://hub.example/c/1', { contentText: text(seed++) });
    const d1 = await decide(store, hostileTitle, nameOnly('Reuters', 'Hostile story 0'));
    expect(d1.kind).toBe('created');
    // …and one crediting the real title joins the real page.
    const copy = makeArticle('https://hub.example/c/2', { contentText: text(seed++) });
    expect(await decide(store, copy, nameOnly('Reuters', 'Rates hold'))).toMatchObject({
      kind: 'joined',
      storyId: real.id,
      via: 'attribution',
    });
  });

  it('a page whose claim does not hold cannot answer for a copy waiting under (name, title)', async () => {
    const copy = makeArticle('https://hub.example/w/1', { contentText: text(seed++) });
    expect((await decide(store, copy, nameOnly('Reuters', 'Oil rises'))).kind).toBe('created');
    // og:site_name alone, one page: not corroborated.
    const hostile = page('https://evil.example/oil', 'Reuters', 'Oil rises');
    expect(await decide(store, hostile)).toMatchObject({ kind: 'created', storyId: hostile.id });
    expect((await entry('reuters')).dom).toBeUndefined();
    // The real publisher, when it comes, claims the story and represents it.
    const real = page('https://www.reuters.com/oil', 'Reuters', 'Oil rises');
    expect(await decide(store, real)).toMatchObject({
      kind: 'joined',
      storyId: copy.id,
      relation: 'original',
      representativeChanged: true,
    });
  });

  it('several pages of one domain teach a name; a better-corroborated domain replaces them, an equal one does not', async () => {
    const name = 'Harbor Ledger';
    for (let i = 0; i < 2; i++) await decide(store, page(`https://ledger.example/a/${i}`, name, `A ${i}`));
    expect((await entry(name.toLowerCase())).dom).toBeUndefined();
    await decide(store, page('https://ledger.example/a/2', name, 'A 2'));
    expect(await entry('harbor ledger')).toMatchObject({ dom: 'ledger.example', str: '1' });

    // Another domain with as many pages: equal evidence, the learned entry stays.
    for (let i = 0; i < 4; i++) await decide(store, page(`https://squat.example/b/${i}`, name, `B ${i}`));
    expect((await entry('harbor ledger')).dom).toBe('ledger.example');

    // A domain whose JSON-LD publisher is on its own site is better corroborated.
    await decide(store, page('https://harbor-ledger.example/c/1', name, 'C 1'), null, {
      publisherUrl: 'https://harbor-ledger.example/about',
    });
    expect(await entry('harbor ledger')).toMatchObject({ dom: 'harbor-ledger.example', str: '2' });
  });

  it('entries expire; only the holding domain keeps its entry alive; claim counts are bounded', async () => {
    const settings: DedupeSettings = { ...DEFAULT_DEDUPE, publisherTtlMs: 60_000 };
    await decide(store, page('https://www.invezz.com/a', 'Invezz', 'A'), null, { settings });
    const key = keys.publisher(publisherKey('invezz'));
    expect(await redis.pttl(key)).toBeGreaterThan(50_000);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(60_000);
    await redis.pexpire(key, 5_000);
    // A page of another domain counts, but does not extend the entry's life.
    await decide(store, page('https://other.example/a', 'Invezz', 'B'), null, { settings });
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);
    // A page of the holding domain does.
    await decide(store, page('https://www.invezz.com/b', 'Invezz', 'C'), null, { settings });
    expect(await redis.pttl(key)).toBeGreaterThan(50_000);

    for (let i = 0; i < 40; i++) {
      await decide(store, page(`https://s${i}.example/x`, 'Invezz', `S ${i}`), null, { settings });
    }
    expect(await redis.hlen(key)).toBeLessThanOrEqual(16);
    expect((await entry('invezz')).dom).toBe('invezz.com');
  });

  it('names pinned in config: resolved without the table, never learned, answered only by their domain', async () => {
    const settings: DedupeSettings = {
      ...DEFAULT_DEDUPE,
      publishers: pinnedPublishers({ Invezz: 'invezz.com', 'Harbor Ledger': 'https://www.ledger.example/' }),
    };
    // A well-corroborated page of another domain cannot claim a pinned name.
    const squatter = page('https://invezz.example/x', 'Invezz', 'Gold slips');
    await decide(store, squatter, null, { settings, publisherUrl: 'https://invezz.example/' });
    expect(await redis.exists(keys.publisher(publisherKey('invezz')))).toBe(0);
    const copy = makeArticle('https://hub.example/p/1', { contentText: text(seed++) });
    expect((await decide(store, copy, nameOnly('Invezz', 'Gold slips'), { settings })).kind).toBe('created');

    // The pinned domain's page with no evidence at all is the publisher: it takes the waiting copy…
    const real = page('https://invezz.com/gold', 'Invezz', 'Gold slips');
    expect(await decide(store, real, null, { settings })).toMatchObject({
      storyId: copy.id,
      relation: 'original',
    });
    // …and a later copy resolves through the pinned domain's title index.
    const ledger = page('https://ledger.example/cranes', 'Harbor Ledger', 'Cranes');
    await decide(store, ledger, null, { settings });
    const c2 = makeArticle('https://hub.example/p/2', { contentText: text(seed++) });
    expect(await decide(store, c2, nameOnly('Harbor Ledger', 'Cranes'), { settings })).toMatchObject({
      storyId: ledger.id,
      via: 'attribution',
    });
  });
});
