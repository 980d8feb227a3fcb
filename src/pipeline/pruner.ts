import { readStream } from '../metrics/status.js';
import type { Logger } from '../shared/logger.js';
import { pruneLeaseKey } from '../store/keys.js';
import { acquireLease } from '../store/lease.js';
import { pruneStories, type PruneOptions, type PruneResult } from '../store/retention.js';

export interface Pruner {
  /** Runs one pass now (tests, shutdown); resolves when it is done. */
  runOnce(): Promise<PruneResult | null>;
  stop(): Promise<void>;
}

/**
 * The service's continuous pruning: every `intervalMs` one replica (a lease) runs a pass of at most `batch`
 * stories, starting where its last pass stopped, so a deployment of any size is walked in bounded steps.
 */
export function startPruner(
  o: Omit<PruneOptions, 'limit' | 'offset' | 'dryRun'> & {
    intervalMs: number;
    batch: number;
    log: Logger;
  },
): Pruner {
  let offset = 0;
  const behind = new Set<string>();
  let running: Promise<PruneResult | null> | null = null;
  let stopped = false;
  const pass = async (): Promise<PruneResult | null> => {
    const lease = await acquireLease(o.redis, pruneLeaseKey(o.keys), Math.max(10_000, o.intervalMs), {
      renew: true,
    });
    if (!lease) return null;
    try {
      const r = await pruneStories({ ...o, limit: o.batch, offset });
      offset = r.nextOffset;
      if (r.expired.length > 0) {
        o.log.info(
          { stories: r.expired.length, members: r.expired.reduce((n, e) => n + e.members, 0) },
          'retention: expired stories removed',
        );
      }
      await warnLaggingGroups();
      return r;
    } finally {
      await lease.release();
    }
  };
  // One warning when a consumer group starts owing entries older than the retention, one line when it is back.
  const warnLaggingGroups = async (): Promise<void> => {
    const { groups } = await readStream(o.redis, o.keys.stream, { now: o.now, retentionMs: o.retentionMs });
    for (const g of groups) {
      if (g.behindRetention && !behind.has(g.name)) {
        behind.add(g.name);
        o.log.warn(
          { group: g.name, oldestAt: g.oldestAt, retentionMs: o.retentionMs },
          'retention: consumer group owes entries older than retention.stories; the stories they name may be gone',
        );
      } else if (!g.behindRetention && behind.delete(g.name)) {
        o.log.info({ group: g.name }, 'retention: consumer group caught up within retention.stories');
      }
    }
  };
  const runOnce = (): Promise<PruneResult | null> => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (stopped) return;
    runOnce().catch((err: unknown) => o.log.error({ err }, 'retention: prune pass failed'));
  }, o.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
