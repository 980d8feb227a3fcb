import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RedisClient } from '../../store/redis.js';
import { FEED_ID_RE } from '../../config/schema.js';
import type { Logger } from '../../shared/logger.js';
import { sameSecret } from '../../shared/secrets.js';
import { oneLine } from '../../shared/text.js';
import { type Keys, feedKeys } from '../../store/keys.js';
import { recordFailure } from '../../store/records.js';
import { decodeBody } from '../../fetch/charset.js';
import { storePush, type PushLimits } from './pushes.js';
import { verifySignature } from './signature.js';
import {
  forgetSubscription,
  readSubscription,
  renewAt,
  scheduleRenewal,
  writeSubscription,
  type Subscription,
} from './subscriptions.js';

/**
 * The subscriber side of WebSub, served on a listener of its own (./server.ts): `GET /websub/:feedId/:token`
 * answers the hub's intent verification (echo `hub.challenge` only for a subscription we asked for), `POST`
 * receives content. A delivery whose signature does not verify gets a 2xx as the spec requires, and is dropped
 * and counted; a valid one is stored within the feed's bounds (./pushes.ts) and queued as a poll of the feed
 * with the pushed body, so it goes through the same parse, identity and enqueue as a fetched one — or, past the
 * bounds, the feed is polled instead.
 *
 * Route parameters are checked before they name a key: a feed id of the configured form and a token of the
 * form we issue, compared in constant time.
 */
export interface WebSubCallbackDeps {
  redis: RedisClient;
  keys: Keys;
  now: () => number;
  log: Logger;
  /** Lease assumed when the hub's verification names none. */
  defaultLeaseSeconds: number;
  /** Largest delivery body; a larger one gets 413 before it is read whole. */
  maxBodyBytes: number;
  limits: PushLimits;
  /** Queues a poll job of the feed that reads its body from `pushKey`. */
  enqueuePush(feedId: string, pushKey: string): Promise<void>;
  /** Queues one poll of the feed (coalesced while one waits): for deliveries past the bounds. */
  enqueuePoll(feedId: string): Promise<void>;
}

interface Params {
  feedId: string;
  token: string;
}

type Query = Record<string, string | undefined>;

/** Callback path tokens are 16 random bytes in hex (./manager.ts). */
const TOKEN_RE = /^[0-9a-f]{32}$/;

function validParams(p: Params): boolean {
  return FEED_ID_RE.test(p.feedId) && TOKEN_RE.test(p.token);
}

export function websubCallback(deps: WebSubCallbackDeps): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  return async (app: FastifyInstance) => {
    // Signatures are over the raw bytes: no body parser may touch them.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => {
      done(null, body);
    });

    /** The subscription the path names, or null (unknown feed, wrong token): answered 404 alike. */
    const subscriptionAt = async (p: Params): Promise<Subscription | null> => {
      if (!validParams(p)) return null;
      const sub = await readSubscription(deps.redis, deps.keys, p.feedId);
      return sub && sameSecret(p.token, sub.token) ? sub : null;
    };

    app.get<{ Params: Params; Querystring: Query }>('/websub/:feedId/:token', async (req, reply) => {
      const { feedId } = req.params;
      const q = req.query;
      const sub = await subscriptionAt(req.params);
      if (!sub) return reply.code(404).send('unknown subscription');
      const mode = q['hub.mode'];
      const now = deps.now();
      if (mode === 'denied') {
        await writeSubscription(deps.redis, deps.keys, feedId, {
          state: 'denied',
          lastError: `hub denied: ${oneLine(q['hub.reason'] ?? 'no reason given').slice(0, 500)}`,
        });
        deps.log.warn({ feedId, reason: q['hub.reason']?.slice(0, 500) }, 'websub subscription denied');
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
      const { feedId } = req.params;
      const sub = await subscriptionAt(req.params);
      if (!sub) return reply.code(404).send('unknown subscription');
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
      const contentType = req.headers['content-type'] ?? '';
      const stored = await storePush(
        deps.redis,
        deps.keys,
        feedId,
        { text: decodeBody(body, contentType, 'feed').text, contentType, bytes: body.length },
        deps.limits,
        deps.now(),
      );
      if (stored.verdict === 'stored') await deps.enqueuePush(feedId, stored.pushKey);
      else if (stored.verdict !== 'gone') {
        // Past the feed's bounds: its own poll reads what this delivery carried.
        deps.log.info(
          { feedId, bound: stored.verdict },
          'websub push not stored: the feed is polled instead',
        );
        await deps.enqueuePoll(feedId);
      }
      return reply.code(202).send('');
    });
  };
}
