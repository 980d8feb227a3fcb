import { jsonText } from '../../shared/text.js';
import type { Command } from 'commander';
import { toExportLine } from '../../dedupe/story.js';
import { keysFor } from '../../store/keys.js';
import { createStoryStore, type StoryStore } from '../../store/story-store.js';
import { cliLogger, openRedis, readConfig } from '../context.js';

/**
 * The `stories` command group. Subcommands attach to the same group whichever module registers first:
 * `storiesCommand(program).command('get <id>')…`.
 */
export function storiesCommand(program: Command): Command {
  return (
    program.commands.find(c => c.name() === 'stories') ??
    program
      .command('stories')
      .description('Stories: each article once, with its representative, every copy and its attribution')
  );
}

/** Writes one JSON line per story, oldest first; returns how many. */
export async function exportStories(
  store: StoryStore,
  write: (line: string) => Promise<void>,
): Promise<number> {
  let n = 0;
  for await (const ids of store.storyIds()) {
    for (const id of ids) {
      const story = await store.readStory(id);
      if (!story) continue;
      await write(`${jsonText(toExportLine(story))}\n`);
      n++;
    }
  }
  return n;
}

function writeStdout(line: string): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    process.stdout.write(line, err => (err ? reject(err) : resolveWrite()));
  });
}

export function registerStories(program: Command): void {
  storiesCommand(program)
    .command('export')
    .description(
      'Print one JSON line per story: {storyId, representativeUrl, members: [{url, canonicalUrl, urlKey, relation, ' +
        'siteName, attribution: {originalUrl, originalPublisher, method} | null}]}',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      const config = readConfig(dir);
      const log = cliLogger(config, 'stderr');
      const conn = await openRedis(config, log, 'worker');
      try {
        const keys = keysFor(config.service.redis.keyPrefix);
        const store = createStoryStore(conn.redis, keys, { streamMaxLen: config.service.stream.maxLen });
        const n = await exportStories(store, writeStdout);
        log.info({ stories: n }, 'stories exported');
      } finally {
        await conn.close();
      }
    });
}
