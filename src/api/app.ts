import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

export interface ApiDeps {
  redis: Redis;
  /** False while shutting down or when a worker of this process stopped running. */
  isReady: () => boolean;
}

/** Builds the HTTP API without listening, so tests drive it with `inject()`. */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/livez', () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    let redisOk = false;
    try {
      redisOk = (await deps.redis.ping()) === 'PONG';
    } catch {
      redisOk = false;
    }
    const ready = redisOk && deps.isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', redis: redisOk });
  });
  return app;
}
