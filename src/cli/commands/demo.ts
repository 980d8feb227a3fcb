import type { Command } from 'commander';
import { deriveConfig } from '../../config/load.js';
import { fixturePorts, startFixtureSite } from '../../demo/fixture-site.js';
import { runOnce } from '../../pipeline/run-once.js';
import type { StoryRecord } from '../../dedupe/story.js';
import type { NormalizedArticle } from '../../dedupe/article.js';
import { keysFor, type Keys } from '../../store/keys.js';
import { createRedis, deleteByPattern, isClusterTarget, scanKeys, waitReady } from '../../store/redis.js';
import type { RedisClient } from '../../store/redis.js';
import { usage } from './read-context.js';
import { cliLogger, connectRedis, openRuntime, readConfig } from '../context.js';
import { formatSummary } from './run.js';

export const DEMO_PREFIX = 'newsflow-demo';

/**
 * The demo's key prefix: NEWSFLOW_KEY_PREFIX when set (as every other command), else its own `newsflow-demo`
 * (never redis.keyPrefix from newsflow.yaml: the demo resets its prefix, and that one holds the service's data).
 */
export function demoPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return env.NEWSFLOW_KEY_PREFIX?.trim() || DEMO_PREFIX;
}

/** The demo resets its prefix; it refuses one holding keys it did not write (a service's data). */
async function mayReset(redis: RedisClient, keys: Keys): Promise<boolean> {
  if (keys.prefix === DEMO_PREFIX || (await redis.exists(keys.demoMarker)) === 1) return true;
  for await (const found of scanKeys(redis, keys.pattern)) if (found.length > 0) return false;
  return true;
}

/** One story: its representative article (the body stored once), then every member with its relation and credit. */
export function formatStory(story: StoryRecord, rep: NormalizedArticle | null): string {
  const lines = [
    `• ${rep?.title ?? '(untitled)'}`,
    `    story:       ${story.storyId} — one body, ${rep?.wordCount ?? 0} words, ${story.members.length} member(s)`,
    `    source:      ${rep?.siteName ?? rep?.feed.id ?? '?'}`,
    `    canonical:   ${rep?.canonicalUrl ?? rep?.finalUrl ?? '?'}`,
  ];
  for (const m of story.members) {
    const credit = m.attribution
      ? `credits ${m.attribution.originalPublisher ?? '?'} <${m.attribution.originalUrl ?? '?'}> (${m.attribution.method})`
      : 'no credit line';
    lines.push(`    member:      ${m.relation.padEnd(16)} ${m.siteName ?? m.feed.id} — ${m.url}`);
    lines.push(`                 ${credit}; ${m.wordCount} words (feed ${m.feed.id})`);
  }
  return lines.join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Offline demo: serve a bundled local site (an original publisher and an aggregator copying it) on loopback, ' +
        'run the pipeline once against it and print the stories it stored (each body once, every copy as a member). ' +
        `Keys go under NEWSFLOW_KEY_PREFIX, default "${DEMO_PREFIX}" (not redis.keyPrefix), reset on every run; ` +
        'a prefix holding keys the demo did not write is refused (exit 2)',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      const base = readConfig(dir);
      const site = await startFixtureSite();
      const s = base.service;
      const config = deriveConfig(
        base,
        {
          ...s,
          log: { level: s.log.level === 'info' ? 'warn' : s.log.level },
          redis: { ...s.redis, keyPrefix: demoPrefix() },
          fetch: {
            ...s.fetch,
            allowNetworks: [...s.fetch.allowNetworks, '127.0.0.0/8'],
            allowedPorts: [...s.fetch.allowedPorts, ...fixturePorts(site)],
          },
        },
        site.feeds,
      );
      const log = cliLogger(config, 'stderr');
      const redis = await connectRedis(config, log);
      try {
        // Checked before the runtime opens its queues (BullMQ writes its meta keys when a Queue opens).
        const check = createRedis(redis.target, 'producer');
        try {
          await waitReady(check);
          const keys = keysFor(config.service.redis.keyPrefix, { cluster: isClusterTarget(redis.target) });
          if (!(await mayReset(check, keys))) {
            usage(
              'demo.prefix',
              `demo: prefix "${keys.prefix}" holds keys the demo did not write, and the demo resets its prefix; ` +
                `set NEWSFLOW_KEY_PREFIX to an unused prefix (or unset it for "${DEMO_PREFIX}")`,
            );
          }
        } finally {
          check.disconnect();
        }
        const rt = await openRuntime(config, redis.target, log);
        try {
          // The demo owns its prefix: start from an empty one so every run shows the whole pipeline.
          await deleteByPattern(rt.redis, rt.keys.pattern);
          await rt.redis.set(rt.keys.demoMarker, new Date().toISOString());
          process.stdout.write(
            `newsflow demo — fixture sites ${site.harborOrigin} and ${site.hubOrigin}\n\n`,
          );
          const summary = await runOnce(rt);
          process.stdout.write(`${formatSummary(summary)}\n\nstories:\n`);
          for await (const ids of rt.store.storyIds()) {
            for (const id of ids) {
              const story = await rt.store.readStory(id);
              if (story) process.stdout.write(`${formatStory(story, await rt.store.get(id))}\n`);
            }
          }
          process.stdout.write(`\nstream ${rt.keys.stream}: ${await rt.redis.xlen(rt.keys.stream)} events\n`);
        } finally {
          await rt.close();
        }
      } finally {
        await redis.managed?.stop();
        await site.close();
      }
    });
}
