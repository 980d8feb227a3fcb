import { jsonText } from '../../shared/text.js';
import { CommanderError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/load.js';
import type { FeedConfig } from '../../config/schema.js';
import { discoverFeeds } from '../../feeds/discover.js';
import { addFeedsToFile, FeedsFileError, type NewFeed } from '../../feeds/feeds-file.js';
import { humanMs } from '../../feeds/interval.js';
import { feedKeys, keysFor } from '../../store/keys.js';
import { buildOpml, OpmlError, parseOpml } from '../../feeds/opml.js';
import { enableFeed, feedStatus, readFeedState, type FeedState, type FeedStatus } from '../../feeds/state.js';
import { createFetcher, fetcherOptionsFromConfig } from '../../fetch/fetcher.js';
import type { Fetcher } from '../../fetch/types.js';
import { discoverSitemaps, isSiteRoot, trySitemap } from '../../feeds/sitemap/discover.js';
import { cliLogger, openRedis, readConfig, DEFAULT_CONFIG_DIR } from '../context.js';
import { usage } from './read-context.js';
import type { RedisClient } from '../../store/redis.js';

export interface FeedRow {
  id: string;
  url: string;
  status: FeedStatus;
  state: FeedState;
}

const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, 'Z') : '-');

/** `feeds list` as text: one line per feed, then indented lines saying why a feed is not healthy. */
export function formatFeedList(rows: readonly FeedRow[]): string {
  const table = rows.map(r => {
    const s = r.state;
    const interval =
      r.status === 'disabled' || s.intervalMs === null
        ? '-'
        : `${humanMs(s.intervalMs)} (${s.intervalReason ?? '?'})`;
    return [
      r.id,
      r.status,
      s.lastPolledAt ? `${when(s.lastPolledAt)} ${s.lastStatus ?? s.lastErrorClass ?? ''}`.trim() : 'never',
      r.status === 'disabled' ? '-' : when(s.nextPollAt),
      interval,
      String(s.consecutiveErrors),
      String(s.itemsSeen),
      s.url ?? r.url,
    ];
  });
  const header = ['ID', 'STATUS', 'LAST POLL', 'NEXT POLL', 'INTERVAL', 'ERRORS', 'ITEMS', 'URL'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map(row => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  rows.forEach((r, i) => {
    out.push(line(table[i]!));
    const s = r.state;
    const pad = ' '.repeat(widths[0]! + 2);
    if (r.status === 'disabled') {
      const why = s.disabled
        ? `${s.disabledReason ?? 'unknown reason'} (at ${when(s.disabledAt)})`
        : 'in feeds.yaml';
      out.push(`${pad}disabled: ${why}`);
    }
    if (s.lastErrorClass && s.consecutiveErrors > 0) {
      out.push(
        `${pad}last error: ${s.lastErrorClass}: ${s.lastErrorReason ?? ''} (at ${when(s.lastErrorAt)})`,
      );
    }
    if (s.movedFrom) out.push(`${pad}moved (301/308) from ${s.movedFrom} at ${when(s.movedAt)}`);
    if (s.idPolicy === 'link') out.push(`${pad}item ids: links (${s.idPolicyReason ?? ''})`);
    if (s.overflows > 0) {
      out.push(
        `${pad}overflowed ${s.overflows}× (every item new), last at ${when(s.lastOverflowAt)}: ` +
          `${s.lastOverflowFilled ?? 0} filled from the news sitemap${s.newsSitemap === 'none' ? ' (the site has none)' : ''}`,
      );
    }
  });
  return out.join('\n');
}

export async function readFeedRows(
  redis: RedisClient,
  prefix: string,
  feeds: readonly FeedConfig[],
): Promise<FeedRow[]> {
  const keys = keysFor(prefix);
  return Promise.all(
    feeds.map(async f => {
      const state = await readFeedState(redis, feedKeys(keys, f.id).state);
      return { id: f.id, url: f.url, status: feedStatus(f.enabled, state), state };
    }),
  );
}

async function withRedis<T>(config: Config, run: (redis: RedisClient) => Promise<T>): Promise<T> {
  const conn = await openRedis(config, cliLogger(config, 'stderr'));
  try {
    return await run(conn.redis);
  } finally {
    await conn.close();
  }
}

/** A user-facing failure of a feeds subcommand: one line, exit code 1. */
function fail(message: string): never {
  process.stderr.write(`newsflow feeds: ${message}\n`);
  throw new CommanderError(1, 'newsflow.feeds', message);
}

/** A sitemap source to add: its URL (null when none was found), how it was found, what was tried. */
interface SitemapFound {
  url: string | null;
  how: string;
  notes: string[];
}

const listed = (urls: readonly string[]): string =>
  `${urls.slice(0, 3).join(', ')}${urls.length > 3 ? ` (+${urls.length - 3} more)` : ''}`;

/**
 * A site root's sitemaps (robots.txt, else common paths; at least one must parse), or a URL that is itself a
 * sitemap. The source is the root: the poller rediscovers its sitemaps daily.
 */
async function sitemapSource(fetcher: Fetcher, url: string): Promise<SitemapFound> {
  if (!isSiteRoot(url)) {
    const tried = await trySitemap(fetcher, url, false);
    if (!tried.parsed) return { url: null, how: '', notes: [tried.note ?? `${url}: not a sitemap`] };
    const p = tried.parsed;
    const what =
      p.kind === 'index'
        ? `a sitemap index of ${p.sitemaps.length} sitemaps`
        : `a ${p.news ? 'news ' : ''}sitemap of ${p.urls.length} URLs`;
    return { url, how: what, notes: [] };
  }
  const found = await discoverSitemaps(fetcher, url);
  const notes = [...found.notes];
  if (found.via === 'common-path') {
    return { url, how: `sitemap at the common path ${listed(found.sitemaps)}`, notes };
  }
  // robots.txt names them without our reading them: one must be a sitemap.
  for (const sm of found.sitemaps.slice(0, 3)) {
    const tried = await trySitemap(fetcher, sm, true);
    if (tried.parsed) return { url, how: `sitemaps via robots.txt: ${listed(found.sitemaps)}`, notes };
    if (tried.note) notes.push(tried.note);
  }
  if (found.sitemaps.length > 0) notes.push('no sitemap robots.txt names could be read');
  return { url: null, how: '', notes };
}

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map(s => s.trim())
      .filter(Boolean),
  ];
}

