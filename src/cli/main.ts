#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerArticles } from './commands/articles.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerExtract } from './commands/extract.js';
import { registerFeeds } from './commands/feeds.js';
import { registerParseFeed } from './commands/parse-feed.js';
import { registerRun } from './commands/run.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerStories } from './commands/stories.js';
import { registerStoriesGet } from './commands/stories-get.js';
import { registerTail } from './commands/tail.js';
import { ResourceBudgetError } from '../shared/errors.js';
import { SetupError } from './context.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('newsflow')
    .description(
      'News ingestion: feeds → fetch → extract → deduplicate → a Redis stream of attributed articles',
    )
    .option('--config <dir>', 'folder holding newsflow.yaml and feeds.yaml', 'config')
    .showHelpAfterError()
    .exitOverride();
  registerStart(program);
  registerRun(program);
  registerDemo(program);
  registerParseFeed(program);
  registerFeeds(program);
  registerExtract(program);
  registerStories(program);
  registerStoriesGet(program);
  registerArticles(program);
  registerTail(program);
  registerExport(program);
  registerStatus(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof SetupError) {
      process.stderr.write(`newsflow: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ResourceBudgetError) {
      process.stderr.write(`newsflow: ${err.message}\n`);
      return 3;
    }
    process.stderr.write(`newsflow: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
// Exit explicitly: a half-closed socket (a Redis reconnect timer, a keep-alive agent) must not keep a finished CLI alive.
process.exit(code);
