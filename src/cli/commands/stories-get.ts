import { jsonText } from '../../shared/text.js';
import type { Command } from 'commander';
import { createReader } from '../../consumer/reader.js';
import { fail, openReadContext, writeOut } from './read-context.js';
import { storiesCommand } from './stories.js';
import { formatStoryView } from './views.js';

/** `newsflow stories get <id>`: joins the `stories` group of src/cli/commands/stories.ts. */
export function registerStoriesGet(program: Command): void {
  storiesCommand(program)
    .command('get <id>')
    .description('Print one story with its representative and every member (relation, feed, URL, credits)')
    .option('--json', "print the story as JSON, with the representative's body")
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const ctx = await openReadContext(cmd);
      try {
        const view = await createReader(ctx.store).story(id);
        if (!view) fail('stories.notFound', `no story ${id} (under key prefix "${ctx.keys.prefix}")`);
        await writeOut(process.stdout, opts.json ? `${jsonText(view, 2)}\n` : `${formatStoryView(view)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
