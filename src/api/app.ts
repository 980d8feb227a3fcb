import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { RedisClient } from '../store/redis.js';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { FeedConfig } from '../config/schema.js';
import { createMetricsRegistry } from '../metrics/registry.js';
import { readMemoryView } from '../metrics/status.js';
import type { Watermarks } from '../store/memory.js';
import { readFeeds } from '../metrics/status.js';
import type { Keys } from '../store/keys.js';
import { createReader, type StoryReads } from '../consumer/reader.js';
import { BadCursorError, decodeCursor, listArticles, parseSince, type Order } from './articles.js';
import { isAuthorized } from './auth.js';
import { registerConsole } from './console/routes.js';
import type { Logger } from '../shared/logger.js';

export interface ApiDeps {
  redis: RedisClient;
  keys: Keys;
  /** The process's live feed list (src/feeds/live-feeds.ts), read per request. */
  feeds: () => readonly FeedConfig[];
  /** The queues shown on the dashboard and counted in /metrics. */
  queues: readonly Queue[];
  /** Token for /admin/queues; null leaves the dashboard unmounted. */
  adminToken: string | null;
  /** False while shutting down or when a worker of this process stopped running. */
  isReady: () => boolean;
  /** The story store's reads (src/store/story-store.ts). */
  store: StoryReads;
  /** Defaults to a registry reading Redis at scrape time (src/metrics/registry.ts). */
  metrics?: Registry;
  /** Back-pressure watermarks (config `memory`), shown in /readyz and /metrics; the defaults when absent. */
  memory?: Watermarks | undefined;
  /** Serve the operator console at `/` and `/console/…` (config `api.console`; default on). */
  console?: boolean;
  /** Queues a manual poll of one feed: the console's "poll now" (absent: the button is not shown). */
  pollNow?: (feedId: string) => Promise<void>;
  /** The project's logger; Fastify logs through it (no request lines: a scraper would write one every few seconds). */
  log?: Logger;
}

export const DASHBOARD_PATH = '/admin/queues';
const ID_PATTERN = '^[A-Za-z0-9_-]{1,128}$';
const FEED_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';

interface ErrorBody {
  error: string;
  message: string;
  statusCode: number;
}

