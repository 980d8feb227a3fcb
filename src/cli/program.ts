import { Command } from 'commander';
import { readFileSync } from 'node:fs';
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
import { EXIT_HELP } from './exit.js';

/** package.json's version: two levels up from src/cli (tsx, vitest), three from dist/src/cli (the build). */
function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'newsflow' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('newsflow')
    .description(
      'News ingestion: feeds → fetch → extract → deduplicate → a Redis stream of attributed articles',
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .option('--config <dir>', 'folder holding newsflow.yaml and feeds.yaml', 'config')
    // Every subcommand's --help lists --config too (commander calls it a global option).
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', EXIT_HELP)
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
