import { jsonText } from '../../shared/text.js';
import type { Command } from 'commander';
import { createReader } from '../../consumer/reader.js';
import { fail, openReadContext, writeOut } from './read-context.js';
import { storiesCommand } from './stories.js';
import { formatStoryView } from './views.js';
import { explainStory } from '../../dedupe/story.js';

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
  storiesCommand(program)
    .command('explain <id>')
    .description(
      'Print one JSON line per member of a story: its relation, the key that put it there (via: new, url, ' +
        'attribution, body, lead, minhash), the member it matched, the similarity, and its credit',
    )
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = await openReadContext(cmd);
      try {
        const story = await ctx.store.readStory(id);
        if (!story) fail('stories.notFound', `no story ${id} (under key prefix "${ctx.keys.prefix}")`);
        const lines = explainStory(story).map(e => `${jsonText(e)}\n`);
        await writeOut(process.stdout, lines.join(''));
      } finally {
        await ctx.close();
      }
    });
}