function sendError(reply: FastifyReply, statusCode: number, error: string, message: string): FastifyReply {
  const body: ErrorBody = { error, message, statusCode };
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

/** ajv's "must NOT have additional properties" does not say which: name the unknown parameter. */
function validationMessage(err: FastifyError): string {
  const unknown = (err.validation ?? [])
    .filter(v => v.keyword === 'additionalProperties')
    .map(v => (v.params as { additionalProperty?: unknown }).additionalProperty)
    .filter((p): p is string => typeof p === 'string');
  if (unknown.length === 0) return err.message;
  const where =
    err.validationContext === 'querystring'
      ? 'query parameter'
      : `${err.validationContext ?? ''} field`.trim();
  return unknown.map(p => `unknown ${where} "${p}"`).join('; ');
}

/** Builds the HTTP API without listening, so tests drive it with `inject()`. */
export function buildApi(deps: ApiDeps): FastifyInstance {
  // Typed as Fastify's logger so the instance stays the plain FastifyInstance that bull-board's adapter accepts.
  const loggerInstance: FastifyBaseLogger = deps.log
    ? deps.log.child({ component: 'api' })
    : pino({ enabled: false });
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    // Long enough that an over-long id gets the validation error (400), not a bare 414.
    routerOptions: { maxParamLength: 256 },
    // Unknown query parameters are an error (a typo such as `limt=5` should not silently return 20 items).
    ajv: { customOptions: { removeAdditional: false } },
  });
  const reader = createReader(deps.store);
  const metrics =
    deps.metrics ??
    createMetricsRegistry({
      redis: deps.redis,
      keys: deps.keys,
      queues: deps.queues,
      feeds: deps.feeds,
      memory: deps.memory,
    });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation) return sendError(reply, 400, 'bad_request', validationMessage(err));
    if (err instanceof BadCursorError) return sendError(reply, 400, 'bad_request', err.message);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status < 500) return sendError(reply, status, 'bad_request', err.message);
    // Redis down or a bug: say so without internals; readiness already reports the Redis side. The log keeps the cause.
    _req.log.error({ err }, 'api request failed');
    return sendError(reply, 503, 'unavailable', 'the store did not answer; try again');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`),
  );

  app.get('/livez', () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    let redisOk = false;
    try {
      redisOk = (await deps.redis.ping()) === 'PONG';
    } catch {
      redisOk = false;
    }
    const ready = redisOk && deps.isReady();
    // Memory back-pressure pauses intake but not this process: it stays ready, and says so in the detail.
    const memory = redisOk ? await readMemoryView(deps.redis, deps.memory).catch(() => null) : null;
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not-ready', redis: redisOk, memory });
  });

  app.get<{ Querystring: { since?: string; limit: number; feed?: string; order?: Order; cursor?: string } }>(
    '/articles',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', minLength: 1, maxLength: 40 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            feed: { type: 'string', pattern: FEED_ID_PATTERN },
            order: { type: 'string', enum: ['asc', 'desc'] },
            cursor: { type: 'string', minLength: 1, maxLength: 512 },
          },
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      let since: number | undefined;
      if (q.since !== undefined) {
        const t = parseSince(q.since);
        if (t === null) {
          return sendError(
            reply,
            400,
            'bad_request',
            'since must be an ISO 8601 date/time or epoch milliseconds',
          );
        }
        since = t;
      }
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (cursor && q.order && cursor.o !== q.order) {
        return sendError(reply, 400, 'bad_request', 'order differs from the order the cursor was made for');
      }
      return listArticles(deps.store, {
        since,
        limit: q.limit,
        feed: q.feed,
        order: q.order ?? 'desc',
        cursor,
      });
    },
  );

  const idParams = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: ID_PATTERN } },
  } as const;

  // One record by id, or 404 with what was not found.
  const byId = (noun: 'article' | 'story', read: (id: string) => Promise<unknown>): void => {
    app.get<{ Params: { id: string } }>(
      noun === 'article' ? '/articles/:id' : '/stories/:id',
      { schema: { params: idParams } },
      async (req, reply) =>
        (await read(req.params.id)) ?? sendError(reply, 404, 'not_found', `no ${noun} ${req.params.id}`),
    );
  };
  byId('article', id => reader.article(id));
  byId('story', id => reader.story(id));

  app.get('/feeds', async () => ({ feeds: await readFeeds(deps.redis, deps.keys, deps.feeds()) }));

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.metrics();
    return reply.type(metrics.contentType).send(text);
  });

  if (deps.console ?? true) {
    registerConsole(app, {
      redis: deps.redis,
      keys: deps.keys,
      feeds: deps.feeds,
      queues: deps.queues,
      adminToken: deps.adminToken,
      store: deps.store,
      memory: deps.memory,
      pollNow: deps.pollNow,
    });
  }

  if (deps.adminToken) mountDashboard(app, deps.queues, deps.adminToken);
  else {
    app.all(`${DASHBOARD_PATH}*`, (_req, reply) =>
      sendError(
        reply,
        404,
        'not_found',
        'the queue dashboard is off: set api.adminToken (NEWSFLOW_API_ADMIN_TOKEN)',
      ),
    );
  }
  return app;
}

function mountDashboard(app: FastifyInstance, queues: readonly Queue[], token: string): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map(q => new BullMQAdapter(q)),
    // @bull-board/fastify pins its own copy of @bull-board/api; the adapter contract is the same.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  void app.register(
    async scope => {
      // Everything under the dashboard, static files included, needs the token.
      scope.addHook('onRequest', async (req, reply) => {
        if (isAuthorized(req.headers.authorization, token)) return;
        reply.header('www-authenticate', 'Basic realm="newsflow queues", charset="UTF-8"');
        await sendError(reply, 401, 'unauthorized', 'the queue dashboard needs the admin token');
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: DASHBOARD_PATH },
  );
}
