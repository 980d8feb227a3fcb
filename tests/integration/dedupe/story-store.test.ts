import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEDUPE, explainStory, planDecision, toExportLine } from '../../../src/dedupe/story.js';
import { hashKey } from '../../../src/dedupe/url-key.js';
import type { Attribution } from '../../../src/extract/types.js';
import { ARTICLE_SCHEMA_VERSION, type NormalizedArticle } from '../../../src/dedupe/article.js';
import { encodeBody } from '../../../src/store/body.js';
import { keysFor, type Keys } from '../../../src/store/keys.js';
import { createStoryStore, type StoryStore } from '../../../src/store/story-store.js';
import { cleanupPrefix, testPrefix, testRedis } from '../../helpers/redis.js';
import { bodyKeys, decide, edit, makeArticle, streamEvents, text } from './helpers.js';

const ORIG = 'https://ledger.example/2026/11/20/cranes/';

function footer(over: Partial<Attribution> = {}): Attribution {
  return {
    originalUrl: ORIG,
    originalPublisher: 'Harbor Ledger',
    method: 'yoast-footer',
    evidence: 'The post Cranes appeared first on Harbor Ledger.',
    originalTitle: 'Cranes',
    ...over,
  };
}

describe('story decisions in Redis (decide-article-4.lua)', () => {
  const redis: Redis = testRedis();
  const prefixes: string[] = [];
  let keys: Keys;
  let store: StoryStore;

  beforeEach(() => {
    const prefix = testPrefix('story');
    prefixes.push(prefix);
    keys = keysFor(prefix);
    store = createStoryStore(redis, keys, { streamMaxLen: 10_000 });
  });

  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  it('original first, then a footer copy: one story, the original represents it, one event each', async () => {
    const original = makeArticle(ORIG, { siteName: 'Harbor Ledger', title: 'Cranes' });
    const copy = makeArticle('https://hub.example/business/cranes/?utm_source=rss', {
      contentText: `${text(1)} The post Cranes appeared first on Harbor Ledger.`,
      publishedAt: '2026-11-20T10:05:00.000Z',
    });
    expect(await decide(store, original)).toMatchObject({ kind: 'created', relation: 'original' });
    const d = await decide(store, copy, footer());
    expect(d).toMatchObject({
      kind: 'joined',
      storyId: original.id,
      relation: 'syndicated-copy',
      via: 'attribution',
      representativeChanged: false,
    });
    const story = await store.readStory(original.id);
    expect(story?.representativeId).toBe(original.id);
    expect(story?.members.map(m => [m.url, m.relation])).toEqual([
      [ORIG, 'original'],
      [copy.url, 'syndicated-copy'],
    ]);
    expect((await store.get(copy.id))?.url).toBe(ORIG);
    expect(await bodyKeys(redis, keys.prefix)).toHaveLength(1);
    const events = await streamEvents(redis, keys.stream);
    expect(events.map(e => [e.type, e.articleId])).toEqual([
      ['story.created', original.id],
      ['story.member_added', copy.id],
    ]);
    expect(events[1]).toMatchObject({ storyId: original.id, url: copy.url, version: '1' });
  });

  it('copy before original: the original takes over, its body replaces the copy’s, story.updated is published', async () => {
    const copy = makeArticle('https://hub.example/business/cranes/', {
      contentText: `${text(2, 60)} […] The post Cranes appeared first on Harbor Ledger.`,
      publishedAt: '2026-11-20T10:05:00.000Z',
    });
    const original = makeArticle(ORIG, { contentText: text(2), siteName: 'Harbor Ledger', title: 'Cranes' });
    expect(await decide(store, copy, footer())).toMatchObject({ kind: 'created', relation: 'excerpt-copy' });
    expect((await store.get(copy.id))?.url).toBe(copy.url);
    const d = await decide(store, original);
    expect(d).toMatchObject({
      kind: 'joined',
      storyId: copy.id,
      relation: 'original',
      representativeChanged: true,
      via: 'attribution',
    });
    expect((await store.get(copy.id))?.url).toBe(ORIG);
    expect(await bodyKeys(redis, keys.prefix)).toHaveLength(1);
    const events = await streamEvents(redis, keys.stream);
    expect(events.map(e => [e.type, e.articleId])).toEqual([
      ['story.created', copy.id],
      ['story.updated', original.id],
    ]);
    const line = toExportLine((await store.readStory(copy.id))!);
    expect(line.representativeUrl).toBe(ORIG);
    expect(line.members.find(m => m.url === copy.url)).toMatchObject({
      relation: 'excerpt-copy',
      attribution: { originalUrl: ORIG, originalPublisher: 'Harbor Ledger', method: 'yoast-footer' },
    });
    // explain names the copy whose credit reserved the story as the member the original matched.
    const explained = explainStory((await store.readStory(copy.id))!);
    expect(explained.map(e => [e.articleId, e.via, e.matched?.articleId ?? null])).toEqual([
      [copy.id, 'new', null],
      [original.id, 'attribution', copy.id],
    ]);
  });

  it('a second copy joins the story the first copy reserved: explain names that copy, and it stays a copy', async () => {
    const c1 = makeArticle('https://hub.example/business/cranes/', {
      contentText: `${text(2)} The post Cranes appeared first on Harbor Ledger.`,
    });
    const c2 = makeArticle('https://wire.example/cranes', {
      contentText: `${text(3)} The post Cranes appeared first on Harbor Ledger.`,
    });
    await decide(store, c1, footer());
    expect(await decide(store, c2, footer())).toMatchObject({ storyId: c1.id, via: 'attribution' });
    const story = (await store.readStory(c1.id))!;
    expect(explainStory(story).find(e => e.articleId === c2.id)?.matched?.articleId).toBe(c1.id);
    // The reserving copy is evidence, not the original: nobody is called the original until it arrives.
    expect(story.members.map(m => m.relation)).not.toContain('original');
  });

  it('a re-run decision writes and publishes nothing', async () => {
    const a = makeArticle('https://ledger.example/a');
    await decide(store, a);
    const before = await redis.xlen(keys.stream);
    expect(await decide(store, a)).toMatchObject({ kind: 'exists', storyId: a.id, relation: 'same-url' });
    expect(await redis.xlen(keys.stream)).toBe(before);
    expect(await store.knownUrlHashes([a.id, 'nope'])).toEqual([true, false]);
  });

  it('footer naming only the site: publisher table + title, in either order', async () => {
    const credit = footer({ originalUrl: null, originalTitle: 'Port approves cranes' });
    // Original first: the publisher table learns "Harbor Ledger" → ledger.example from og:site_name,
    // corroborated by its JSON-LD publisher address on the same site.
    const publisherUrl = 'https://www.ledger.example/';
    const o1 = makeArticle('https://ledger.example/p/1', {
      siteName: 'Harbor Ledger',
      title: 'Port approves cranes',
    });
    const c1 = makeArticle('https://hub.example/p/1', {
      contentText: text(30),
      title: 'Port approves cranes',
    });
    await decide(store, o1, null, { publisherUrl });
    expect(await decide(store, c1, credit)).toMatchObject({ storyId: o1.id, via: 'attribution' });

    // Copy first: it waits under (publisher, title); the original, when it comes, claims the story.
    const c2 = makeArticle('https://hub.example/p/2', { contentText: text(40) });
    const o2 = makeArticle('https://ledger.example/p/2', {
      siteName: 'Harbor Ledger',
      title: 'Rail link opens - Harbor Ledger',
      contentText: text(41),
    });
    const created = await decide(store, c2, footer({ originalUrl: null, originalTitle: 'Rail link opens' }));
    expect(created.kind).toBe('created');
    expect(await decide(store, o2, null, { feedTitle: 'Rail link opens', publisherUrl })).toMatchObject({
      storyId: c2.id,
      relation: 'original',
      representativeChanged: true,
    });
  });

  it('content keys: exact body, excerpt lead, lightly edited copy join; distinct texts and templates do not', async () => {
    const base = makeArticle('https://a.example/1', {
      contentText: text(50, 400),
      publishedAt: '2026-11-19T00:00:00Z',
    });
    await decide(store, base);
    const same = makeArticle('https://b.example/1', { contentText: text(50, 400).toUpperCase() });
    expect(await decide(store, same)).toMatchObject({
      storyId: base.id,
      via: 'body',
      relation: 'syndicated-copy',
    });
    const excerpt = makeArticle('https://c.example/1', {
      contentText: `${text(50, 400).split(' ').slice(0, 55).join(' ')} […]`,
    });
    expect(await decide(store, excerpt)).toMatchObject({
      storyId: base.id,
      via: 'lead',
      relation: 'excerpt-copy',
    });
    const edited = makeArticle('https://d.example/1', { contentText: edit(text(50, 400), 20, 3) });
    expect(await decide(store, edited)).toMatchObject({
      storyId: base.id,
      via: 'minhash',
      relation: 'near-duplicate',
    });

    const other = makeArticle('https://e.example/1', { contentText: text(51, 400) });
    expect(await decide(store, other)).toMatchObject({ kind: 'created' });
    // A template: same wording, other figures (every number token changed).
    const template = makeArticle('https://f.example/1', {
      contentText: text(50, 400).replace(/\d+/g, n => String(Number(n) + 1)),
    });
    expect(await decide(store, template)).toMatchObject({ kind: 'created' });
    expect(await bodyKeys(redis, keys.prefix)).toHaveLength(3);

    // Each member keeps the evidence that put it there (`newsflow stories explain`).
    const story = await store.readStory(base.id);
    const why = explainStory(story as NonNullable<typeof story>);
    expect(why.map(e => [e.url, e.via])).toEqual([
      [base.url, 'new'],
      [same.url, 'body'],
      [excerpt.url, 'lead'],
      [edited.url, 'minhash'],
    ]);
    expect(why[0]?.matched).toBeNull();
    expect(why[1]?.matched).toEqual({ articleId: base.id, url: base.url });
    // The edited copy matched a full text of the story: the original or its same-body copy (equal similarity).
    expect([base.id, same.id]).toContain(why[3]?.matched?.articleId);
    expect(why[1]?.similarity).toBe(1);
    const editedSimilarity = why[3]?.similarity ?? 0;
    expect(editedSimilarity).toBeGreaterThanOrEqual(DEFAULT_DEDUPE.editedJaccard);
    expect(editedSimilarity).toBeLessThan(1);
    expect(why.filter(e => e.representative).map(e => e.articleId)).toEqual([base.id]);
  });

  it("a site's boilerplate is not evidence: press releases sharing an issuer's long 'About' stay apart", async () => {
    // Each release: its own news, then the issuer's boilerplate (three times as long). A verbatim copy of the
    // first on a wire site bridges nothing: for the second release because the first one's story holds a page of
    // the issuer's site under another title, for later ones because the paragraph counts as boilerplate.
    const about = text(900, 240);
    const release = (r: number): NormalizedArticle =>
      makeArticle(`https://ir.issuer.example/releases/${r}`, {
        title: `Issuer release ${r}`,
        contentText: `${text(910 + r, 80)}\n${about}`,
      });
    const r0 = release(0);
    expect(await decide(store, r0)).toMatchObject({ kind: 'created' });
    const copy = makeArticle('https://wire.example/news/issuer-release', {
      title: 'Issuer release 0',
      contentText: r0.contentText,
    });
    expect(await decide(store, copy)).toMatchObject({ kind: 'joined', storyId: r0.id, via: 'body' });
    for (const r of [1, 2, 3, 4]) {
      const d = await decide(store, release(r));
      expect(d, `release ${r}`).toMatchObject({ kind: 'created' });
    }
    // The issuer's paragraph is counted once per stored release; the wire site's copy counts for the wire site.
    const counts = await redis.hvals(keys.siteParagraphs('issuer.example'));
    expect(Math.max(...counts.map(Number))).toBe(5);
    expect(await redis.pttl(keys.siteParagraphs('issuer.example'))).toBeGreaterThan(0);
  });

  it('an aggregator carrying two versions of one story under two headlines: both join the original', async () => {
    const original = makeArticle('https://daily.example/2026/11/20/harbor', {
      title: 'Harbor approves cranes',
      contentText: `${text(960, 150)}\n${text(961, 150)}`,
    });
    const first = makeArticle('https://hub.example/a/harbor-cranes', {
      title: 'Cranes for the harbor',
      contentText: original.contentText,
      publishedAt: '2026-11-20T11:00:00.000Z',
    });
    const second = makeArticle('https://hub.example/b/harbor-cranes-approved', {
      title: 'Board says yes to cranes',
      contentText: `${text(960, 150)}\n${edit(text(961, 150), 8)}`,
      publishedAt: '2026-11-20T12:00:00.000Z',
    });
    expect(await decide(store, original)).toMatchObject({ kind: 'created' });
    expect(await decide(store, first)).toMatchObject({ kind: 'joined', storyId: original.id });
    expect((await store.readStory(original.id))?.representativeId).toBe(original.id);
    // The story's page of hub.example under another title is a copy, not the story's original: no bar.
    expect(await decide(store, second)).toMatchObject({ kind: 'joined', storyId: original.id });
  });

  it('a second version of one story on its own site is not a repeat: its paragraphs stay evidence', async () => {
    const first = makeArticle('https://daily.example/2026/11/20/cranes', {
      title: 'Cranes arrive',
      contentText: `${text(950, 120)}\n${text(951, 120)}`,
    });
    const update = makeArticle('https://daily.example/2026/11/20/cranes-updated', {
      title: 'Cranes arrive',
      contentText: `${text(950, 120)}\n${edit(text(951, 120), 12)}`,
    });
    expect(await decide(store, first)).toMatchObject({ kind: 'created' });
    expect(await decide(store, update)).toMatchObject({ kind: 'joined', storyId: first.id });
    const counts = await redis.hvals(keys.siteParagraphs('daily.example'));
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every(c => c === '1')).toBe(true);
  });

  it('a text matching two stories bridges them: the excerpt-first and the edited-copy stories merge', async () => {
    const full = text(80, 400);
    const excerpt = makeArticle('https://x.example/e', {
      contentText: `${full.split(' ').slice(0, 55).join(' ')} […]`,
      publishedAt: '2026-11-20T12:00:00Z',
    });
    const edited = makeArticle('https://y.example/e', {
      contentText: edit(full, 20, 7),
      publishedAt: '2026-11-20T11:00:00Z',
    });
    const copy = makeArticle('https://z.example/e', {
      contentText: full,
      publishedAt: '2026-11-20T13:00:00Z',
    });
    const s1 = await decide(store, excerpt, footer());
    const s2 = await decide(store, edited);
    // An excerpt and an edited copy share too little text to find each other.
    expect(s2.kind).toBe('created');
    const d = await decide(store, copy, footer());
    expect(d).toMatchObject({ storyId: s1.storyId, via: 'attribution' });
    expect(await redis.zrange(keys.storiesByTime, 0, -1)).toEqual([s1.storyId]);
    expect(await bodyKeys(redis, keys.prefix)).toHaveLength(1);
    const merged = await store.readStory(s2.storyId);
    expect(merged?.storyId).toBe(s1.storyId);
    expect(merged?.members.map(m => m.url).sort()).toEqual([copy.url, edited.url, excerpt.url].sort());
    // The earliest publication (the edited copy) now represents the story; its body moved with it.
    expect(merged?.representativeId).toBe(edited.id);
    expect((await store.get(s1.storyId))?.url).toBe(edited.url);
    expect(await store.storyIdOf(edited.id)).toBe(s1.storyId);
    const events = await streamEvents(redis, keys.stream);
    expect(events.slice(2).map(e => [e.type, e.articleId])).toEqual([
      ['story.member_added', edited.id],
      ['story.updated', edited.id],
      ['story.member_added', copy.id],
    ]);
    // When the original arrives it still takes over: the wait for it moved with the merge.
    const original = makeArticle(ORIG, { contentText: full, publishedAt: '2026-11-20T09:00:00Z' });
    expect(await decide(store, original)).toMatchObject({
      storyId: s1.storyId,
      relation: 'original',
      representativeChanged: true,
    });
  });

  it('an original awaited by a story that was merged away joins the surviving story', async () => {
    const full = text(95, 400);
    const at = (h: number): string =>
      new Date(Date.parse('2026-11-20T00:00:00Z') + h * 3_600_000).toISOString();
    const names = (url: string): Attribution => footer({ originalUrl: url });
    const x1 = makeArticle('https://x.example/1', {
      contentText: `${full.split(' ').slice(0, 55).join(' ')} […]`,
      publishedAt: at(5),
    });
    const e = makeArticle('https://e.example/1', { contentText: edit(full, 20, 1), publishedAt: at(6) });
    const c2 = makeArticle('https://c2.example/1', { contentText: edit(full, 20, 2), publishedAt: at(7) });
    const c4 = makeArticle('https://c4.example/1', { contentText: edit(full, 20, 3), publishedAt: at(8) });
    const c3 = makeArticle('https://c3.example/1', { contentText: full, publishedAt: at(9) });
    const sa = (await decide(store, x1, names(ORIG))).storyId;
    const sb = (await decide(store, e)).storyId;
    expect(sb).not.toBe(sa);
    expect(await decide(store, c2, names('https://o2.example/a'))).toMatchObject({ storyId: sb });
    expect(await decide(store, c4, names('https://o4.example/a'))).toMatchObject({ storyId: sb });
    // c3 names ORIG (story sa) and its text matches sb: sb is merged into sa.
    expect(await decide(store, c3, names(ORIG))).toMatchObject({ storyId: sa });
    expect(await redis.hget(keys.story(sb), 'mergedInto')).toBe(sa);
    // o4 was awaited by sb under a key the merge did not move: it still lands in sa.
    const o4 = makeArticle('https://o4.example/a', { contentText: full, publishedAt: at(1) });
    expect(await decide(store, o4)).toMatchObject({
      storyId: sa,
      relation: 'original',
      representativeChanged: true,
    });
    expect(await redis.zrange(keys.storiesByTime, 0, -1)).toEqual([sa]);
    expect(await bodyKeys(redis, keys.prefix)).toHaveLength(1);
  });

  it('LSH buckets expire with the window: a copy found within it, not two windows later', async () => {
    const day = 86_400_000;
    const settings = { ...DEFAULT_DEDUPE, windowMs: day };
    const t0 = Date.parse('2026-11-20T12:00:00Z');
    const original = makeArticle('https://a.example/w', { contentText: text(90, 400) });
    await decide(store, original, null, { now: t0, settings });
    const soon = makeArticle('https://b.example/w', { contentText: edit(text(90, 400), 20, 1) });
    expect(await decide(store, soon, null, { now: t0 + day, settings })).toMatchObject({ via: 'minhash' });
    const late = makeArticle('https://c.example/w', { contentText: edit(text(90, 400), 20, 2) });
    expect(await decide(store, late, null, { now: t0 + 3 * day, settings })).toMatchObject({
      kind: 'created',
    });
    // Every bucket hash carries a TTL of at most two windows.
    const lshKeys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.stories}lsh:*`, 'COUNT', 1000);
      cursor = next;
      lshKeys.push(...found);
    } while (cursor !== '0');
    expect(lshKeys.length).toBeGreaterThan(0);
    for (const k of lshKeys.slice(0, 20)) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2 * day);
    }
  });

  it('an LSH bucket holds at most 1000 ids: one more marks it full, it stops growing and is not read', async () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    const a = makeArticle('https://a.example/full', { contentText: text(91, 400) });
    const plan = planDecision({
      article: a,
      attribution: null,
      urlHash: a.id,
      settings: DEFAULT_DEDUPE,
      now,
    });
    const p = plan.payload;
    const where = (band: number): [string, string] => {
      const h = p.bands[band]!;
      return [`${keys.stories}${p.lshPrefix}${p.lshPeriod}:${band}:${h.slice(0, 2)}`, h.slice(2)];
    };
    const fake = (band: number, n: number): string =>
      Array.from({ length: n }, (_, i) => hashKey(`filler ${band} ${i}`)).join(' ');
    // Band 0's bucket is one short of the cap; every other band's bucket is at the cap (boilerplate).
    for (let b = 0; b < p.bands.length; b++) {
      const [key, field] = where(b);
      await redis.hset(key, field, fake(b, b === 0 ? 999 : 1000));
    }
    expect(await store.decide(plan, a)).toMatchObject({ kind: 'created' });
    const [key0, field0] = where(0);
    const band0 = (await redis.hget(key0, field0))!.split(' ');
    expect(band0).toHaveLength(1000);
    expect(band0.at(-1)).toBe(a.id);
    for (let b = 1; b < p.bands.length; b++) expect(await redis.hget(...where(b))).toBe('*');

    // An edited copy sharing band 0 is found through it (the bucket at the cap is still read); one more text
    // in band 0 fills it, and a full bucket neither grows nor is read.
    const copy = makeArticle('https://b.example/full', { contentText: text(91, 400) });
    const copyPlan = planDecision({
      article: copy,
      attribution: null,
      urlHash: copy.id,
      settings: DEFAULT_DEDUPE,
      now,
    });
    expect(copyPlan.payload.bands[0]).toBe(p.bands[0]);
    expect(await store.decide(copyPlan, copy)).toMatchObject({ kind: 'joined', storyId: a.id });
    expect(await redis.hget(key0, field0)).toBe('*');
    const late = makeArticle('https://c.example/full', { contentText: edit(text(91, 400), 20, 1) });
    const latePlan = planDecision({
      article: late,
      attribution: null,
      urlHash: late.id,
      settings: DEFAULT_DEDUPE,
      now,
    });
    const shared = latePlan.payload.bands.filter((h, b) => h === p.bands[b]);
    expect(shared.length).toBeGreaterThan(0);
    expect(await store.decide(latePlan, late)).toMatchObject({ kind: 'created' });
    for (let b = 0; b < p.bands.length; b++) expect(await redis.hget(...where(b))).toBe('*');
  });

  it('a long template filled with another company stays apart at any similarity; a copy with lines inserted joins', async () => {
    // The same figures and many shared names (exchange, board, regulator, month): only the company differs.
    const notice = (company: string, ticker: string): string =>
      [
        `${company} (Nasdaq: ${ticker}) said on Monday that its Board of Directors declared a quarterly dividend of 0.24 dollars a share, payable on March 16 to holders of record on March 2.`,
        text(60, 150).replace(/\d+\./g, 'and.'),
        `The increase is the twelfth in a row for ${company}, according to a filing with the Securities and Exchange Commission.`,
        text(61, 150).replace(/\d+\./g, 'and.'),
      ].join('\n');
    const first = makeArticle('https://markets.example/notices/nwl', {
      title: 'Northwind Logistics declares dividend',
      contentText: notice('Northwind Logistics', 'NWL'),
    });
    await decide(store, first);
    // Facts of its own on both sides (config dedupe.confirm.ownFacts, 2): the names and the ticker.
    const sibling = makeArticle('https://wire.example/notices/hbt', {
      title: 'Harborline Tankers declares dividend',
      contentText: notice('Harborline Tankers', 'HBT'),
    });
    expect(await decide(store, sibling)).toMatchObject({ kind: 'created' });
    // A republication with a "Read also" headline and an advertisement inserted: more facts, none missing.
    const paras = notice('Northwind Logistics', 'NWL').split('\n');
    const copy = makeArticle('https://aggregator.example/nwl-dividend', {
      title: 'Dividend news',
      // Before the first paragraph, so the lead differs too and the match is by similarity.
      contentText: ['Read also: Central Bank Holds Rates As Inflation Cools', 'Advertisement', ...paras].join(
        '\n',
      ),
    });
    expect(await decide(store, copy)).toMatchObject({ storyId: first.id, via: 'minhash' });
  });

  it('two releases sharing only their boilerplate paragraphs are two stories, whichever copy came first', async () => {
    // No numbers or names in the news: the facts agree, only the paragraphs tell the releases apart.
    const plain = (seed: number, n: number): string => text(seed, n).replace(/\d+\./g, 'and.');
    const about = [
      `About Calder Port Holdings. ${plain(72, 120)}`,
      `Forward-looking statements: ${plain(73, 120)}`,
    ];
    const release = (seed: number): string => [plain(seed, 60), plain(seed + 1, 50), ...about].join('\n');
    // The wire copy of the first release founds the story; no page of the issuer is in it yet.
    const wire = makeArticle('https://wire.example/calder/1', {
      title: 'Calder opens a quay',
      contentText: release(80),
    });
    await decide(store, wire);
    const second = makeArticle('https://calder.example/releases/2', {
      title: 'Calder orders cranes',
      contentText: release(90),
    });
    expect(await decide(store, second)).toMatchObject({ kind: 'created' });
    const first = makeArticle('https://calder.example/releases/1', {
      title: 'Calder opens a quay',
      contentText: release(80),
    });
    expect(await decide(store, first)).toMatchObject({ storyId: wire.id, via: 'body' });
    // An edited copy of the second release still joins it: its paragraphs are not verbatim, yet similar.
    const edited = makeArticle('https://hub.example/calder-cranes', {
      title: 'Cranes for Calder',
      contentText: edit(release(90), 25, 4),
    });
    expect(await decide(store, edited)).toMatchObject({ storyId: second.id, via: 'minhash' });
  });

  it('inside one site, equal text under another title is not a copy (shared stub or template)', async () => {
    const a = makeArticle('https://site.example/a', { title: 'First story', contentText: text(60) });
    const b = makeArticle('https://site.example/b', { title: 'Second story', contentText: text(60) });
    const c = makeArticle('https://site.example/c', { title: 'First story', contentText: text(60) });
    await decide(store, a);
    expect(await decide(store, b)).toMatchObject({ kind: 'created' });
    expect(await decide(store, c)).toMatchObject({ storyId: a.id, via: 'body' });
  });

  it('another address of a stored page (redirect target) joins as same-url without content keys', async () => {
    const a = makeArticle('https://site.example/story');
    await decide(store, a);
    const variant = makeArticle('https://site.example/Story-Old', { finalUrl: 'https://site.example/story' });
    expect(await decide(store, variant)).toMatchObject({ storyId: a.id, relation: 'same-url', via: 'url' });
    const story = await store.readStory(a.id);
    expect(story?.members).toHaveLength(2);
    expect(story?.representativeId).toBe(a.id);
  });

  it('every member gets the same relation whatever order the original, its credited and uncredited copies arrive in', async () => {
    const body = text(90, 400);
    const pages = {
      original: makeArticle(ORIG, {
        contentText: body,
        siteName: 'Harbor Ledger',
        title: 'Cranes',
        publishedAt: '2026-11-20T10:00:00Z',
      }),
      credited: makeArticle('https://hub.example/business/cranes', {
        contentText: body,
        publishedAt: '2026-11-20T10:30:00Z',
      }),
      uncredited: makeArticle('https://wire.example/news/cranes', {
        contentText: body,
        publishedAt: '2026-11-20T11:00:00Z',
      }),
      edited: makeArticle('https://edit.example/cranes', {
        contentText: edit(body, 20, 3),
        publishedAt: '2026-11-20T11:30:00Z',
      }),
    };
    const names = Object.keys(pages) as (keyof typeof pages)[];
    const orders = (rest: typeof names): (typeof names)[] =>
      rest.length <= 1 ? [rest] : rest.flatMap(n => orders(rest.filter(m => m !== n)).map(o => [n, ...o]));
    for (const order of orders(names)) {
      const prefix = testPrefix('story-order');
      prefixes.push(prefix);
      const orderStore = createStoryStore(redis, keysFor(prefix), { streamMaxLen: 10_000 });
      for (const n of order) await decide(orderStore, pages[n], n === 'credited' ? footer() : null);
      const story = await orderStore.readStory((await orderStore.storyIdOf(pages.original.id))!);
      const relations = Object.fromEntries(
        story!.members.map(m => [names.find(n => pages[n].url === m.url) ?? m.url, m.relation] as const),
      );
      expect(relations, order.join(' → ')).toEqual({
        original: 'original',
        credited: 'syndicated-copy',
        uncredited: 'syndicated-copy',
        edited: 'near-duplicate',
      });
      expect(story!.representativeId, order.join(' → ')).toBe(pages.original.id);
    }
  });

  it('without attribution, the earliest publication represents the story and is called the original', async () => {
    const later = makeArticle('https://b.example/x', {
      contentText: text(70),
      publishedAt: '2026-11-21T00:00:00Z',
    });
    const earlier = makeArticle('https://a.example/x', {
      contentText: text(70),
      publishedAt: '2026-11-20T00:00:00Z',
    });
    await decide(store, later);
    expect(await decide(store, earlier)).toMatchObject({ representativeChanged: true, relation: 'original' });
    const story = await store.readStory(later.id);
    expect(Object.fromEntries(story!.members.map(m => [m.url, m.relation]))).toEqual({
      [later.url]: 'syndicated-copy',
      [earlier.url]: 'original',
    });
    // Equal dates: the smaller id wins, whatever the order.
    const t = '2026-11-22T00:00:00Z';
    const x = makeArticle('https://x.example/y', { contentText: text(71), publishedAt: t });
    const y = makeArticle('https://y.example/y', { contentText: text(71), publishedAt: t });
    const [first, second] = x.id < y.id ? [y, x] : [x, y];
    await decide(store, first);
    expect(await decide(store, second)).toMatchObject({ representativeChanged: true });
  });
  it('a body write lost after the decision: readers keep the replaced body, the retry stores it, GC waits for it', async () => {
    const copy = makeArticle('https://hub.example/business/cranes/', {
      contentText: `${text(2, 60)} […] The post Cranes appeared first on Harbor Ledger.`,
      publishedAt: '2026-11-20T10:05:00.000Z',
    });
    const original = makeArticle(ORIG, { contentText: text(2), siteName: 'Harbor Ledger', title: 'Cranes' });
    await decide(store, copy, footer());
    expect(await decide(store, original)).toMatchObject({ representativeChanged: true, bodyStored: true });
    expect(await redis.hmget(keys.story(copy.id), 'rep', 'prevRep')).toEqual([original.id, copy.id]);
    // The state a worker killed between the decision and its body write leaves: the new representative's body
    // missing, the body it replaced still there and on the GC list.
    const replaced = (await redis.getBuffer(keys.body(original.id)))!;
    await redis.del(keys.body(original.id));
    await redis.set(keys.body(copy.id), encodeBody({ ...copy, schemaVersion: ARTICLE_SCHEMA_VERSION }));
    await redis.zadd(keys.bodyGc, 0, copy.id);
    expect((await store.get(copy.id))?.url).toBe(copy.url);
    expect(await store.lacksBody(original.id)).toBe(true);
    // The pruner's GC keeps what readers fall back to while the retry has not run.
    expect(await store.collectBodies({ now: Date.now(), olderThanMs: 0 })).toMatchObject({
      removed: 0,
      deleted: 0,
    });
    expect(await redis.exists(keys.body(copy.id))).toBe(1);
    // The retry: the decision answers `exists` and stores the body.
    expect(await decide(store, original)).toMatchObject({ kind: 'exists', bodyStored: true });
    expect(await redis.getBuffer(keys.body(original.id))).toEqual(replaced);
    expect(await store.lacksBody(original.id)).toBe(false);
    expect((await store.get(copy.id))?.url).toBe(ORIG);
    expect(await store.collectBodies({ now: Date.now(), olderThanMs: 0 })).toMatchObject({
      removed: 1,
      deleted: 1,
    });
    expect(await bodyKeys(redis, keys.prefix)).toEqual([keys.body(original.id)]);
    expect(await redis.zcard(keys.bodyGc)).toBe(0);
    // A member that is not its story's representative never stores a body, on a retry neither.
    expect(await decide(store, copy, footer())).toMatchObject({ kind: 'exists', bodyStored: false });
    expect(await store.lacksBody(copy.id)).toBe(false);
  });

  it('a new story whose body is not written yet reads as null after a short wait, then as its body', async () => {
    const a = makeArticle(ORIG, { contentText: text(3) });
    await decide(store, a);
    const bytes = (await redis.getBuffer(keys.body(a.id)))!;
    await redis.del(keys.body(a.id));
    const started = Date.now();
    expect(await store.get(a.id)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    // Written while a reader waits: the reader gets it.
    const reading = store.get(a.id);
    setTimeout(() => void redis.set(keys.body(a.id), bytes), 30);
    expect((await reading)?.url).toBe(ORIG);
  });

  it('bodies are stored compressed behind the marker, and a body stored as plain JSON before still reads', async () => {
    const a = makeArticle(ORIG, { contentHtml: '<p>Cranes arrive.</p><p>Second paragraph.</p>' });
    const withText = { ...a, contentText: 'Cranes arrive.\nSecond paragraph.' };
    await decide(store, withText);
    const raw = await redis.getBuffer(keys.body(a.id));
    expect([...raw!.subarray(0, 2)]).toEqual([0x00, 0x7a]);
    expect((await store.get(a.id))?.contentText).toBe('Cranes arrive.\nSecond paragraph.');
    // The format every body had before: the article's JSON as it is.
    await redis.set(keys.body(a.id), JSON.stringify({ ...withText, contentText: 'legacy text' }));
    const old = await store.get(a.id);
    expect(old?.contentText).toBe('legacy text');
    expect(old?.url).toBe(ORIG);
    // Where bodies were stored before they left the {stories} slot: read when the story's own key is missing.
    await redis.rename(keys.body(a.id), keys.legacyStoryBody(a.id));
    expect((await store.get(a.id))?.contentText).toBe('legacy text');
  });
});
