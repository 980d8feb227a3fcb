import type { Queue } from 'bullmq';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FEED_ID_RE, type FeedConfig } from '../../config/schema.js';
import { createReader, type StoryReads } from '../../consumer/reader.js';
import { explainStory, toExportLine, type StoryRecord } from '../../dedupe/story.js';
import { enableFeed } from '../../feeds/state.js';
import { readFailurePage, readFailures, readFeeds, readStatus } from '../../metrics/status.js';
import type { Keys } from '../../store/keys.js';
import type { Watermarks } from '../../store/memory.js';
import type { RedisClient } from '../../store/redis.js';
import { sameSecret } from '../../shared/secrets.js';
import {
  BadCursorError,
  decodeCursor,
  encodeCursor,
  listArticles,
  parseSince,
  type Cursor,
} from '../articles.js';
import { isAuthorized } from '../auth.js';
import type { SafeHtml } from './html.js';
import {
  CONSOLE_CSS_PATH,
  RELATIONS,
  bodyDocument,
  consumersPage,
  errorPage,
  failuresPage,
  feedPage,
  feedsPage,
  storiesPage,
  storyPage,
  type FeedActions,
  type MemberRow,
  type StoryEventRow,
  type StoryFilters,
  type StoryRow,
} from './pages.js';

/**
 * The operator console (issue 19): HTML pages over the same readers as `newsflow status`, /feeds and /metrics,
 * served by the API. No script anywhere — links and forms only — so the CSP can forbid scripts outright; the
 * two actions (enable a feed, poll now) are POSTs behind the admin token with a CSRF token and an Origin check.
 */
export interface ConsoleDeps {
  redis: RedisClient;
  keys: Keys;
  feeds: () => readonly FeedConfig[];
  queues: readonly Queue[];
  adminToken: string | null;
  store: StoryReads;
  memory?: Watermarks | undefined;
  /** Adds a manual poll job for the feed (src/pipeline/queues.ts manualPollJob); absent: no "poll now". */
  pollNow?: ((feedId: string) => Promise<void>) | undefined;
}

/** Every console page: nothing but this origin's stylesheet and frames; no script, no plugin, no base change. */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; " +
  "base-uri 'none'; frame-ancestors 'self'";
/** The story body document: a sandbox (no script, an opaque origin) that may show the article's images. */
export const BODY_CSP = "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'";

const STORY_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
const STORIES_PER_PAGE = 25;
/** Stories read per request at most while filtering: a rare filter costs a bounded read, the page says so. */
export const STORY_SCAN_BOUND = 2_000;
/** Stream entries examined for a story's events (the newest). */
const EVENT_SCAN_BOUND = 5_000;
const FEEDS_PER_PAGE = 50;
const FAILURES_PER_PAGE = 50;

/** The CSRF token of the actions' forms: fixed per admin token, so no server-side session is needed. */
export function csrfToken(adminToken: string): string {
  return createHmac('sha256', adminToken).update('newsflow-console-csrf').digest('base64url');
}

const CSS = readFileSync(new URL('./console.css', import.meta.url), 'utf8');

type Query = Record<string, string | undefined>;

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Query parameters as short strings; anything else (arrays, over-long values) is a 400. */
function query(req: FastifyRequest, allowed: readonly string[]): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (!allowed.includes(k)) throw new PageError(400, `unknown query parameter "${k}"`);
    if (typeof v !== 'string' || v.length > 512) throw new PageError(400, `bad value of "${k}"`);
    const t = v.trim();
    if (t) out[k] = t;
  }
  return out;
}

function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.toString());
}

function matches(story: StoryRecord, f: StoryFilters, tagsOf: Map<string, readonly string[]>): boolean {
  const ms = story.members;
  if (f.feed && !ms.some(m => m.feed.id === f.feed)) return false;
  if (f.tag && !ms.some(m => tagsOf.get(m.feed.id)?.includes(f.tag!))) return false;
  if (f.relation && !ms.some(m => m.relation === f.relation)) return false;
  if (f.q) {
    const needle = f.q.toLowerCase();
    if (!ms.some(m => m.title?.toLowerCase().includes(needle))) return false;
  }
  return true;
}

function timeParam(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = parseSince(text);
  if (t === null) throw new PageError(400, `${name} must be an ISO 8601 date/time or epoch milliseconds`);
  return t;
}

