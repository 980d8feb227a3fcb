import type { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import type { RedisClient } from '../store/redis.js';
import { SERVICE_DEFAULTS, type FeedConfig, type ServiceConfig } from '../config/schema.js';
import { canonicalUrlKey, fetchUrlOf, hashKey } from '../dedupe/url-key.js';
import type { FetchResult, Fetcher } from '../fetch/types.js';
import { judgeFailure, permanentMove } from '../feeds/health.js';
import { auditIds, idKey, itemId, type IdPolicy } from '../feeds/parse/identity.js';
import {
  baseInterval,
  cacheFloor,
  DEFAULT_INTERVALS,
  nextAfterFailure,
  nextAfterSuccess,
  OVERFLOW_HOLD_MS,
  overflowCeiling,
  underOverflowCeiling,
  type IntervalSettings,
  type NextPoll,
} from '../feeds/interval.js';
import { disabledFeedsKey, feedKeys, statsKey, type Keys } from '../store/keys.js';
import { acquireLease } from '../store/lease.js';
import { FeedParseError, parseFeed } from '../feeds/parse/parse.js';
import { countSeenLastWeek, markSeen } from '../feeds/seen.js';
import { iso, msOf, readFeedState, writeFeedState, type FeedState } from '../feeds/state.js';
import type { FeedItem, ParsedFeed, ParseOptions } from '../feeds/parse/types.js';
import type { WebSubHooks } from '../feeds/websub/hooks.js';
import { readPush, releasePush } from '../feeds/websub/pushes.js';
import type { StoryStore } from '../store/story-store.js';
import { recordFailure } from '../store/records.js';
import { entryDate, type ParsedSitemap, type SitemapUrl } from '../feeds/parse/sitemap.js';
import { discoverSitemaps, findNewsSitemap, httpOrigin, isSiteRoot } from '../feeds/sitemap/discover.js';
import { POLL_CAPS, walkSitemaps } from '../feeds/sitemap/walk.js';
import { MustWait } from '../fetch/types.js';
import type { History } from './history.js';
import type { Logger } from '../shared/logger.js';
import {
  articleJobId,
  articleJobOptions,
  type ArticleJobData,
  type PollJobData,
  type PollOutcome,
} from './queues.js';

export interface PollSettings {
  intervals: IntervalSettings;
  /** 401/403/404 for longer than this disables the feed. */
  disableAfterMs: number;
  /** How often the feed's scheduler asks; a feed due within half a tick (≤ 10 % of its interval) is polled now. */
  tickMs: number;
  /**
   * How long the per-feed lock outlives a poller that died mid-poll. A running poll renews it (every third of
   * it), so a poll may take longer; a short value lets the feed's next tick poll soon after a crash.
   */
  lockTtlMs: number;
  /** Item ids kept per feed in its seen set (at least 10 × the feed's size, which maxItemsPerPoll bounds). */
  seenCap: number;
  /** Items taken from one poll; the rest are dropped (logged and counted as feed.items_dropped). */
  maxItemsPerPoll: number;
  /**
   * At most this long between two parses of a feed: past it, the poll sends no validators and does not trust an
   * unchanged body, so items whose article went missing from the store are enqueued again.
   */
  recheckMs: number;
}

/**
 * How long a poller that died mid-poll keeps its feed locked; the lease is renewed (every third of it) while the
 * poll runs, so a live poll never loses it. Unrenewed and at least 60 s, it silenced every feed a SIGKILLed
 * poller was polling for a minute (tests/faults/deploy-churn). At 5 s a feed in flight in two killed pollers
 * (its polls waiting at a busy host's gate) came late twice, by 5–7 s each (the lock, then the next tick), and
 * missed a poll in 60 s — the churn test failed 2 runs in ~8; at 3 s the two delays cost ~4 s less.
 */
const FEED_LOCK_TTL_MS = 3_000;

export function pollSettingsFrom(svc: ServiceConfig): PollSettings {
  const p = svc.poller;
  return {
    intervals: {
      defaultMs: p.defaultInterval,
      minMs: p.minInterval,
      maxMs: p.maxInterval,
      factor: p.adaptiveFactor,
      jitter: p.jitter,
      maxBackoffMs: p.maxBackoff,
      headerCapMs: p.maxBackoff,
      websubSafetyMs: svc.websub.safetyPoll,
    },
    disableAfterMs: p.disableAfter,
    tickMs: p.tick,
    lockTtlMs: FEED_LOCK_TTL_MS,
    seenCap: 2_000,
    maxItemsPerPoll: p.maxItemsPerPoll,
    recheckMs: 86_400_000,
  };
}

export const DEFAULT_POLL_SETTINGS: PollSettings = {
  intervals: DEFAULT_INTERVALS,
  disableAfterMs: 7 * 86_400_000,
  tickMs: 5 * 60_000,
  lockTtlMs: FEED_LOCK_TTL_MS,
  seenCap: 2_000,
  maxItemsPerPoll: SERVICE_DEFAULTS.poller.maxItemsPerPoll,
  recheckMs: 86_400_000,
};

export interface PollDeps {
  redis: RedisClient;
  keys: Keys;
  fetcher: Fetcher;
  store: StoryStore;
  articleQueue: Queue<ArticleJobData>;
  articleAttempts: number;
  /** Bound to the job (feedId, jobId: src/pipeline/runtime.ts); a call adds only fields not bound, or the line carries a key twice. */
  log: Logger;
  now: () => number;
  random?: () => number;
  settings?: PollSettings;
  websub?: WebSubHooks | undefined;
  /** The fault suite's operation log; off when absent. */
  history?: History | undefined;
  /**
   * Parses a fetched document; the service passes its parse pool (off the event loop, under a deadline). Tests
   * and tools may leave it out: the document is then parsed in this thread.
   */
  parse?: ((text: string, opts: ParseOptions) => Promise<ParsedFeed>) | undefined;
  /** The same for sitemap sources' documents. */
  parseSitemap?: ((text: string, baseUrl: string) => Promise<ParsedSitemap>) | undefined;
}

export interface PollOptions {
  /**
   * `schedule`: a scheduler tick, polled only when the feed is due. `manual` (`run --once`, the default): polled
   * now. `push`: a WebSub delivery, processed as a fresh fetch of `pushed`.
   */
  trigger?: 'schedule' | 'manual' | 'push';
  pushed?: { body: string; contentType?: string | undefined };
}

/**
 * The poll job: the feed as the job carries it (the reconciler's view) or as config has it; a WebSub delivery's
 * body waits in Redis under `pushKey` (checked to be one of this feed's, src/pipeline/job-data.ts) and is
 * removed once processed; one that expired unread is replaced by a poll.
 */
export async function pollJob(deps: PollDeps, data: PollJobData, feed: FeedConfig): Promise<PollOutcome> {
  if (data.pushKey) {
    const pushed = await readPush(deps.redis, data.pushKey);
    // A delivery that waited past its time is read from the feed itself.
    if (!pushed) return pollFeed(deps, feed, { trigger: 'manual' });
    const outcome = await pollFeed(deps, feed, {
      trigger: 'push',
      pushed: { body: pushed.body, contentType: pushed.contentType },
    });
    await releasePush(deps.redis, deps.keys, feed.id, data.pushKey, pushed.bytes);
    return outcome;
  }
  return pollFeed(deps, feed, { trigger: data.trigger === 'schedule' ? 'schedule' : 'manual' });
}

/** The per-feed lock is held by another poll of the same feed (a push job retries on this). */
export class FeedBusyError extends Error {
  constructor(feedId: string) {
    super(`feed ${feedId}: another poll is running`);
    this.name = 'FeedBusyError';
  }
}

/**
 * Polls one feed: conditional GET, parse, item identity, enqueue every item whose article is not stored yet, and
 * the feed's next poll time (adaptive interval, cache headers, backoff, jitter) and health, all in its state hash.
 */
export async function pollFeed(
  deps: PollDeps,
  feed: FeedConfig,
  opts: PollOptions = {},
): Promise<PollOutcome> {
  const settings = deps.settings ?? DEFAULT_POLL_SETTINGS;
  const trigger = opts.trigger ?? 'manual';
  const now = deps.now();
  const k = feedKeys(deps.keys, feed.id);
  let state = await readFeedState(deps.redis, k.state);

  if (state.configUrl !== null && state.configUrl !== feed.url) {
    // feeds.yaml points this id at another URL now: what belonged to the old one (moves, validators,
    // errors, a disable) no longer applies.
    state = await resetForNewUrl(deps.redis, k, state);
    await deps.redis.srem(disabledFeedsKey(deps.keys), feed.id);
  }
  if (state.disabled) {
    return {
      outcome: 'skipped',
      feedId: feed.id,
      reason: `disabled: ${state.disabledReason ?? 'unknown reason'}`,
    };
  }
  if (trigger === 'schedule') {
    const due = msOf(state.nextPollAt);
    const grace = Math.min(settings.tickMs / 2, (state.intervalMs ?? settings.tickMs) * 0.1);
    if (due !== null && due > now + grace) {
      return { outcome: 'skipped', feedId: feed.id, reason: `not due until ${state.nextPollAt}` };
    }
  }

  const lease = await acquireLease(deps.redis, k.lock, settings.lockTtlMs, { renew: true });
  if (!lease) {
    if (trigger === 'push') throw new FeedBusyError(feed.id);
    return { outcome: 'skipped', feedId: feed.id, reason: 'another poll of this feed is running' };
  }
  try {
    const url = state.url ?? feed.url;
    const parsedAt = msOf(state.lastParsedAt);
    const recheck = parsedAt === null || now - parsedAt >= settings.recheckMs;
    if (feed.type === 'sitemap') {
      return await new Poll(deps, settings, feed, state, url, now, recheck, trigger).sitemap();
    }
    const res: FetchResult = opts.pushed
      ? pushedResult(url, opts.pushed, now)
      : await deps.fetcher.fetch({
          url,
          kind: 'feed',
          etag: recheck ? undefined : (state.etag ?? undefined),
          lastModified: recheck ? undefined : (state.lastModified ?? undefined),
        });
    const poll = new Poll(deps, settings, feed, state, url, now, recheck, trigger);
    if (!res.ok) return await poll.failed(res.class, res.reason, res.status, res.retryAfterMs);
    return await poll.fetched(res);
  } finally {
    await lease.release();
  }
}

async function resetForNewUrl(
  redis: RedisClient,
  k: ReturnType<typeof feedKeys>,
  state: FeedState,
): Promise<FeedState> {
  const fields = [
    'url',
    'movedFrom',
    'movedAt',
    'etag',
    'lastModified',
    'bodyHash',
    'disabled',
    'disabledReason',
    'disabledAt',
    'firstHardErrorAt',
    'consecutiveErrors',
    'nextPollAt',
    'configUrl',
    // What was found for the old URL's site: its sitemaps and its news sitemap.
    'sitemaps',
    'newsSitemap',
    'newsSitemapCheckedAt',
  ] as const;
  await redis.hdel(k.state, ...fields);
  await redis.del(k.sitemaps);
  return {
    ...state,
    url: null,
    movedFrom: null,
    movedAt: null,
    etag: null,
    lastModified: null,
    bodyHash: null,
    disabled: false,
    disabledReason: null,
    disabledAt: null,
    firstHardErrorAt: null,
    consecutiveErrors: 0,
    nextPollAt: null,
    configUrl: null,
    sitemaps: null,
    newsSitemap: null,
    newsSitemapCheckedAt: null,
  };
}

/** A WebSub delivery looks like a 200 of the feed URL to the rest of the poll. */
function pushedResult(url: string, pushed: NonNullable<PollOptions['pushed']>, now: number): FetchResult {
  return {
    ok: true,
    status: 200,
    url,
    finalUrl: url,
    redirects: [],
    headers: pushed.contentType ? { contentType: pushed.contentType } : {},
    body: Buffer.from(pushed.body),
    text: pushed.body,
    charset: 'utf-8',
    charsetSource: 'fallback',
    timings: { startedAt: now, headersMs: 0, totalMs: 0 },
  };
}

class Poll {
  private readonly at: string;
  private readonly random: () => number;
  private readonly k;

  constructor(
    private readonly deps: PollDeps,
    private readonly settings: PollSettings,
    private readonly feed: FeedConfig,
    private readonly state: FeedState,
    private readonly url: string,
    private readonly now: number,
    /** A daily full read: nothing counts as unchanged. */
    private readonly recheck = false,
    private readonly trigger: PollOptions['trigger'] = 'manual',
  ) {
    this.at = iso(now);
    this.random = deps.random ?? Math.random;
    this.k = feedKeys(deps.keys, feed.id);
  }

  /** A fetch or parse failure: back off (or disable), record it, never throw. */
  async failed(cls: string, reason: string, status?: number, retryAfterMs?: number): Promise<PollOutcome> {
    const { state, settings, now } = this;
    const errors = state.consecutiveErrors + 1;
    const verdict = judgeFailure(status, msOf(state.firstHardErrorAt), now, settings.disableAfterMs);
    const healthyMs = state.healthyIntervalMs ?? this.feed.interval ?? settings.intervals.defaultMs;
    const next = nextAfterFailure(
      {
        now,
        healthyMs,
        consecutiveErrors: errors,
        floor: cacheFloor({ retryAfterMs }, now, settings.intervals),
        random: this.random,
      },
      settings.intervals,
    );
    await writeFeedState(this.deps.redis, this.k.state, {
      configUrl: this.feed.url,
      lastStatus: status ?? null,
      lastPolledAt: this.at,
      lastErrorClass: cls,
      lastErrorReason: reason,
      lastErrorAt: this.at,
      consecutiveErrors: errors,
      firstHardErrorAt: verdict.firstHardErrorAt !== null ? iso(verdict.firstHardErrorAt) : null,
      healthyIntervalMs: healthyMs,
      ...(verdict.disable
        ? { disabled: true, disabledReason: verdict.disable, disabledAt: this.at, nextPollAt: null }
        : { nextPollAt: iso(next.nextPollAt), intervalMs: next.intervalMs, intervalReason: next.reason }),
    });
    await recordFailure(this.deps.redis, this.deps.keys, {
      scope: 'feed',
      id: this.feed.id,
      url: this.url,
      class: cls,
      reason,
      at: this.at,
    });
    if (verdict.disable) {
      await this.deps.redis.sadd(disabledFeedsKey(this.deps.keys), this.feed.id);
      await recordFailure(this.deps.redis, this.deps.keys, {
        scope: 'feed',
        id: this.feed.id,
        url: this.url,
        class: 'disabled',
        reason: verdict.disable,
        at: this.at,
      });
    }
    this.deps.log.warn(
      {
        class: cls,
        reason,
        errors,
        disabled: verdict.disable ?? undefined,
        next: next.reason,
      },
      'feed poll failed',
    );
    return { outcome: 'failed', feedId: this.feed.id, class: cls, reason };
  }

  async fetched(res: Extract<FetchResult, { ok: true }>): Promise<PollOutcome> {
    const { state } = this;
    const moved = permanentMove(res.redirects, res.finalUrl, this.url);
    const bodyHash = res.status === 304 ? null : createHash('sha256').update(res.text).digest('hex');
    const sameEtag = res.status !== 304 && Boolean(res.headers.etag) && res.headers.etag === state.etag;
    const sameBody = bodyHash !== null && bodyHash === state.bodyHash;
    if (res.status === 304 || (!this.recheck && (sameEtag || sameBody))) {
      return this.unchanged(res, moved);
    }
    let parsed: ParsedFeed;
    try {
      parsed = await (this.deps.parse ?? parseFeed)(res.text, {
        baseUrl: res.finalUrl,
        contentType: res.headers.contentType,
      });
    } catch (err) {
      const reason = err instanceof FeedParseError ? err.message : `unexpected: ${(err as Error).message}`;
      return this.failed('parse', reason, res.status);
    }
    const max = this.settings.maxItemsPerPoll;
    if (parsed.items.length > max) {
      // A feed lists newest first: keep the head. The rest is dropped, said once per poll and counted.
      this.deps.log.warn(
        { items: parsed.items.length, kept: max },
        'feed lists more items than poller.maxItemsPerPoll',
      );
      await this.deps.redis.hincrby(
        statsKey(this.deps.keys),
        'feed.items_dropped',
        parsed.items.length - max,
      );
      parsed = { ...parsed, items: parsed.items.slice(0, max) };
    }
    return this.parsed(res, parsed, bodyHash, moved);
  }

  private async unchanged(
    res: Extract<FetchResult, { ok: true }>,
    moved: string | null,
  ): Promise<PollOutcome> {
    const itemsLast7Days = await countSeenLastWeek(this.deps.redis, this.k.seen, this.now);
    const next = await this.nextPoll(res, itemsLast7Days, this.state.ttlMinutes);
    await writeFeedState(this.deps.redis, this.k.state, {
      ...this.successFields(res, next, moved),
      itemsLast7Days,
    });
    return { outcome: 'not-modified', feedId: this.feed.id };
  }

  private async parsed(
    res: Extract<FetchResult, { ok: true }>,
    parsed: ParsedFeed,
    bodyHash: string | null,
    moved: string | null,
  ): Promise<PollOutcome> {
    const { deps, state, now, feed } = this;
    const audit = auditIds(parsed.items);
    let policy: IdPolicy = state.idPolicy;
    let policyReason = state.idPolicyReason;
    if (policy === 'guid' && audit.degrade) {
      policy = 'link';
      policyReason = `${audit.empty} empty and ${audit.repeated} repeated of ${audit.total} ids on ${this.at}`;
      deps.log.info({ reason: policyReason }, 'feed switched to link identity');
    }
    // Items the first read finds (and all items after an identity switch) are the backlog, not arrivals: only
    // their published dates count towards the adaptive interval.
    const baseline = state.lastSuccessAt === null || policy !== state.idPolicy;
    const entries = parsed.items.map(item => ({
      key: idKey(itemId(item, policy)),
      arrival: arrivalOf(item, now, baseline),
    }));
    const seen = await markSeen(
      deps.redis,
      this.k.seen,
      entries,
      now,
      Math.max(this.settings.seenCap, 10 * parsed.items.length),
    );

    const { candidates, fresh } = await this.enqueue(parsed.items, moved ?? this.url);
    const feedUrl = moved ?? this.url;
    if (deps.websub) await deps.websub.afterPoll(feed, parsed, feedUrl, now);
    // Every item new, none shown before: the feed moved on by more than it lists between two polls.
    const distinct = new Set(entries.map(e => e.key)).size;
    const overflow =
      feed.type !== 'sitemap' &&
      this.trigger !== 'push' &&
      !baseline &&
      distinct >= 2 &&
      seen.fresh.size === distinct
        ? await this.overflowed(parsed, distinct)
        : null;
    // A feed's configured news sitemap is read on its first poll too: what the feed had dropped before it was
    // added (news sitemaps list two days at most) is not lost to the baseline.
    const firstRead =
      feed.type !== 'sitemap' && feed.sitemap && this.trigger !== 'push' && state.lastSuccessAt === null
        ? await this.fill(parsed)
        : [];
    if (firstRead.length > 0) {
      await deps.redis.hincrby(statsKey(deps.keys), 'feed.sitemap.first-read', firstRead.length);
    }
    const next = await this.nextPoll(res, seen.itemsLast7Days, parsed.ttlMinutes, overflow?.state);
    await writeFeedState(deps.redis, this.k.state, {
      ...this.successFields(res, next, moved),
      bodyHash,
      lastParsedAt: this.at,
      itemsSeen: state.itemsSeen + seen.fresh.size,
      itemsLast7Days: seen.itemsLast7Days,
      ...(seen.fresh.size > 0 ? { lastNewItemAt: this.at } : {}),
      idPolicy: policy,
      idPolicyReason: policyReason,
      title: parsed.title,
      siteUrl: parsed.link,
      format: parsed.version,
      ttlMinutes: parsed.ttlMinutes,
      hub: parsed.hub,
      self: parsed.self,
      ...(overflow?.state ?? {}),
    });
    deps.log.info(
      {
        items: parsed.items.length,
        new: seen.fresh.size,
        enqueued: fresh.length,
        next: next.reason,
        ...(overflow ? { overflow: true, filled: overflow.filled.length } : {}),
        ...(firstRead.length > 0 ? { fromSitemap: firstRead.length } : {}),
      },
      'feed polled',
    );
    return {
      outcome: 'ok',
      feedId: feed.id,
      status: res.status,
      items: parsed.items.length,
      known: candidates.length - fresh.length,
      enqueued: [...fresh, ...(overflow?.filled ?? []), ...firstRead].map(c => articleJobId(c.urlHash)),
    };
  }

  /**
   * A sitemap source's poll: its sitemap (or, for a site root, the sitemaps robots.txt or a common path names),
   * through indexes within POLL_CAPS, children whose `lastmod` has not changed left out; the newest entries
   * (news publication date, else lastmod) become the poll's items, and from there it is a feed's poll.
   */
  async sitemap(): Promise<PollOutcome> {
    const { deps, state, settings } = this;
    let roots = [this.url];
    let discovered: string | null = null;
    if (isSiteRoot(this.url)) {
      const cached = !this.recheck && state.sitemaps ? state.sitemaps.split(' ') : null;
      if (cached) roots = cached;
      else {
        const d = await discoverSitemaps(deps.fetcher, this.url);
        if (d.sitemaps.length === 0) {
          return this.failed('discovery', `no sitemap found: ${d.notes.join('; ')}`);
        }
        roots = d.sitemaps.slice(0, POLL_CAPS.maxSitemaps);
        discovered = roots.join(' ');
      }
    }
    const known = this.recheck ? {} : await deps.redis.hgetall(this.k.sitemaps);
    const read: Record<string, string> = {};
    const max = settings.maxItemsPerPoll;
    let urls: SitemapUrl[] = [];
    let dropped = 0;
    const walk = await walkSitemaps({
      fetcher: deps.fetcher,
      roots,
      caps: POLL_CAPS,
      // Discovery fetched already: the walk waits its turn rather than restart the poll.
      continuing: discovered !== null,
      parse: deps.parseSitemap,
      // Validators only for a source of one sitemap: a 304 of the first of several says nothing of the others.
      ...(this.recheck || roots.length > 1
        ? {}
        : { validators: { etag: state.etag, lastModified: state.lastModified } }),
      skip: c => {
        const unchanged = c.lastmod !== null && known[c.loc] === c.lastmod;
        if (unchanged) read[c.loc] = c.lastmod!;
        return unchanged;
      },
      onUrls: (batch, from) => {
        dropped += from.dropped;
        for (const u of batch) urls.push(u);
        // Only the newest `max` are kept: a 50 000-URL sitemap costs a bounded list, not one item per URL.
        if (urls.length > 4 * max) {
          dropped += urls.length - max;
          urls = newestEntries(urls, max);
        }
      },
      onDone: c => {
        if (c.lastmod) read[c.loc] = c.lastmod;
      },
    });
    if (walk.rootFailure) {
      const f = walk.rootFailure;
      return this.failed(f.class, f.url === this.url ? f.reason : `${f.url}: ${f.reason}`, f.status);
    }
    const res = walk.root!;
    if (walk.notModified) return this.unchanged(res, null);
    for (const f of walk.failures) {
      await recordFailure(deps.redis, deps.keys, {
        scope: 'feed',
        id: this.feed.id,
        url: f.url,
        class: `sitemap-${f.class}`,
        reason: f.reason,
        at: this.at,
      });
    }
    if (walk.capped) deps.log.warn({ capped: walk.capped, fetched: walk.fetched }, 'sitemap walk capped');
    const pipeline = deps.redis.multi().del(this.k.sitemaps);
    if (Object.keys(read).length > 0) pipeline.hset(this.k.sitemaps, read);
    await pipeline.exec();
    const newest = newestEntries(urls, max);
    dropped += urls.length - newest.length;
    if (dropped > 0) {
      await deps.redis.hincrby(statsKey(deps.keys), 'feed.items_dropped', dropped);
    }
    const parsed: ParsedFeed = {
      format: 'sitemap',
      version: walk.news ? 'sitemap-news' : 'sitemap-0.9',
      title: state.title,
      link: new URL(this.url).origin,
      description: null,
      language: null,
      updatedAt: null,
      ttlMinutes: null,
      hub: null,
      self: null,
      items: newest.map(itemOfSitemapUrl),
    };
    if (discovered !== null) {
      await writeFeedState(deps.redis, this.k.state, { sitemaps: discovered });
    }
    return this.parsed(res, parsed, null, null);
  }

  /**
   * This poll overflowed: counted, the interval halved (src/feeds/interval.ts), and the gap filled from the site's
   * news sitemap when it has one. Returns the state fields that record it.
   */
  private async overflowed(
    parsed: ParsedFeed,
    items: number,
  ): Promise<{ state: Partial<FeedState>; filled: ArticleJobData[] }> {
    const { deps, state, settings, now } = this;
    const current = Math.min(
      state.intervalMs ?? this.feed.interval ?? settings.intervals.defaultMs,
      state.overflowIntervalMs !== null && now - (msOf(state.lastOverflowAt) ?? 0) < OVERFLOW_HOLD_MS
        ? state.overflowIntervalMs
        : Infinity,
    );
    await deps.redis.hincrby(statsKey(deps.keys), 'feed.overflow', 1);
    const filled = await this.fill(parsed);
    if (filled.length > 0) {
      await deps.redis.hincrby(statsKey(deps.keys), 'feed.overflow.filled', filled.length);
    }
    deps.log.warn(
      { items, filled: filled.length },
      'feed overflowed: every item was new, some were probably missed',
    );
    return {
      state: {
        overflows: state.overflows + 1,
        lastOverflowAt: this.at,
        overflowIntervalMs: overflowCeiling(current, settings.intervals),
        lastOverflowFilled: filled.length,
      },
      filled,
    };
  }

  /**
   * Reads the site's news sitemap (feeds.yaml `sitemap`, else found through robots.txt and looked for again daily)
   * and enqueues what it lists since the feed's last good poll: the items the feed dropped before this poll saw
   * them. Returns the jobs enqueued; a failure is recorded, never thrown.
   */
  private async fill(parsed: ParsedFeed): Promise<ArticleJobData[]> {
    const { deps, state } = this;
    let url = this.feed.sitemap ?? null;
    if (!url) {
      const checked = msOf(state.newsSitemapCheckedAt);
      if (state.newsSitemap && checked !== null && this.now - checked < 86_400_000) {
        url = state.newsSitemap === 'none' ? null : state.newsSitemap;
      } else {
        // The site the feed names first (a feed may live on another host), then the feed's own.
        const sites = [...new Set([parsed.link, this.url].flatMap(u => httpOrigin(u) ?? []))];
        for (const site of sites) {
          url = await findNewsSitemap(deps.fetcher, site).catch((err: unknown) => {
            if (err instanceof MustWait) throw err;
            deps.log.warn({ err, site }, 'looking for the news sitemap failed');
            return null;
          });
          if (url) break;
        }
        await writeFeedState(deps.redis, this.k.state, {
          newsSitemap: url ?? 'none',
          newsSitemapCheckedAt: this.at,
        });
      }
    }
    if (!url) return [];
    // From the start of the UTC day of the last good poll (less an interval): news sitemaps may give dates
    // without a time, and what is already stored costs one lookup.
    const last = msOf(state.lastSuccessAt);
    const since =
      last === null ? null : Math.floor((last - (state.intervalMs ?? 0)) / 86_400_000) * 86_400_000;
    const items: FeedItem[] = [];
    const walk = await walkSitemaps({
      fetcher: deps.fetcher,
      roots: [url],
      caps: POLL_CAPS,
      continuing: true,
      parse: deps.parseSitemap,
      onUrls: batch => {
        for (const u of batch) {
          const at = msOf(entryDate(u));
          if (since === null || at === null || at >= since) items.push(itemOfSitemapUrl(u));
        }
      },
    });
    const failed = walk.rootFailure ?? walk.failures[0];
    if (failed) {
      await recordFailure(deps.redis, deps.keys, {
        scope: 'feed',
        id: this.feed.id,
        url: failed.url,
        class: `sitemap-${failed.class}`,
        reason: `overflow fill: ${failed.reason}`,
        at: this.at,
      });
    }
    const { fresh } = await this.enqueue(items.slice(0, this.settings.maxItemsPerPoll), this.url, {
      skipQueued: true,
    });
    return fresh;
  }

  /** Every item with a link whose canonical URL no feed has stored yet; the job id dedupes a URL in flight. */
  private async enqueue(
    items: readonly FeedItem[],
    feedUrl: string,
    opts: { skipQueued?: boolean } = {},
  ): Promise<{ candidates: ArticleJobData[]; fresh: ArticleJobData[] }> {
    const candidates: ArticleJobData[] = [];
    const hashes = new Set<string>();
    for (const item of items) {
      const urlKey = item.link ? canonicalUrlKey(item.link) : null;
      if (!item.link || !urlKey) continue;
      const urlHash = hashKey(urlKey);
      if (hashes.has(urlHash)) continue;
      hashes.add(urlHash);
      candidates.push({
        url: fetchUrlOf(item.link) ?? item.link,
        urlKey,
        urlHash,
        feed: { id: this.feed.id, url: feedUrl },
        item: {
          title: item.title,
          publishedAt: item.publishedAt,
          contentHtml: item.contentHtml,
          summaryHtml: item.summaryHtml,
          authors: item.authors.map(a => a.name),
          source: item.source,
        },
        enqueuedAt: this.at,
      });
    }
    const known = await this.deps.store.knownUrlHashes(candidates.map(c => c.urlHash));
    let fresh = candidates.filter((_, i) => !known[i]);
    if (opts.skipQueued && fresh.length > 0) {
      // A fill counts only what the feed never enqueued: a URL with a job in the queue is on its way already.
      const queued = await Promise.all(
        fresh.map(c => this.deps.articleQueue.getJob(articleJobId(c.urlHash))),
      );
      fresh = fresh.filter((_, i) => !queued[i]);
    }
    if (fresh.length > 0) {
      await this.deps.articleQueue.addBulk(
        fresh.map(data => ({
          name: 'article',
          data,
          opts: { ...articleJobOptions(this.deps.articleAttempts), jobId: articleJobId(data.urlHash) },
        })),
      );
      for (const data of fresh) {
        this.deps.history?.record({
          ev: 'enqueue',
          jobId: articleJobId(data.urlHash),
          urlHash: data.urlHash,
          url: data.url,
          by: 'poll',
        });
      }
    }
    return { candidates, fresh };
  }

  private async nextPoll(
    res: Extract<FetchResult, { ok: true }>,
    itemsLast7Days: number,
    ttlMinutes: number | null,
    overflow: Partial<FeedState> | null = null,
  ): Promise<NextPoll> {
    const { settings, now } = this;
    const base = underOverflowCeiling(
      baseInterval(
        { overrideMs: this.feed.interval, itemsLast7Days, hasHistory: this.state.lastSuccessAt !== null },
        settings.intervals,
      ),
      {
        ceilingMs: overflow?.overflowIntervalMs ?? this.state.overflowIntervalMs,
        at: msOf(overflow?.lastOverflowAt ?? this.state.lastOverflowAt),
      },
      now,
    );
    const floor = cacheFloor(
      {
        ttlMinutes,
        cacheControl: res.headers.cacheControl,
        expires: res.headers.expires,
        retryAfter: res.headers.retryAfter,
      },
      now,
      settings.intervals,
    );
    const websubActive = (await this.deps.websub?.isActive(this.feed.id, now)) ?? false;
    const dueAt = msOf(this.state.nextPollAt);
    return nextAfterSuccess(
      { now, dueAt, base, floor, websubActive, random: this.random },
      settings.intervals,
    );
  }

  private successFields(
    res: Extract<FetchResult, { ok: true }>,
    next: NextPoll,
    moved: string | null,
  ): Partial<FeedState> {
    // Miniflux's rule: a server that says "Expires: 0" does not mean its validators.
    const keepValidators = res.headers.expires?.trim() !== '0';
    const validators: Partial<FeedState> =
      res.status === 304
        ? {}
        : keepValidators
          ? { etag: res.headers.etag ?? null, lastModified: res.headers.lastModified ?? null }
          : { etag: null, lastModified: null };
    return {
      configUrl: this.feed.url,
      ...(moved ? { url: moved, movedFrom: this.url, movedAt: this.at } : {}),
      lastStatus: res.status,
      lastPolledAt: this.at,
      lastSuccessAt: this.at,
      lastErrorClass: null,
      lastErrorReason: null,
      consecutiveErrors: 0,
      firstHardErrorAt: null,
      nextPollAt: iso(next.nextPollAt),
      intervalMs: next.intervalMs,
      intervalReason: next.reason,
      healthyIntervalMs: next.intervalMs,
      ...validators,
    };
  }
}

/** The `max` newest entries (news publication date, else lastmod), undated ones last in document order. */
function newestEntries(urls: SitemapUrl[], max: number): SitemapUrl[] {
  return urls
    .map((u, i) => ({ u, i, t: msOf(entryDate(u)) ?? -Infinity }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .slice(0, max)
    .map(x => x.u);
}

/** A sitemap entry as a feed item: its URL is its identity; a news entry's title and date become the hints. */
function itemOfSitemapUrl(u: SitemapUrl): FeedItem {
  return {
    id: u.loc,
    link: u.loc,
    title: u.title,
    publishedAt: u.publishedAt,
    updatedAt: u.lastmod,
    authors: [],
    categories: [],
    summaryHtml: null,
    contentHtml: null,
    image: u.images[0] ?? null,
    source: null,
    guid: u.loc,
  };
}

/** When an item arrived, for the 7-day count: its published date, else now — or never, for the first backlog. */
function arrivalOf(item: FeedItem, now: number, baseline: boolean): number {
  const published = msOf(item.publishedAt);
  if (published !== null && published <= now + 86_400_000) return published;
  return baseline ? 0 : now;
}
