import type { RedisClient } from '../store/redis.js';
import { extractArticle, ExtractInputError } from '../extract/extract.js';
import { ExtractTaskError } from '../extract/pool.js';
import type { ExtractInput, ExtractOutcome } from '../extract/types.js';
import type { HistogramRecorder } from '../metrics/histograms.js';
import { timed } from '../metrics/instrument.js';
import type { Fetcher } from '../fetch/types.js';
import {
  ARTICLE_SCHEMA_VERSION,
  normalizeArticle,
  type ArticleEnvelope,
  type NormalizedArticle,
} from '../dedupe/article.js';
import { DEFAULT_DEDUPE, fingerprintSettings, planDecision, type DedupeSettings } from '../dedupe/story.js';
import { prepareText, type ContentKeys, type KeySettings } from '../dedupe/fingerprint.js';
import { siteOf } from '../shared/site.js';
import type { StoryStore } from '../store/story-store.js';
import type { Keys } from '../store/keys.js';
import { countOutcome, recordFailure } from '../store/records.js';
import { URL_TOMBSTONE } from '../store/retention.js';
import type { Logger } from '../shared/logger.js';
import { articleJobId, type ArticleJobData, type ArticleOutcome } from './queues.js';

export interface ArticleDeps {
  redis: RedisClient;
  keys: Keys;
  fetcher: Fetcher;
  store: StoryStore;
  /** Bound to the job (jobId, feedId, url: src/pipeline/runtime.ts); a call adds only fields not bound, or the line carries a key twice. */
  log: Logger;
  now: () => number;
  /** Dedupe thresholds and layout (config `dedupe`); defaults when absent. */
  dedupe?: DedupeSettings | undefined;
  /** Enqueues a page to fetch: the original a copy names, when it is not known yet. */
  enqueueArticle?: ((data: ArticleJobData) => Promise<void>) | undefined;
  /** Extraction durations for /metrics (src/metrics/histograms.ts). */
  histograms?: HistogramRecorder | undefined;
  /**
   * Runs extraction off the event loop (the extractor role's worker-thread pool), with the article's content keys
   * for these fingerprint settings (`contentKeys`) and its stored body for this envelope when it can;
   * in-process when absent.
   */
  extract?:
    ((input: ExtractInput, keys: KeySettings, envelope: ArticleEnvelope) => Promise<Extracted>) | undefined;
}

/** What the pool returns for a page: the outcome, and the content keys and stored body it computed for an article. */
export interface Extracted {
  outcome: ExtractOutcome;
  keys?: ContentKeys | undefined;
  body?: Buffer | undefined;
}

/** A failure worth another attempt (network, timeout, 5xx); BullMQ retries it with backoff. */
export class RetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableError';
  }
}

export interface AttemptInfo {
  /** True on the job's last allowed attempt: a retryable failure then becomes a recorded failure. */
  lastAttempt: boolean;
  signal?: AbortSignal | undefined;
}

