import type { Command } from 'commander';
import { deriveConfig } from '../../config/load.js';
import { fixturePorts, startFixtureSite } from '../../demo/fixture-site.js';
import { runOnce } from '../../pipeline/run-once.js';
import type { StoryRecord } from '../../dedupe/story.js';
import type { NormalizedArticle } from '../../store/article.js';
import { deleteByPattern } from '../../store/redis.js';
import { cliLogger, connectRedis, openRuntime, readConfig } from '../context.js';
import { formatSummary } from './run.js';

export const DEMO_PREFIX = 'newsflow-demo';

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
        `run the pipeline once against it and print the stories it stored (each body once, every copy as a member) (keys under "${DEMO_PREFIX}:")`,
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
          redis: { ...s.redis, keyPrefix: DEMO_PREFIX },
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
        const rt = await openRuntime(config, redis.url, log);
        try {
          // The demo owns its prefix: start from an empty one so every run shows the whole pipeline.
          await deleteByPattern(rt.redis, rt.keys.pattern);
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
