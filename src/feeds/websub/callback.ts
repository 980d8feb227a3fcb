import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import type { Keys } from '../../store/keys.js';
import { recordFailure } from '../../store/records.js';
import { decodeFeedBytes } from '../parse/decode.js';
import { feedKeys, websubPushKey } from '../keys.js';
import { verifySignature } from './signature.js';
import {
  forgetSubscription,
  readSubscription,
  renewAt,
  scheduleRenewal,
  writeSubscription,
} from './subscriptions.js';

/**
 * The subscriber side of WebSub, mounted on the API role: `GET /websub/:feedId/:token` answers the hub's intent
 * verification (echo `hub.challenge` only for a subscription we asked for), `POST` receives content. A delivery
 * whose signature does not verify gets a 2xx as the spec requires, and is dropped and counted; a valid one is
 * queued as a poll of the feed with the pushed body, so it goes through the same parse, identity and enqueue
 * as a fetched one.
 */
export interface WebSubCallbackDeps {
  redis: Redis;
  keys: Keys;
  now: () => number;
  log: Logger;
  /** Lease assumed when the hub's verification names none. */
  defaultLeaseSeconds: number;
  maxBodyBytes: number;
  /** Queues a poll job of the feed that reads its body from `pushKey`. */
  enqueuePush(feedId: string, pushKey: string): Promise<void>;
}

/** Pushed bodies wait this long for a poll worker. */
const PUSH_TTL_S = 3600;

interface Params {
  feedId: string;
  token: string;
}

type Query = Record<string, string | undefined>;

export function websubCallback(deps: WebSubCallbackDeps): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  return async (app: FastifyInstance) => {
    // Signatures are over the raw bytes: no body parser may touch them.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => {
      done(null, body);
    });

    app.get<{ Params: Params; Querystring: Query }>('/websub/:feedId/:token', async (req, reply) => {
      const { feedId, token } = req.params;
      const q = req.query;
      const sub = await readSubscription(deps.redis, deps.keys, feedId);
      if (!sub || sub.token !== token) return reply.code(404).send('unknown subscription');
      const mode = q['hub.mode'];
      const now = deps.now();
      if (mode === 'denied') {
        await writeSubscription(deps.redis, deps.keys, feedId, {
          state: 'denied',
          lastError: `hub denied: ${q['hub.reason'] ?? 'no reason given'}`,
        });
        deps.log.warn({ feedId, reason: q['hub.reason'] }, 'websub subscription denied');
        return reply.code(200).send('');
      }
      const challenge = q['hub.challenge'];
      if (!challenge || q['hub.topic'] !== sub.topic) return reply.code(404).send('topic mismatch');
      if (mode === 'subscribe' && (sub.state === 'requested' || sub.state === 'active')) {
        const lease =
          Number(q['hub.lease_seconds']) > 0 ? Number(q['hub.lease_seconds']) : deps.defaultLeaseSeconds;
        const expiresAt = now + lease * 1000;
        await writeSubscription(deps.redis, deps.keys, feedId, {
          state: 'active',
          verifiedAt: now,
          leaseSeconds: lease,
          expiresAt,
          lastError: null,
        });
        await scheduleRenewal(deps.redis, deps.keys, feedId, renewAt(expiresAt, lease));
        deps.log.info({ feedId, lease }, 'websub subscription verified');
        return reply.code(200).type('text/plain').send(challenge);
      }
      if (mode === 'unsubscribe' && sub.state === 'unsubscribing') {
        await forgetSubscription(deps.redis, deps.keys, feedId);
        return reply.code(200).type('text/plain').send(challenge);
      }
      return reply.code(404).send('not expecting this verification');
    });

    app.post<{ Params: Params }>('/websub/:feedId/:token', async (req, reply) => {
      const { feedId, token } = req.params;
      const sub = await readSubscription(deps.redis, deps.keys, feedId);
      if (!sub || sub.token !== token) return reply.code(404).send('unknown subscription');
      if (sub.state === 'unsubscribing' || sub.state === 'unsubscribed') return reply.code(410).send('');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const header = req.headers['x-hub-signature'];
      const verdict = verifySignature(Array.isArray(header) ? header[0] : header, body, sub.secret);
      const at = new Date(deps.now()).toISOString();
      if (verdict !== 'valid') {
        await deps.redis.hincrby(feedKeys(deps.keys, feedId).websub, 'badSignatures', 1);
        await recordFailure(deps.redis, deps.keys, {
          scope: 'feed',
          id: feedId,
          url: sub.topic,
          class: 'websub-signature',
          reason: `push ignored: signature ${verdict}`,
          at,
        });
        deps.log.warn({ feedId, verdict }, 'websub push ignored: bad signature');
        return reply.code(202).send('');
      }
      if (body.length === 0) return reply.code(202).send('');
      const contentType = req.headers['content-type'];
      const pushKey = websubPushKey(deps.keys, feedId, randomUUID());
      await deps.redis
        .multi()
        .hset(pushKey, { body: decodeFeedBytes(body, contentType).text, contentType: contentType ?? '' })
        .expire(pushKey, PUSH_TTL_S)
        .hset(feedKeys(deps.keys, feedId).websub, { lastPushAt: String(deps.now()) })
        .hincrby(feedKeys(deps.keys, feedId).websub, 'pushes', 1)
        .exec();
      await deps.enqueuePush(feedId, pushKey);
      return reply.code(202).send('');
    });
  };
}
