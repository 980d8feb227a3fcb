import { readFileSync, existsSync } from 'node:fs';
import type { RedisClient } from '../../../src/store/redis.js';
import type { HistoryEvent } from '../../../src/pipeline/history.js';
import { createStoryStore } from '../../../src/store/story-store.js';
import { QUEUE, type Keys, failuresKey } from '../../../src/store/keys.js';

/**
 * The fault suite's one invariant, checked over the history (src/pipeline/history.ts) and Redis' final state:
 * every URL enqueued ends as exactly one stored article (or story member) with exactly one admission event
 * (`story.created` or `story.member_added`), or as exactly one failure record with its reason — never both,
 * never neither; and no job is left waiting, active or delayed after the drain.
 */
export type HistoryLine = HistoryEvent & { t: number; pid: number };

export interface CheckReport {
  enqueued: number;
  stored: number;
  failed: number;
  /** Failure records by class (stalled, error, skipped, http-…). */
  failedByClass: Record<string, number>;
  leftInQueue: Record<string, number>;
  violations: string[];
  history: HistoryLine[];
}

/** The history's `stored` outcomes: articles whose decision script had answered. */
export function storedLines(history: HistoryLine[]): Extract<HistoryLine, { ev: 'outcome' }>[] {
  return history.filter(
    (h): h is Extract<HistoryLine, { ev: 'outcome' }> => h.ev === 'outcome' && h.outcome === 'stored',
  );
}

export function readHistory(file: string): HistoryLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as HistoryLine);
}

export async function checkInvariant(
  redis: RedisClient,
  keys: Keys,
  historyFile: string,
): Promise<CheckReport> {
  const history = readHistory(historyFile);
  const enqueued = new Map<string, string>();
  for (const h of history) if (h.ev === 'enqueue') enqueued.set(h.urlHash, h.url);

  // Admission events per article, and duplicates of any (type, story, article) triple.
  const admissions = new Map<string, number>();
  const seenTriples = new Set<string>();
  const violations: string[] = [];
  for (const [, fields] of await xrangeAll(redis, keys.stream)) {
    const f = fieldMap(fields);
    const triple = `${f.type} ${f.storyId} ${f.articleId}`;
    if (f.type !== 'story.updated') {
      if (seenTriples.has(triple)) violations.push(`event published twice: ${triple}`);
      seenTriples.add(triple);
    }
    // story.updated names the story's (new) representative: an original that arrives after its copy founded
    // the story is announced that way, not as a member (docs/CONSUMING.md).
    if (f.type === 'story.created' || f.type === 'story.member_added' || f.type === 'story.updated') {
      admissions.set(f.articleId ?? '', (admissions.get(f.articleId ?? '') ?? 0) + 1);
    }
  }
  const failures = new Map<string, Record<string, string>[]>();
  for (const [, fields] of await xrangeAll(redis, failuresKey(keys))) {
    const f = fieldMap(fields);
    if (f.scope !== 'article' || !f.id) continue;
    failures.set(f.id, [...(failures.get(f.id) ?? []), f]);
  }

  let stored = 0;
  let failed = 0;
  const failedByClass: Record<string, number> = {};
  const hashes = [...enqueued.keys()];
  const present = hashes.length
    ? await redis.mget(...hashes.map(h => keys.urlIndex(h)))
    : ([] as (string | null)[]);
  hashes.forEach((hash, i) => {
    const url = enqueued.get(hash);
    const isStored = present[i] !== null && present[i] !== undefined;
    const recs = failures.get(hash) ?? [];
    if (isStored) {
      stored++;
      // A member's admission may be re-announced when its story merges into another; at least one, and the
      // triple check above catches a repeat into the same story.
      if ((admissions.get(hash) ?? 0) < 1) violations.push(`stored without an event: ${url}`);
      if (recs.length > 0) violations.push(`stored and also recorded as failed (${recs[0]?.class}): ${url}`);
    } else if (recs.length === 1) {
      failed++;
      const cls = recs[0]?.class ?? '?';
      failedByClass[cls] = (failedByClass[cls] ?? 0) + 1;
      if (!recs[0]?.reason) violations.push(`failure without a reason: ${url}`);
    } else if (recs.length > 1) {
      violations.push(`${recs.length} failure records: ${url}`);
    } else {
      violations.push(`lost: neither stored nor recorded: ${url}`);
    }
  });

  // Every story has its body (another slot than the story on a cluster, written after the decision): a worker
  // killed between the two left it to the retry, which must have stored it by now.
  const store = createStoryStore(redis, keys, { streamMaxLen: 1 });
  for (const storyId of await redis.zrange(keys.storiesByTime, 0, -1)) {
    if (!(await store.get(storyId))) violations.push(`story without its body: ${storyId}`);
  }

  const leftInQueue: Record<string, number> = {};
  for (const queue of [QUEUE.extract]) {
    const base = `${keys.bullPrefix}:${queue}`;
    const [wait, active, delayed, prioritized] = await Promise.all([
      redis.llen(`${base}:wait`),
      redis.llen(`${base}:active`),
      redis.zcard(`${base}:delayed`),
      redis.zcard(`${base}:prioritized`),
    ]);
    const left = { wait, active, delayed, prioritized };
    for (const [state, n] of Object.entries(left)) {
      if (n > 0) {
        leftInQueue[`${queue}:${state}`] = n;
        violations.push(`${n} job(s) left ${state} in ${queue}`);
      }
    }
  }
  return { enqueued: enqueued.size, stored, failed, failedByClass, leftInQueue, violations, history };
}

/** Waits until the article queue has nothing waiting, active or delayed, for `settleMs` in a row. */
export async function waitForDrain(
  redis: RedisClient,
  keys: Keys,
  opts: { timeoutMs: number; settleMs?: number; pollMs?: number },
): Promise<boolean> {
  const base = `${keys.bullPrefix}:${QUEUE.extract}`;
  const deadline = Date.now() + opts.timeoutMs;
  let quietSince: number | null = null;
  while (Date.now() < deadline) {
    const [wait, active, delayed, prioritized] = await Promise.all([
      redis.llen(`${base}:wait`),
      redis.llen(`${base}:active`),
      redis.zcard(`${base}:delayed`),
      redis.zcard(`${base}:prioritized`),
    ]);
    if (wait + active + delayed + prioritized === 0) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= (opts.settleMs ?? 1_500)) return true;
    } else quietSince = null;
    await new Promise(r => setTimeout(r, opts.pollMs ?? 250));
  }
  return false;
}

async function xrangeAll(redis: RedisClient, key: string): Promise<[string, string[]][]> {
  const out: [string, string[]][] = [];
  let start = '-';
  for (;;) {
    const page = await redis.xrange(key, start, '+', 'COUNT', 1000);
    out.push(...page);
    if (page.length < 1000) return out;
    start = `(${page[page.length - 1]?.[0]}`;
  }
}

function fieldMap(fields: string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return f;
}
