import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { websubCallback, type WebSubCallbackDeps } from './callback.js';

/**
 * The WebSub listener (`websub.listen`): only `/websub/:feedId/:token`, apart from the API, so the one port
 * that faces hubs on the internet serves nothing else — no feed state, no article listing, no dashboard.
 * Built without listening (tests drive it with `inject()`).
 */
export function buildWebSubServer(deps: WebSubCallbackDeps): FastifyInstance {
  // Typed as Fastify's logger so the instance is the plain FastifyInstance callers hold.
  const loggerInstance: FastifyBaseLogger = deps.log.child({ component: 'websub' });
  const app = Fastify({
    loggerInstance,
    // One line per hub request would drown the log; deliveries and refusals are logged by the callback itself.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 256 },
  });
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 503;
    // A 5xx makes the hub retry the delivery later, which is what a Redis outage needs.
    return reply
      .code(status)
      .type('text/plain')
      .send(status === 503 ? 'try again later' : err.message);
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain').send('not found'));
  void app.register(websubCallback(deps));
  return app;
}
