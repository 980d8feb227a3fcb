import { pollSettingsFrom, type PollDeps } from '../../../src/pipeline/poll-feed.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';

/** The poll job's dependencies from a runtime, with the test's clock and a fixed jitter. */
export function pollDepsOf(rt: Runtime, now: () => number): PollDeps {
  return {
    redis: rt.redis,
    keys: rt.keys,
    fetcher: rt.fetcher,
    store: rt.store,
    articleQueue: rt.articleQueue,
    articleAttempts: 1,
    log: rt.log,
    now,
    random: () => 0.5,
    settings: pollSettingsFrom(rt.config.service),
  };
}
