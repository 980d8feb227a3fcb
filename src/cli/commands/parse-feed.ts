import { jsonText } from '../../shared/text.js';
import { CommanderError, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { buildConfig, loadConfig, type Config } from '../../config/load.js';
import { createFetcher, fetcherOptionsFromConfig } from '../../fetch/fetcher.js';
import { parseFeed, toFeedJson } from '../../feeds/parse/parse.js';

interface ParseFeedOptions {
  contentType?: string;
  baseUrl?: string;
  pretty?: boolean;
}

/** Fails the command with one line on stderr and exit code 1 (main maps CommanderError to its code silently). */
function fail(reason: string): never {
  process.stderr.write(`newsflow parse-feed: ${reason.replace(/\s*\n\s*/g, ' ')}\n`);
  throw new CommanderError(1, 'newsflow.parseFeed', reason);
}

/** Config for fetching a URL: the folder's when it loads, built-in defaults otherwise (a debugging tool). */
function fetchConfig(dir: string | undefined): Config {
  try {
    return loadConfig(dir ?? 'config');
  } catch {
    return buildConfig(dir ?? 'config', {}, []);
  }
}

async function load(
  source: string,
  opts: ParseFeedOptions,
  dir: string | undefined,
): Promise<{ body: Buffer | string; contentType?: string; baseUrl?: string }> {
  if (/^https?:\/\//i.test(source)) {
    const config = fetchConfig(dir);
    const fetcher = createFetcher(fetcherOptionsFromConfig(config.service.fetch));
    try {
      const res = await fetcher.fetch({ url: source, kind: 'feed' });
      if (!res.ok) fail(`${source}: ${res.class}: ${res.reason}`);
      return {
        body: res.text,
        contentType: opts.contentType ?? res.headers.contentType,
        baseUrl: opts.baseUrl ?? res.finalUrl,
      };
    } finally {
      await fetcher.close();
    }
  }
  try {
    const body = await readFile(source);
    return {
      body,
      ...(opts.contentType ? { contentType: opts.contentType } : {}),
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(`${source}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : (e.code ?? e.message)}`);
  }
}

export function registerParseFeed(program: Command): void {
  program
    .command('parse-feed')
    .description(
      'Parse an RSS/Atom/JSON Feed file or URL and print it normalized as one JSON object ' +
        '(exit 1 with a one-line reason when it is not a readable feed)',
    )
    .argument('<source>', 'a file path or an http(s) URL')
    .option('--content-type <type>', 'Content-Type to assume (its charset decodes a file; JSON vs XML)')
    .option('--base-url <url>', 'URL that relative links resolve against (default: the URL fetched)')
    .option('--pretty', 'indent the JSON')
    .action(async (source: string, opts: ParseFeedOptions, cmd: Command) => {
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      try {
        if (opts.baseUrl !== undefined && !/^https?:\/\/./i.test(opts.baseUrl)) {
          process.stderr.write(
            `newsflow parse-feed: --base-url must be an absolute http(s) URL, got "${opts.baseUrl}"\n`,
          );
          throw new CommanderError(2, 'newsflow.parseFeed.usage', '--base-url');
        }
        const input = await load(source, opts, dir);
        const feed = await parseFeed(input.body, { baseUrl: input.baseUrl, contentType: input.contentType });
        process.stdout.write(`${jsonText(toFeedJson(feed), opts.pretty ? 2 : undefined)}\n`);
      } catch (err) {
        if (err instanceof CommanderError) throw err;
        fail(err instanceof Error ? err.message : String(err));
      }
    });
}
