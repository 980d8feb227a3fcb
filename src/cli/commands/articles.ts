import { jsonText } from '../../shared/text.js';
import type { Command } from 'commander';
import { createReader } from '../../consumer/reader.js';
import { fail, openReadContext, writeOut } from './read-context.js';
import { formatArticleView } from './views.js';

export function registerArticles(program: Command): void {
  const articles =
    program.commands.find(c => c.name() === 'articles') ??
    program.command('articles').description('Stored articles (story members)');
  articles
    .command('get <id>')
    .description(
      "Print one article: its metadata, its story and relation, and the story's body (copies keep none of their own)",
    )
    .option('--json', 'print the article as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const ctx = await openReadContext(cmd);
      try {
        const view = await createReader(ctx.store).article(id);
        if (!view) fail('articles.notFound', `no article ${id} (under key prefix "${ctx.keys.prefix}")`);
        await writeOut(process.stdout, opts.json ? `${jsonText(view, 2)}\n` : `${formatArticleView(view)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
