import { z } from 'zod';
import { feedIdSchema, parsedFeedSchema } from '../config/schema.js';
import { canonicalUrlKey, hashKey } from '../dedupe/url-key.js';
import { websubPushKey, type Keys } from '../store/keys.js';
import type { ArticleJobData, PollJobData } from './queues.js';

/**
 * Job data is input like any other: BullMQ stores it in clear text, and the queue dashboard (or anything with
 * the Redis password) can add jobs with any data. Processors check it here before it names a Redis key or a URL;
 * a job that fails the check ends as a recorded failure (class `invalid-job`, the reason below) and touches
 * nothing else. Pure: no I/O.
 */
export type Checked<T> = { ok: true; data: T } | { ok: false; reason: string };

/** Longest field text accepted in job data: the feed cap (5 MiB) is the largest legitimate source. */
const MAX_TEXT = 8 * 1024 * 1024;
const MAX_URL = 8 * 1024;
const HASH = /^[0-9a-f]{32}$/;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const httpUrl = z
  .string()
  .max(MAX_URL)
  .refine(u => {
    try {
      const p = new URL(u).protocol;
      return p === 'http:' || p === 'https:';
    } catch {
      return false;
    }
  }, 'not an http(s) URL');
const text = z.string().max(MAX_TEXT);

const pollSchema = z.object({
  feedId: feedIdSchema,
  trigger: z.enum(['schedule', 'push', 'manual']).optional(),
  feed: parsedFeedSchema.optional(),
  pushKey: z.string().max(512).optional(),
  /** The scheduler's hash of `feed` (src/feeds/scheduler.ts). */
  cfg: z.string().max(64).optional(),
});

const articleSchema = z.object({
  url: httpUrl,
  urlKey: z.string().max(MAX_URL),
  urlHash: z.string().regex(HASH, '32 lower-case hex digits'),
  feed: z.object({ id: feedIdSchema, url: httpUrl }),
  item: z.object({
    title: text.nullish(),
    publishedAt: z.string().max(256).nullish(),
    contentHtml: text.nullish(),
    summaryHtml: text.nullish(),
    authors: z.array(z.string().max(4096)).max(1000).optional(),
    source: z.object({ url: z.string().max(MAX_URL).nullable(), title: text.nullable() }).nullish(),
  }),
  enqueuedAt: z.string().max(64),
});

function explain(error: z.ZodError): string {
  const first = error.issues.slice(0, 3).map(i => `${i.path.join('.') || '(data)'}: ${i.message}`);
  return `invalid job data: ${first.join('; ')}${error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : ''}`;
}

export function checkPollJobData(data: unknown, keys: Keys): Checked<PollJobData> {
  const r = pollSchema.safeParse(data);
  if (!r.success) return { ok: false, reason: explain(r.error) };
  const d = r.data;
  if (d.feed && d.feed.id !== d.feedId) {
    return { ok: false, reason: `invalid job data: feed.id ${d.feed.id} is not feedId ${d.feedId}` };
  }
  if (d.pushKey !== undefined) {
    // Only a pushed body of this very feed, as the WebSub callback names it: never another key.
    const prefix = websubPushKey(keys, d.feedId, '');
    const ok = d.pushKey.startsWith(prefix) && new RegExp(`^${UUID}$`).test(d.pushKey.slice(prefix.length));
    if (!ok || d.trigger !== 'push') {
      return { ok: false, reason: 'invalid job data: pushKey is not a WebSub delivery of this feed' };
    }
  }
  const out: PollJobData = { feedId: d.feedId };
  if (d.trigger) out.trigger = d.trigger;
  if (d.feed) out.feed = d.feed;
  if (d.pushKey) out.pushKey = d.pushKey;
  return { ok: true, data: out };
}

export function checkArticleJobData(data: unknown): Checked<ArticleJobData> {
  const r = articleSchema.safeParse(data);
  if (!r.success) return { ok: false, reason: explain(r.error) };
  const d = r.data;
  // The URL key and its hash name the article's Redis keys: they must be the ones the URL gives.
  const urlKey = canonicalUrlKey(d.url);
  if (urlKey !== d.urlKey) return { ok: false, reason: 'invalid job data: urlKey is not the key of url' };
  if (hashKey(urlKey) !== d.urlHash) {
    return { ok: false, reason: 'invalid job data: urlHash is not the hash of urlKey' };
  }
  return { ok: true, data: d };
}

/** Fields for the failure record of a job whose data failed the check: only what is safe to echo. */
export function invalidJobSubject(data: unknown): { feedId: string; url: string; urlHash: string } {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');
  // A poll job names its feed as `feedId`, an article job as `feed.id`.
  const feedOf = d.feed && typeof d.feed === 'object' ? (d.feed as Record<string, unknown>).id : undefined;
  const feedId = str(d.feedId ?? feedOf, 64);
  const urlHash = str(d.urlHash, 32);
  return {
    feedId: feedIdSchema.safeParse(feedId).success ? feedId : '',
    url: str(d.url, 2048),
    urlHash: HASH.test(urlHash) ? urlHash : '',
  };
}