export function registerFeeds(program: Command): void {
  const feeds = program.command('feeds').description('List, add, import and export the feeds in feeds.yaml');
  const dirOf = (cmd: Command): string =>
    cmd.optsWithGlobals<{ config?: string }>().config ?? DEFAULT_CONFIG_DIR;

  feeds
    .command('list')
    .description(
      'Every feed in feeds.yaml with its state: health, last and next poll, interval and why, errors',
    )
    .option('--json', 'print JSON Lines: one object per feed, its whole state')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = readConfig(dirOf(cmd));
      const rows = await withRedis(config, redis =>
        readFeedRows(redis, config.service.redis.keyPrefix, config.feeds),
      );
      process.stdout.write(
        opts.json
          ? rows
              .map(
                r => `${jsonText({ id: r.id, status: r.status, ...r.state, url: r.state.url ?? r.url })}\n`,
              )
              .join('')
          : `${rows.length === 0 ? 'no feeds in feeds.yaml' : formatFeedList(rows)}\n`,
      );
    });

  feeds
    .command('add')
    .description(
      'Add a feed to feeds.yaml (comments and order kept). An HTML page is searched for its feeds ' +
        '(<link rel="alternate">, then common paths); every candidate must fetch and parse. A site with no ' +
        'feed but sitemaps (robots.txt Sitemap: lines, common paths) is added as a sitemap source of its root',
    )
    .argument(
      '<url>',
      'a feed URL or a page that links to its feed (with --type sitemap: a sitemap or a site root)',
    )
    .option('--id <id>', 'feed id (default: derived from the site)')
    .option('--title <title>', 'title (default: the feed’s own)')
    .option('--tag <tag>', 'tag (repeatable, or comma-separated)', collect)
    .option('--interval <duration>', 'fixed poll interval, e.g. 30m (default: adaptive)')
    .option('--all', 'add every feed the page names, not just the first')
    .option('--type <type>', 'feed (no sitemap fallback) or sitemap (a sitemap source)')
    .option('--no-sitemap', 'when the site has no feed, fail instead of adding a sitemap source')
    .action(
      async (
        url: string,
        opts: {
          id?: string;
          title?: string;
          tag?: string[];
          interval?: string;
          all?: boolean;
          type?: string;
          sitemap: boolean;
        },
        cmd: Command,
      ) => {
        if (!/^https?:\/\/./i.test(url)) fail(`not an http(s) URL: ${url}`);
        if (opts.type !== undefined && opts.type !== 'feed' && opts.type !== 'sitemap') {
          usage('feeds.type', `--type: "${opts.type}" is neither feed nor sitemap`);
        }
        const dir = dirOf(cmd);
        const config = readConfig(dir);
        const fetcher = createFetcher(fetcherOptionsFromConfig(config.service.fetch));
        let found: Awaited<ReturnType<typeof discoverFeeds>> = { feeds: [], notes: [] };
        let sitemap: SitemapFound | null = null;
        try {
          if (opts.type === 'sitemap') {
            sitemap = await sitemapSource(fetcher, url);
            if (!sitemap.url) fail(`no sitemap at ${url} (${sitemap.notes.slice(0, 3).join('; ')})`);
          } else {
            found = await discoverFeeds(fetcher, url, { all: opts.all ?? false });
            // No feed: the site's sitemaps, polled from its root (rediscovered daily).
            if (found.feeds.length === 0 && opts.type !== 'feed' && opts.sitemap) {
              sitemap = await sitemapSource(fetcher, `${new URL(url).origin}/`);
            }
          }
        } finally {
          await fetcher.close();
        }
        if (found.feeds.length === 0 && !sitemap?.url) {
          const sitemapNotes = sitemap ? `; no sitemap either (${sitemap.notes.slice(0, 2).join('; ')})` : '';
          fail(
            `no feed found at ${url}${found.notes.length ? ` (${found.notes.slice(0, 3).join('; ')})` : ''}${sitemapNotes}`,
          );
        }
        const entries: NewFeed[] = sitemap?.url
          ? [
              {
                url: sitemap.url,
                type: 'sitemap',
                id: opts.id,
                title: opts.title,
                tags: opts.tag,
                interval: opts.interval,
              },
            ]
          : found.feeds.map((f, i) => ({
              url: f.url,
              id: i === 0 ? opts.id : undefined,
              title: (i === 0 ? opts.title : undefined) ?? f.feed.title ?? undefined,
              tags: opts.tag,
              interval: opts.interval,
            }));
        let result;
        try {
          result = addFeedsToFile(dir, entries);
        } catch (err) {
          if (err instanceof FeedsFileError) fail(err.message);
          throw err;
        }
        for (const a of result.added) {
          if (sitemap?.url) {
            const why = opts.type === 'sitemap' ? sitemap.how : `the site has no feed; ${sitemap.how}`;
            process.stdout.write(`added ${a.id}: ${a.url} — sitemap source (${why})\n`);
            continue;
          }
          const via = found.feeds.find(f => f.url === a.url);
          const how =
            via?.via === 'url'
              ? ''
              : ` (found via ${via?.via === 'link' ? '<link rel="alternate">' : 'a common path'})`;
          process.stdout.write(
            `added ${a.id}: ${a.url} — ${via?.feed.version ?? '?'}, "${a.title ?? ''}"${how}\n`,
          );
        }
        for (const s of result.skipped) process.stdout.write(`skipped ${s.url}: ${s.reason}\n`);
        if (result.added.length === 0) throw new CommanderError(1, 'newsflow.feeds', 'nothing added');
      },
    );

  feeds
    .command('import')
    .description(
      'Add every feed of an OPML file to feeds.yaml (outline folders and categories become tags); ' +
        'exit 1 when an entry could not be added (its "skipped" line says why)',
    )
    .argument('<file>', 'an OPML file')
    .action((file: string, _opts: unknown, cmd: Command) => {
      const dir = dirOf(cmd);
      readConfig(dir);
      let list: NewFeed[];
      try {
        list = parseOpml(readFileSync(file, 'utf8'));
      } catch (err) {
        if (err instanceof OpmlError) fail(`${file}: ${err.message}`);
        fail(`${file}: ${(err as Error).message}`);
      }
      let result;
      try {
        result = addFeedsToFile(dir, list);
      } catch (err) {
        if (err instanceof FeedsFileError) fail(err.message);
        throw err;
      }
      for (const a of result.added) process.stdout.write(`added ${a.id}: ${a.url}\n`);
      for (const s of result.skipped) process.stdout.write(`skipped ${s.url}: ${s.reason}\n`);
      process.stdout.write(
        `${result.added.length} added, ${result.skipped.length} skipped, ${list.length} in ${file}\n`,
      );
      const failed = result.skipped.filter(s => s.failed).length;
      if (failed > 0) throw new CommanderError(1, 'newsflow.feeds', `${failed} entries could not be added`);
    });

  feeds
    .command('export')
    .description('Print the feeds of feeds.yaml as OPML 2.0')
    .action((_opts: unknown, cmd: Command) => {
      const config = readConfig(dirOf(cmd));
      process.stdout.write(buildOpml(config.feeds));
    });

  feeds
    .command('enable')
    .description('Re-enable a feed a poll disabled (410 Gone, long 401/403/404): its errors are forgotten')
    .argument('<id>', 'feed id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const config = readConfig(dirOf(cmd));
      if (!config.feeds.some(f => f.id === id)) fail(`no feed "${id}" in feeds.yaml`);
      const keys = keysFor(config.service.redis.keyPrefix);
      await withRedis(config, redis => enableFeed(redis, keys, id));
      process.stdout.write(`enabled ${id}: the running poller schedules it again within seconds\n`);
    });
}
