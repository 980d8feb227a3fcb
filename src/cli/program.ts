import { Command } from 'commander';
import { readFileSync } from 'node:fs';
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

type Register = (program: Command) => void;

/**
 * Every command, in help order, by the name typed on the command line; a command's module is imported only
 * when that command runs (or for help). Together the commands load BullMQ, ioredis, fastify, undici, the
 * extraction stack…: about a second of CPU before `newsflow extract` read its first page.
 */
const COMMANDS: [name: string, load: () => Promise<Register[]>][] = [
  ['start', async () => [(await import('./commands/start.js')).registerStart]],
  ['run', async () => [(await import('./commands/run.js')).registerRun]],
  ['demo', async () => [(await import('./commands/demo.js')).registerDemo]],
  ['parse-feed', async () => [(await import('./commands/parse-feed.js')).registerParseFeed]],
  ['feeds', async () => [(await import('./commands/feeds.js')).registerFeeds]],
  ['extract', async () => [(await import('./commands/extract.js')).registerExtract]],
  [
    'stories',
    async () => [
      (await import('./commands/stories.js')).registerStories,
      (await import('./commands/stories-get.js')).registerStoriesGet,
    ],
  ],
  ['articles', async () => [(await import('./commands/articles.js')).registerArticles]],
  ['tail', async () => [(await import('./commands/tail.js')).registerTail]],
  ['export', async () => [(await import('./commands/export.js')).registerExport]],
  ['status', async () => [(await import('./commands/status.js')).registerStatus]],
  ['prune', async () => [(await import('./commands/prune.js')).registerPrune]],
  ['backfill', async () => [(await import('./commands/backfill.js')).registerBackfill]],
];

/** The command named in `args` (process.argv), or null (none, help, or not one of ours). */
function commandIn(args: readonly string[]): string | null {
  for (let i = 2; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--config') i++;
    else if (!a.startsWith('-')) return COMMANDS.some(([name]) => name === a) ? a : null;
  }
  return null;
}

/**
 * The CLI. Given the command line, only the command it names is loaded; otherwise (no command, an unknown
 * one, `--help`) every command is, so help and errors list them all.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
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
  const wanted = commandIn(argv);
  const loads = COMMANDS.filter(([name]) => wanted === null || name === wanted).map(([, load]) => load());
  for (const registers of await Promise.all(loads)) for (const register of registers) register(program);
  return program;
}