export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const reader = createReader(deps.store);
  const csrf = deps.adminToken ? csrfToken(deps.adminToken) : null;
  const authorized = (req: FastifyRequest): boolean =>
    deps.adminToken !== null && isAuthorized(req.headers.authorization, deps.adminToken);

  void app.register((scope, _opts, done) => {
    scope.addHook('onSend', async (_req, reply, payload) => {
      if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('x-content-type-options', 'nosniff');
      // Not `no-referrer`: under it Chromium posts forms with `Origin: null`, and the actions need the Origin.
      // `same-origin` still sends nothing to other sites (outside links also carry rel="noreferrer").
      reply.header('referrer-policy', 'same-origin');
      return payload;
    });
    // Fastify parses JSON and text only; the actions' forms post urlencoded fields (a few bytes).
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4_096 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.setErrorHandler((err: FastifyError | PageError, req, reply) => {
      const status =
        err instanceof PageError
          ? err.status
          : err instanceof BadCursorError
            ? 400
            : err.statusCode && err.statusCode >= 400 && err.statusCode < 500
              ? err.statusCode
              : 500;
      if (status >= 500) {
        req.log.error({ err }, 'console request failed');
        return sendPage(reply, errorPage(503, 'The store did not answer; try again.'), 503);
      }
      return sendPage(reply, errorPage(status, err.message), status);
    });

    scope.get(CONSOLE_CSS_PATH, (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CSS),
    );

    scope.get('/', async (req, reply) => {
      const q = query(req, ['feed', 'tag', 'relation', 'since', 'until', 'q', 'cursor']);
      const filters: StoryFilters = {
        feed: q.feed,
        tag: q.tag,
        relation: q.relation,
        since: q.since,
        until: q.until,
        q: q.q,
      };
      if (q.relation && !RELATIONS.includes(q.relation as never)) {
        throw new PageError(400, `relation must be one of ${RELATIONS.join(', ')}`);
      }
      const since = timeParam('since', q.since);
      const until = timeParam('until', q.until);
      const cursor: Cursor | undefined = q.cursor ? decodeCursor(q.cursor) : undefined;
      const feeds = deps.feeds();
      const tagsOf = new Map(feeds.map(f => [f.id, f.tags] as const));
      const rows: StoryRow[] = [];
      let scanned = 0;
      let offset = 0;
      let last: Cursor | undefined;
      let next: string | null = null;
      let boundHit = false;
      const from = cursor ? cursor.s : (until ?? '+inf');
      scan: for (;;) {
        const page = await deps.store.storiesByTime({
          order: 'desc',
          from,
          to: since ?? '-inf',
          offset,
          limit: 100,
        });
        if (page.length === 0) break;
        offset += page.length;
        // Ties in score come in descending id order: skip what the cursor's page already showed.
        const fresh = page.filter(
          r => !(cursor && r.at === cursor.s && r.id >= cursor.id) && !(cursor && r.at > cursor.s),
        );
        const stories = await Promise.all(fresh.map(r => deps.store.readStory(r.id)));
        for (let i = 0; i < fresh.length; i++) {
          const row = fresh[i]!;
          last = { o: 'desc', s: row.at, id: row.id };
          scanned++;
          const story = stories[i];
          if (story && story.storyId === row.id && matches(story, filters, tagsOf)) {
            const rep = story.members.find(m => m.articleId === story.representativeId);
            rows.push({
              storyId: story.storyId,
              title: rep?.title ?? null,
              url: rep?.url ?? '',
              siteName: rep?.siteName ?? null,
              wordCount: rep?.wordCount ?? 0,
              members: story.members.length,
              createdAt: story.createdAt,
              updatedAt: story.updatedAt,
            });
            if (rows.length >= STORIES_PER_PAGE) {
              next = encodeCursor(last);
              break scan;
            }
          }
          if (scanned >= STORY_SCAN_BOUND) {
            boundHit = true;
            next = encodeCursor(last);
            break scan;
          }
        }
      }
      const tags = [...new Set(feeds.flatMap(f => f.tags))].sort();
      return sendPage(
        reply,
        storiesPage({
          rows,
          filters,
          next,
          scanned,
          boundHit,
          scanBound: STORY_SCAN_BOUND,
          feedIds: feeds.map(f => f.id),
          tags,
          paged: cursor !== undefined,
        }),
      );
    });

    const storyIdOf = (req: FastifyRequest): string => {
      const id = (req.params as { id: string }).id;
      if (!STORY_ID_RE.test(id)) throw new PageError(400, 'not a story id');
      return id;
    };

    scope.get('/console/stories/:id', async (req, reply) => {
      query(req, []);
      const id = storyIdOf(req);
      const story = await reader.story(id);
      if (!story) throw new PageError(404, `No story ${id}.`);
      const line = toExportLine(story);
      const explained = explainStory(story);
      const members: MemberRow[] = story.members.map((m, i) => {
        const e = explained[i]!;
        const credit = line.members[i]?.attribution ?? e.credit;
        return {
          articleId: m.articleId,
          representative: e.representative,
          siteName: m.siteName,
          title: m.title,
          url: m.url,
          urlKey: m.urlKey,
          feedId: m.feed.id,
          relation: m.relation,
          credit: credit
            ? {
                method: credit.method,
                originalUrl: credit.originalUrl,
                originalPublisher: credit.originalPublisher,
              }
            : null,
          via: e.via,
          matched: e.matched,
          similarity: e.similarity,
          wordCount: m.wordCount,
          publishedAt: m.publishedAt,
          fetchedAt: m.fetchedAt,
        };
      });
      const entries = await deps.redis.xrevrange(deps.keys.stream, '+', '-', 'COUNT', EVENT_SCAN_BOUND);
      const events: StoryEventRow[] = [];
      for (const [entryId, flat] of entries) {
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
        if (f.storyId !== story.storyId) continue;
        events.push({
          id: entryId,
          type: f.type ?? '',
          articleId: f.articleId ?? '',
          url: f.url ?? '',
          at: f.at ?? '',
        });
      }
      const rep = story.members.find(m => m.articleId === story.representativeId);
      return sendPage(
        reply,
        storyPage({
          storyId: story.storyId,
          title: rep?.title ?? story.body?.title ?? null,
          representativeUrl: story.representativeUrl,
          createdAt: story.createdAt,
          updatedAt: story.updatedAt,
          hasBody: story.body !== null,
          members,
          events: events.reverse(),
          eventsScanned: entries.length,
          eventsBoundHit: entries.length >= EVENT_SCAN_BOUND,
        }),
      );
    });

    scope.get('/console/stories/:id/body', async (req, reply) => {
      query(req, []);
      const id = storyIdOf(req);
      const body = await deps.store.get(id);
      if (!body) throw new PageError(404, `No body for story ${id}.`);
      reply.header('content-security-policy', BODY_CSP);
      return sendPage(reply, bodyDocument(body));
    });

    scope.get('/console/feeds', async (req, reply) => {
      const q = query(req, ['page']);
      const all = deps.feeds();
      const pages = Math.max(1, Math.ceil(all.length / FEEDS_PER_PAGE));
      const page = q.page === undefined ? 1 : Number(q.page);
      if (!Number.isInteger(page) || page < 1 || page > pages) throw new PageError(400, 'no such page');
      const slice = all.slice((page - 1) * FEEDS_PER_PAGE, page * FEEDS_PER_PAGE);
      const views = await readFeeds(deps.redis, deps.keys, slice);
      return sendPage(reply, feedsPage({ feeds: views, page, pages, total: all.length }));
    });

    const feedOf = (req: FastifyRequest): FeedConfig => {
      const id = (req.params as { id: string }).id;
      const feed = FEED_ID_RE.test(id) ? deps.feeds().find(f => f.id === id) : undefined;
      if (!feed) throw new PageError(404, `No feed ${id} in feeds.yaml.`);
      return feed;
    };

    scope.get('/console/feeds/:id', async (req, reply) => {
      const q = query(req, ['cursor', 'done']);
      const feed = feedOf(req);
      const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
      const [[view], items, notStored, failures] = await Promise.all([
        readFeeds(deps.redis, deps.keys, [feed]),
        listArticles(deps.store, { limit: 25, feed: feed.id, order: 'desc', cursor }),
        readFailurePage(deps.redis, deps.keys, { scope: 'article', feed: feed.id, limit: 25 }),
        readFailurePage(deps.redis, deps.keys, { scope: 'feed', id: feed.id, limit: 10 }),
      ]);
      let actions: FeedActions;
      if (!deps.adminToken || !csrf) actions = { kind: 'off' };
      else if (!authorized(req)) {
        actions = {
          kind: 'sign-in',
          href: `/console/login?next=${encodeURIComponent(`/console/feeds/${feed.id}`)}`,
        };
      } else {
        const notice =
          q.done === 'enabled'
            ? 'Enabled: the running poller schedules the feed again within seconds.'
            : q.done === 'polled'
              ? 'A poll of this feed was queued.'
              : null;
        actions = { kind: 'allowed', csrf, canPoll: deps.pollNow !== undefined, notice };
      }
      return sendPage(
        reply,
        feedPage({
          feed: view!,
          tags: feed.tags,
          items: items.items.map(i => ({
            articleId: i.id,
            storyId: i.storyId,
            title: i.title,
            url: i.url,
            relation: i.relation,
            isRepresentative: i.isRepresentative,
            storedAt: i.storedAt,
          })),
          itemsNext: items.nextCursor,
          itemsPaged: cursor !== undefined,
          notStored: notStored.rows,
          notStoredBoundHit: notStored.scanLimitHit,
          failures: failures.rows,
          failuresBoundHit: failures.scanLimitHit,
          actions,
        }),
      );
    });

    scope.get('/console/failures', async (req, reply) => {
      const q = query(req, ['class', 'scope', 'id', 'feed', 'before']);
      if (q.before && !/^\d{1,15}-\d{1,10}$/.test(q.before)) {
        throw new PageError(400, 'before is not a stream id');
      }
      const filter = { class: q.class, scope: q.scope, id: q.id, feed: q.feed };
      const [counts, page] = await Promise.all([
        readFailures(deps.redis, deps.keys, 1),
        readFailurePage(deps.redis, deps.keys, { ...filter, before: q.before, limit: FAILURES_PER_PAGE }),
      ]);
      return sendPage(
        reply,
        failuresPage({
          counts: counts.counts,
          rows: page.rows,
          filter,
          next: page.next,
          paged: q.before !== undefined,
          scanned: page.scanned,
          boundHit: page.scanLimitHit,
        }),
      );
    });

    scope.get('/console/consumers', async (req, reply) => {
      query(req, []);
      const status = await readStatus({
        redis: deps.redis,
        keys: deps.keys,
        queues: deps.queues,
        feeds: [],
        ...(deps.memory ? { memory: deps.memory } : {}),
      });
      return sendPage(reply, consumersPage(status));
    });

    // A browser asks for Basic credentials here once; it then sends them with every request under /console/.
    scope.get('/console/login', async (req, reply) => {
      const q = query(req, ['next']);
      if (!deps.adminToken) throw new PageError(404, 'The console actions are off: set api.adminToken.');
      if (!authorized(req)) return challenge(reply);
      const next = q.next && /^\/console\/[\w/-]*$/.test(q.next) ? q.next : '/console/feeds';
      return reply.code(303).header('location', next).send();
    });

    const action = (verb: 'enable' | 'poll', run: (feed: FeedConfig) => Promise<void>): void => {
      scope.post(`/console/feeds/:id/${verb}`, async (req, reply) => {
        if (!deps.adminToken || !csrf) {
          throw new PageError(404, 'The console actions are off: set api.adminToken.');
        }
        if (verb === 'poll' && !deps.pollNow) throw new PageError(404, 'This process cannot queue polls.');
        if (!authorized(req)) return challenge(reply);
        if (!sameOrigin(req)) throw new PageError(403, 'Refused: the form was not posted from this console.');
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.csrf !== 'string' || !sameSecret(body.csrf, csrf)) {
          throw new PageError(403, 'Refused: the form’s CSRF token is missing or wrong; reload the page.');
        }
        const feed = feedOf(req);
        await run(feed);
        return reply
          .code(303)
          .header('location', `/console/feeds/${feed.id}?done=${verb === 'enable' ? 'enabled' : 'polled'}`)
          .send();
      });
    };
    action('enable', feed => enableFeed(deps.redis, deps.keys, feed.id));
    action('poll', feed => deps.pollNow!(feed.id));
    done();
  });
}

function challenge(reply: FastifyReply): FastifyReply {
  reply.header('www-authenticate', 'Basic realm="newsflow", charset="UTF-8"');
  return sendPage(
    reply,
    errorPage(401, 'The console’s actions need the admin token (any user name, the token as password).'),
    401,
  );
}

/**
 * A cross-site form post carries the victim's Basic credentials, so the action also needs proof of origin: the
 * `Origin` header naming this host (browsers send it on every POST; a request without it is refused) and, when
 * the browser sends it, `Sec-Fetch-Site: same-origin`. Hosts are compared without the scheme: behind a
 * TLS-terminating proxy the browser says https while this process hears http.
 */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host || origin === 'null') return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  if (originHost.toLowerCase() !== host.toLowerCase()) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin';
}
