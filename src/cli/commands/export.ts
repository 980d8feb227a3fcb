import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { parseSince } from '../../api/articles.js';
import { createReader, type Reader, type StoryReads } from '../../consumer/reader.js';
import { openReadContext, usage } from './read-context.js';

/**
 * One JSON line per stored article, oldest first: the article view of `articles get --json`. The body is
 * written with the story's representative only — a copy carries `body: null` and its `representativeId` — so
 * a story's text is exported once.
 */
export async function exportArticles(deps: {
  store: StoryReads;
  reader: Reader;
  sinceMs: number | null;
  write: (line: string) => Promise<void>;
  progress?: (done: number, total: number) => void;
}): Promise<number> {
  const min = deps.sinceMs ?? '-inf';
  const total = await deps.store.countArticles(deps.sinceMs);
  let offset = 0;
  let n = 0;
  for (;;) {
    const page = await deps.store.articlesByTime({ order: 'asc', from: min, to: '+inf', offset, limit: 500 });
    if (page.length === 0) break;
    offset += page.length;
    for (const { id } of page) {
      const view = await deps.reader.article(id);
      if (view) {
        await deps.write(`${JSON.stringify(view.isRepresentative ? view : { ...view, body: null })}\n`);
        n++;
      }
      deps.progress?.(n, total);
    }
  }
  return n;
}

/** `[#####-----]  45%  450/1000` on one terminal line, redrawn at most every 100 ms. */
export function progressBar(out: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastDraw = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - lastDraw < 100) return;
    lastDraw = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    out.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ` +
        `${done}/${total} articles${done >= total ? '\n' : ''}`,
    );
  };
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Write stored articles as JSON Lines, oldest first (story, relation, metadata; the body once per story, ' +
        'with its representative). Shows a progress bar on a terminal',
    )
    .option('--since <date>', 'only articles stored at or after this ISO 8601 date/time (or epoch ms)')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { since?: string; out?: string }, cmd: Command) => {
      let sinceMs: number | null = null;
      if (opts.since !== undefined) {
        sinceMs = parseSince(opts.since);
        if (sinceMs === null) {
          usage('export.since', `--since: not an ISO 8601 date or epoch ms: "${opts.since}"`);
        }
      }
      const ctx = await openReadContext(cmd);
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      const opened = opts.out
        ? new Promise<void>((resolveOpen, reject) => {
            out.once('open', () => resolveOpen());
            out.once('error', reject);
          })
        : Promise.resolve();
      // The bar goes to stderr, and only when nobody is reading stdout on the same terminal.
      const showBar = process.stderr.isTTY && (opts.out !== undefined || !process.stdout.isTTY);
      try {
        await opened;
        const write = (line: string): Promise<void> =>
          new Promise((resolveWrite, reject) => {
            if (out.write(line)) return resolveWrite();
            // Both listeners go once either fires: a long export through a slow pipe waits for 'drain' thousands
            // of times, and listeners left behind trip MaxListenersExceededWarning on stderr.
            const onDrain = (): void => {
              out.off('error', onError);
              resolveWrite();
            };
            const onError = (err: Error): void => {
              out.off('drain', onDrain);
              reject(err);
            };
            out.once('drain', onDrain);
            out.once('error', onError);
          });
        const n = await exportArticles({
          store: ctx.store,
          reader: createReader(ctx.store),
          sinceMs,
          write,
          ...(showBar ? { progress: progressBar(process.stderr) } : {}),
        });
        if (opts.out) {
          await new Promise<void>((resolveEnd, reject) => {
            out.once('error', reject);
            out.end(() => resolveEnd());
          });
          process.stderr.write(`exported ${n} article${n === 1 ? '' : 's'} to ${opts.out}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
}
