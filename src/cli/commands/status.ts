import { jsonText } from '../../shared/text.js';
import { Queue } from 'bullmq';
import type { Command } from 'commander';
import { readStatus } from '../../metrics/status.js';
import { QUEUE } from '../../store/keys.js';
import { openReadContext, writeOut } from './read-context.js';
import { formatStatus } from './views.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show queues (waiting/active/delayed/failed), feeds (ok / backing off / disabled, with last errors), ' +
        "the stream's length and each consumer group's lag and pending count, dead letters by reason, failures",
    )
    .option('--json', 'print the status as one JSON object')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ctx = await openReadContext(cmd);
      // A read must not write: BullMQ's Queue records its meta hash (<prefix>:bull:<queue>:meta) when opened,
      // unless told not to; getJobCounts itself only reads.
      const queues = [QUEUE.poll, QUEUE.extract].map(
        name =>
          new Queue(name, { connection: ctx.redis, prefix: ctx.keys.bullPrefix, skipMetasUpdate: true }),
      );
      try {
        const status = await readStatus({
          redis: ctx.redis,
          keys: ctx.keys,
          queues,
          feeds: ctx.config.feeds,
          memory: {
            high: ctx.config.service.memory.highWatermark,
            low: ctx.config.service.memory.lowWatermark,
          },
          retentionMs: ctx.config.service.retention.stories,
        });
        await writeOut(
          process.stdout,
          opts.json ? `${jsonText(status)}\n` : `${formatStatus(status, ctx.keys.prefix)}\n`,
        );
      } finally {
        await Promise.all(queues.map(q => q.close()));
        await ctx.close();
      }
    });
}
