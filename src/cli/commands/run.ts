import { jsonText } from '../../shared/text.js';
import { CommanderError, type Command } from 'commander';
import { runOnce, type RunSummary } from '../../pipeline/run-once.js';
import { cliLogger, connectRedis, openRuntime, readConfig } from '../context.js';

export function formatSummary(s: RunSummary): string {
  const lines = [
    `feeds polled:     ${s.feedsPolled}${s.feedsNotModified ? ` (${s.feedsNotModified} not modified)` : ''}`,
    `feeds failed:     ${s.feedsFailed}`,
    `items seen:       ${s.itemsSeen} (${s.itemsKnown} already stored)`,
    `articles stored:  ${s.articlesStored}`,
    `duplicates:       ${s.duplicates}`,
  ];
  const skipped = Object.entries(s.skipped);
  if (skipped.length) lines.push(`skipped:          ${skipped.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const failures = Object.entries(s.failures);
  lines.push(
    `failures:         ${failures.length ? failures.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`,
  );
  return lines.join('\n');
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Poll every configured feed once, process until the queues drain, print a summary. ' +
        'Exit 1 when a feed or an article failed (the summary counts the failures by reason)',
    )
    .requiredOption(
      '--once',
      'poll each feed once and exit (the only mode of `run`; use `start` for the service)',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { once: boolean; json?: boolean }, cmd: Command) => {
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      const config = readConfig(dir);
      const log = cliLogger(config, 'stderr');
      const redis = await connectRedis(config, log);
      let failed = 0;
      try {
        const rt = await openRuntime(config, redis.target, log);
        try {
          const summary = await runOnce(rt);
          const { storedIds: _ids, ...printable } = summary;
          process.stdout.write(opts.json ? `${jsonText(printable)}\n` : `${formatSummary(summary)}\n`);
          failed = Object.values(summary.failures).reduce((a, b) => a + b, 0);
        } finally {
          await rt.close();
        }
      } finally {
        await redis.managed?.stop();
      }
      if (failed > 0) throw new CommanderError(1, 'newsflow.run.inputFailed', `${failed} failed`);
    });
}