/** Fetches, extracts and stores one article. Expected outcomes are returned; only retryable failures throw. */
export async function processArticle(
  deps: ArticleDeps,
  job: ArticleJobData,
  attempt: AttemptInfo,
): Promise<ArticleOutcome> {
  const { log } = deps;
  const existing = await deps.store.idForUrlHash(job.urlHash);
  if (existing === URL_TOMBSTONE) {
    // Stored once and removed by retention (retention.stories): not fetched again while the tombstone lives.
    await countOutcome(deps.redis, deps.keys, 'article.skipped.expired');
    return { outcome: 'skipped', url: job.url, reason: 'expired: removed by retention, not fetched again' };
  }
  // An article stored by an attempt that died between the decision and the body write: run again to store it.
  const repair = existing !== null && (await deps.store.lacksBody(existing));
  if (existing && !repair) {
    await countOutcome(deps.redis, deps.keys, 'article.duplicate.same-url');
    return { outcome: 'duplicate', articleId: existing, url: job.url, kind: 'same-url' };
  }

  // May throw MustWait (per-host politeness): the BullMQ adapter delays the job without spending an attempt.
  const res = await deps.fetcher.fetch({ url: job.url, kind: 'page', signal: attempt.signal });
  if (!res.ok) {
    if (res.class === 'blocked') {
      // robots.txt, SSRF guard, scheme or port: permanent, recorded as `blocked: <by>` with its reason.
      const by = res.blockedBy ?? 'ssrf';
      await fail(deps, job, 'blocked', `${by}: ${res.reason}`);
      return { outcome: 'blocked', url: job.url, reason: by };
    }
    // A 429/503 spends an attempt; the host's Retry-After, now in the shared gate, delays the retry.
    if (res.retryable && !attempt.lastAttempt) throw new RetryableError(`${res.class}: ${res.reason}`);
    return fail(deps, job, res.class, res.reason);
  }

  const input: ExtractInput = {
    html: res.text,
    url: res.finalUrl,
    feedItem: job.item,
    headers: { cfMitigated: res.headers.cfMitigated },
  };
  const envelope: ArticleEnvelope = {
    id: job.urlHash,
    url: job.url,
    finalUrl: res.finalUrl,
    urlKey: job.urlKey,
    feed: job.feed,
    fetchedAt: new Date(deps.now()).toISOString(),
    schemaVersion: ARTICLE_SCHEMA_VERSION,
  };
  const settings = deps.dedupe ?? DEFAULT_DEDUPE;
  let extracted: Extracted;
  try {
    extracted = deps.extract
      ? await timedAsync(deps.histograms, () =>
          (deps.extract as NonNullable<ArticleDeps['extract']>)(
            input,
            fingerprintSettings(settings),
            envelope,
          ),
        )
      : {
          outcome: timed(
            deps.histograms,
            'extraction',
            o => o.kind,
            () => extractArticle(input),
          ),
        };
  } catch (err) {
    // Too large, timed out, out of its heap, thread died: the page's own problem, recorded, not retried.
    if (err instanceof ExtractTaskError || err instanceof ExtractInputError) {
      return fail(deps, job, `extract:${err.errorClass}`, err.message);
    }
    throw err;
  }
  const { outcome } = extracted;
  if (outcome.kind === 'skipped') {
    // Recorded like a failure (its reason visible in status and the failures stream): every enqueued URL
    // ends stored or recorded. Counted as a skip, not a failure.
    await record(deps, job, 'skipped', outcome.reason, `article.skipped.${outcome.reason}`);
    log.info({ reason: outcome.reason, detail: outcome.detail }, 'article skipped');
    return { outcome: 'skipped', url: job.url, reason: outcome.reason };
  }
  if (outcome.kind === 'blocked') {
    return fail(deps, job, 'blocked', `${outcome.reason}: ${outcome.interstitial}`);
  }

  const article: NormalizedArticle = normalizeArticle(outcome.article, envelope);
  // Dedupe: extraction's attribution (the credit module, run in the pool with the feed item's evidence),
  // content keys, then one atomic decision in Redis that joins or founds a story and publishes its events.
  // What this page's site repeats in its stories (an issuer's "About …", a disclaimer) is not evidence.
  // The pool computed the content keys in its thread; in-process extraction reads the text here.
  const keys = extracted.keys;
  const prepared = keys ? undefined : prepareText(article.contentText);
  const sharedParagraphs = await deps.store.sharedParagraphs(
    siteOf(article.urlKey) ?? '',
    keys?.paragraphs ?? prepared?.paragraphs ?? [],
  );
  const plan = planDecision({
    article,
    attribution: article.attribution,
    prepared,
    keys,
    sharedParagraphs,
    urlHash: job.urlHash,
    feedTitle: job.item.title,
    publisherUrl: outcome.publisherUrl,
    settings,
    now: deps.now(),
  });
  const enqueued: string[] = [];
  if (plan.original && deps.enqueueArticle) {
    // Before the decision, so a crash between the two cannot lose the original; the job id dedupes.
    const [known] = await deps.store.knownUrlHashes([plan.original.urlHash]);
    if (!known) {
      await deps.enqueueArticle({
        url: plan.original.url,
        urlKey: plan.original.urlKey,
        urlHash: plan.original.urlHash,
        feed: job.feed,
        item: { title: article.attribution?.originalTitle ?? null },
        enqueuedAt: new Date(deps.now()).toISOString(),
      });
      enqueued.push(articleJobId(plan.original.urlHash));
      log.info({ original: plan.original.url }, 'original enqueued');
    }
  }
  const decision = await deps.store.decide(plan, article, extracted.body);
  if (decision.kind === 'exists') {
    if (repair && decision.bodyStored) {
      log.warn({ storyId: decision.storyId }, 'body of a decided article stored on retry');
      await countOutcome(deps.redis, deps.keys, 'article.body-repaired');
      return { outcome: 'stored', articleId: decision.articleId, url: job.url, enqueued };
    }
    await countOutcome(deps.redis, deps.keys, 'article.duplicate.same-url');
    return { outcome: 'duplicate', articleId: decision.articleId, url: job.url, kind: 'same-url', enqueued };
  }
  if (decision.kind === 'joined') {
    // An original arriving after its copy joins (and usually represents) the copy's story: not a duplicate.
    await countOutcome(
      deps.redis,
      deps.keys,
      decision.relation === 'original' ? 'article.original-joined' : `article.duplicate.${decision.relation}`,
    );
    log.info(
      { storyId: decision.storyId, relation: decision.relation, via: decision.via },
      decision.representativeChanged ? 'article joined story as representative' : 'article joined story',
    );
    return {
      outcome: 'duplicate',
      articleId: decision.storyId,
      url: job.url,
      kind: decision.relation,
      enqueued,
    };
  }
  await countOutcome(deps.redis, deps.keys, 'article.stored');
  log.info({ articleId: article.id, words: article.wordCount }, 'article stored');
  return { outcome: 'stored', articleId: article.id, url: job.url, enqueued };
}

/** Like `timed`, for extraction that runs in the worker-thread pool. */
async function timedAsync(
  rec: HistogramRecorder | undefined,
  fn: () => Promise<Extracted>,
): Promise<Extracted> {
  const t0 = performance.now();
  const extracted = await fn();
  rec?.observe('extraction', { result: extracted.outcome.kind }, (performance.now() - t0) / 1000);
  return extracted;
}

async function fail(
  deps: ArticleDeps,
  job: ArticleJobData,
  cls: string,
  reason: string,
): Promise<ArticleOutcome> {
  await record(deps, job, cls, reason);
  deps.log.warn({ class: cls, reason }, 'article failed');
  return { outcome: 'failed', url: job.url, class: cls, reason };
}

/** One record per article job, whatever ran it how often (the once-marker is keyed by the URL hash). */
async function record(
  deps: ArticleDeps,
  job: ArticleJobData,
  cls: string,
  reason: string,
  counter?: string,
): Promise<void> {
  await recordFailure(
    deps.redis,
    deps.keys,
    {
      scope: 'article',
      id: job.urlHash,
      url: job.url,
      class: cls,
      reason,
      at: new Date(deps.now()).toISOString(),
      feed: job.feed.id,
      ...(counter ? { counter } : {}),
    },
    { once: `article:${job.urlHash}` },
  );
}
