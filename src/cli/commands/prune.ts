import { jsonText } from '../../shared/text.js';
import type { Command } from 'commander';
import { parseDurationMs } from '../../config/schema.js';
import { ArchiveError, pruneStories } from '../../store/retention.js';
import { fail, openReadContext, usage, writeOut } from './read-context.js';

/**
 * `newsflow prune`: removes, now, every story whose last activity is older than `retention.stories` — what the
 * service does continuously (issue 11). `--dry-run` lists what would go and removes nothing.
 */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(
      'Remove stories whose last activity is older than retention.stories (body, members, URL keys kept as ' +
        'tombstones for retention.urls, a story.expired event each); prints one line per removed story',
    )
    .option('--dry-run', 'list what would be removed; remove nothing')
    .option('--json', 'print JSON Lines: {storyId, members} per story, then a summary line')
    .option('--older-than <duration>', 'use this retention instead of retention.stories (e.g. 45d, 12h)')
    .action(async (opts: { dryRun?: boolean; json?: boolean; olderThan?: string }, cmd: Command) => {
      let override: number | null = null;
      if (opts.olderThan !== undefined) {
        try {
          override = parseDurationMs(opts.olderThan);
        } catch (err) {
          usage('prune.olderThan', `--older-than: ${(err as Error).message}`);
        }
      }
      const ctx = await openReadContext(cmd);
      try {
        const { retention, stream } = ctx.config.service;
        const retentionMs = override ?? retention.stories;
        if (retentionMs === null) {
          usage(
            'prune.keepForever',
            'retention.stories is null (stories are kept for ever); pass --older-than',
          );
        }
        const r = await pruneStories({
          redis: ctx.redis,
          keys: ctx.keys,
          retentionMs,
          urlTtlMs: retention.urls,
          streamMaxLen: stream.maxLen,
          now: Date.now,
          dryRun: opts.dryRun === true,
          archiveDir: retention.archive,
        }).catch((err: unknown) => {
          if (err instanceof ArchiveError) fail('prune.archive', err.message);
          throw err;
        });
        const members = r.expired.reduce((n, e) => n + e.members, 0);
        const verb = opts.dryRun ? 'would remove' : 'removed';
        let out = '';
        for (const e of r.expired) {
          out += opts.json ? `${jsonText(e)}\n` : `${verb} story ${e.storyId} (${e.members} members)\n`;
        }
        out += opts.json
          ? `${jsonText({ summary: true, dryRun: opts.dryRun === true, stories: r.expired.length, members, examined: r.examined })}\n`
          : `${verb} ${r.expired.length} stories (${members} articles); ${r.examined} looked at\n`;
        await writeOut(process.stdout, out);
      } finally {
        await ctx.close();
      }
    });
}
