import { CommanderError, type Command } from 'commander';
import { parseSince } from '../../api/articles.js';
import type { Config } from '../../config/load.js';
import type { FeedConfig } from '../../config/schema.js';
import { hashKey } from '../../dedupe/url-key.js';
import { discoverSitemaps, httpOrigin, isSiteRoot, trySitemap } from '../../feeds/sitemap/discover.js';
import type { Fetcher } from '../../fetch/types.js';
import {
  openCursor,
  patientFetcher,
  runBackfill,
  type BackfillCounts,
  type BackfillProgress,
  type BackfillResult,
  type BackfillResume,
} from '../../pipeline/backfill.js';
import { backfillCursorKey } from '../../store/keys.js';
import { jsonText, oneLine } from '../../shared/text.js';
import { cliLogger, connectRedis, openRuntime, readConfig } from '../context.js';
import { usage, writeOut } from './read-context.js';

/**
 * `newsflow backfill <source-id|site-url>`: a site's history from its sitemaps, as article jobs for the running
 * extractors (src/pipeline/backfill.ts). Resumable: a rerun skips the sitemaps an earlier run read to their end.
 */

/** Feed id of the jobs of a site no source of feeds.yaml is on. */
export const BACKFILL_FEED_ID = 'backfill';

interface Options {
  since?: string;
  limit?: string;
  maxQueued: string;
  dryRun?: boolean;
  restart?: boolean;
  json?: boolean;
}

/** What the argument names: a source of feeds.yaml, or a site URL (with the source on its origin, if any). */
interface Target {
  /** As typed, for messages. */
  label: string;
  cursor: { kind: 'feed' | 'site'; id: string };
  feed: { id: string; url: string };
  source: FeedConfig | null;
  url: string;
}

function positiveInt(name: string, text: string): number {
  if (!/^\d{1,12}$/.test(text) || Number(text) < 1) {
    usage(`backfill.${name}`, `--${name}: not a positive integer: "${text}"`);
  }
  return Number(text);
}

function resolveTarget(config: Config, arg: string): Target {
  const source = config.feeds.find(f => f.id === arg);
  if (source) {
    return {
      label: arg,
      cursor: { kind: 'feed', id: source.id },
      feed: { id: source.id, url: source.url },
      source,
      url: source.url,
    };
  }
  let url: URL | null = null;
  try {
    url = /^https?:\/\//i.test(arg) ? new URL(arg) : null;
  } catch {
    url = null;
  }
  if (!url) {
    usage(
      'backfill.source',
      `no source "${oneLine(arg)}" in feeds.yaml (give a source id or a site's http(s) URL)`,
    );
  }
  // The site's source, if feeds.yaml has one on this origin (a sitemap source first): its jobs carry its id.
  const onOrigin = config.feeds.filter(f => httpOrigin(f.url) === url.origin);
  const own = onOrigin.find(f => f.type === 'sitemap') ?? onOrigin[0];
  return {
    label: url.href,
    cursor: { kind: 'site', id: hashKey(url.href) },
    feed: own ? { id: own.id, url: own.url } : { id: BACKFILL_FEED_ID, url: url.href },
    source: null,
    url: url.href,
  };
}

/**
 * The sitemaps to walk: a sitemap source's URL (a site root: its discovered sitemaps); a feed's `sitemap`, else
 * its site's; a site URL's (a URL that is itself a sitemap is walked as it is). Notes say what was tried.
 */
async function resolveRoots(
  fetcher: Fetcher,
  t: Target,
): Promise<{ roots: string[]; via: string; notes: string[] }> {
  const discover = async (
    site: string,
    notes: string[] = [],
  ): Promise<{ roots: string[]; via: string; notes: string[] }> => {
    const found = await discoverSitemaps(fetcher, site);
    return {
      roots: found.sitemaps,
      via: found.via === 'robots' ? `${new URL(site).origin}/robots.txt` : found.via,
      notes: [...notes, ...found.notes],
    };
  };
  if (t.source) {
    if (t.source.type === 'sitemap') {
      return isSiteRoot(t.source.url)
        ? discover(t.source.url)
        : { roots: [t.source.url], via: 'feeds.yaml', notes: [] };
    }
    if (t.source.sitemap) return { roots: [t.source.sitemap], via: 'feeds.yaml sitemap', notes: [] };
    return discover(new URL(t.source.url).origin);
  }
  if (isSiteRoot(t.url)) return discover(t.url);
  const tried = await trySitemap(fetcher, t.url, false);
  if (tried.parsed) return { roots: [t.url], via: 'the URL given', notes: [] };
  return discover(new URL(t.url).origin, tried.note ? [tried.note] : []);
}

const n = (x: number): string => x.toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One redrawn stderr line: `[####------] 12/40 sitemaps · 3,400 enqueued · 120/s · ETA 3m20s`. */
export function progressLine(
  p: BackfillProgress,
  elapsedMs: number,
  limit: number | null,
  dryRun: boolean,
): string {
  const done = p.sitemapsRead + p.sitemapsSkipped;
  const total = Math.max(p.sitemapsListed, done);
  const width = 20;
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  const secs = elapsedMs / 1000;
  const rate = secs > 0 ? p.counts.enqueued / secs : 0;
  // Sitemaps left at this run's pace; with a limit, the URLs left at this run's rate if that ends sooner.
  let eta = p.sitemapsRead > 0 ? ((total - done) * secs) / p.sitemapsRead : NaN;
  if (limit !== null && rate > 0) {
    eta = Math.min(Number.isNaN(eta) ? Infinity : eta, (limit - p.counts.enqueued) / rate);
  }
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n(done)}/${n(total)} sitemaps`,
    `${n(p.counts.enqueued)} ${dryRun ? 'counted' : 'enqueued'}`,
    `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`,
    p.queueFull !== null ? `waiting: the queue holds ${n(p.queueFull)} jobs` : `ETA ${duration(eta)}`,
  ];
  return parts.join(' · ');
}

function progressBar(
  out: NodeJS.WriteStream,
  limit: number | null,
  dryRun: boolean,
): {
  update(p: BackfillProgress): void;
  clear(): void;
} {
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 200 && p.queueFull === null) return;
      last = now;
      const line = progressLine(p, now - started, limit, dryRun);
      out.write(`\r${out.columns ? line.slice(0, out.columns - 1) : line}\x1b[K`);
      shown = true;
    },
    clear() {
      if (shown) out.write('\r\x1b[K');
    },
  };
}

function countsText(c: BackfillCounts, since: boolean): string {
  const parts = [`${n(c.known)} already stored`, `${n(c.queued)} already queued`];
  if (since) parts.push(`${n(c.before)} before --since`);
  parts.push(`${n(c.undated)} undated (kept)`);
  if (c.invalid > 0) parts.push(`${n(c.invalid)} not http(s) URLs`);
  return parts.join(', ');
}

function endText(r: BackfillResult, limit: number | null): string {
  if (r.capped) return `stopped at the walk's ${r.capped} cap: rerun to resume`;
  if (r.stoppedAtLimit) return `stopped at --limit ${n(limit ?? 0)}: rerun to resume`;
  if (r.failures.length > 0) {
    return `${r.failures.length} sitemap${r.failures.length === 1 ? '' : 's'} failed: rerun to retry`;
  }
  return 'complete';
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description(
      "Enqueue a site's history from its sitemaps (robots.txt Sitemap: lines, else common paths; a feed's " +
        '`sitemap`), newest sitemaps first, through the shared politeness gate; URLs already stored are skipped. ' +
        'Resumable: a rerun skips the sitemaps read to their end (the cursor lives 30 days). Exit 1 when a ' +
        "sitemap failed, 3 when a walk cap (depth, count, bytes) stopped it; a progress bar on a terminal's stderr",
    )
    .argument('<source>', 'a source id of feeds.yaml, or a site URL')
    .option('--since <date>', 'leave out entries dated before this ISO 8601 date (undated entries are kept)')
    .option('--limit <n>', 'stop once this run enqueued n URLs (a rerun goes on)')
    .option('--max-queued <n>', 'pause while the article queue holds n waiting or delayed jobs', '5000')
    .option('--dry-run', 'read the sitemaps and count their URLs per month; enqueue nothing, keep no cursor')
    .option('--restart', 'forget an unfinished backfill of this source and start over')
    .option(
      '--json',
      'print JSON Lines (dry run: one {month, urls} per month, newest first), then a summary line',
    )
    .action(async (arg: string, opts: Options, cmd: Command) => {
      let sinceMs: number | null = null;
      if (opts.since !== undefined) {
        sinceMs = parseSince(opts.since);
        if (sinceMs === null) {
          usage('backfill.since', `--since: not an ISO 8601 date or epoch ms: "${oneLine(opts.since)}"`);
        }
      }
      const since = sinceMs === null ? null : new Date(sinceMs).toISOString();
      const limit = opts.limit === undefined ? null : positiveInt('limit', opts.limit);
      const maxQueued = positiveInt('max-queued', opts.maxQueued);
      const dryRun = opts.dryRun === true;
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      const config = readConfig(dir);
      const target = resolveTarget(config, arg);
      const log = cliLogger(config, 'stderr');
      const redis = await connectRedis(config, log);
      let result: BackfillResult;
      try {
        const rt = await openRuntime(config, redis.target, log);
        try {
          const fetcher = patientFetcher(rt.fetcher);
          const found = await resolveRoots(fetcher, target);
          if (found.roots.length === 0) {
            usage(
              'backfill.noSitemap',
              `no sitemap found for ${target.label}: ${found.notes.map(oneLine).join('; ')}`,
            );
          }
          const cursorKey = backfillCursorKey(rt.keys, target.cursor.kind, target.cursor.id);
          let resume: BackfillResume | null = null;
          if (!dryRun) {
            const opened = await openCursor(rt.redis, cursorKey, { since, restart: opts.restart === true });
            if (opened.kind === 'conflict') {
              usage(
                'backfill.cursor',
                `a backfill of ${target.label} with --since ${opened.since ?? '(none)'} is unfinished ` +
                  `(${opened.done} sitemaps read, last progress ${opened.updated}): rerun with the same --since, or --restart`,
              );
            }
            if (opened.kind === 'fresh' && opened.note) {
              process.stderr.write(`newsflow backfill: ${opened.note}\n`);
            }
            if (opened.kind === 'resume') {
              resume = opened.resume;
              process.stderr.write(
                `newsflow backfill: resuming ${target.label}: ${resume.done.size} sitemaps read by earlier runs are skipped\n`,
              );
            }
          }
          const bar = process.stderr.isTTY ? progressBar(process.stderr, limit, dryRun) : null;
          let paused = false;
          try {
            result = await runBackfill(
              {
                redis: rt.redis,
                keys: rt.keys,
                fetcher,
                store: rt.store,
                articleQueue: rt.articleQueue,
                articleAttempts: config.service.extractor.attempts,
                history: rt.history,
              },
              { feed: target.feed, roots: found.roots, sinceMs, limit, maxQueued, dryRun, cursorKey },
              resume,
              p => {
                if (bar) bar.update(p);
                else if (p.queueFull !== null && !paused) {
                  // Said once: without extractors draining the queue, the backfill waits for ever.
                  paused = true;
                  process.stderr.write(
                    `newsflow backfill: the article queue holds ${p.queueFull} jobs (--max-queued ${maxQueued}): ` +
                      'waiting for the extractors to take some\n',
                  );
                }
              },
            );
          } finally {
            bar?.clear();
          }
          await writeOut(
            process.stdout,
            report(result, {
              target,
              since,
              limit,
              dryRun,
              json: opts.json === true,
              resumed: resume !== null,
              via: found.via,
            }),
          );
        } finally {
          await rt.close();
        }
      } finally {
        await redis.managed?.stop();
      }
      for (const f of result.failures) {
        process.stderr.write(`newsflow backfill: ${oneLine(f.url)}: ${f.class}: ${oneLine(f.reason)}\n`);
      }
      if (result.failures.length > 0) {
        throw new CommanderError(1, 'newsflow.backfill.failed', `${result.failures.length} sitemaps failed`);
      }
      if (result.capped) {
        const msg = `stopped at the walk's ${result.capped} cap; ${dryRun ? 'the counts are partial' : 'rerun to resume'}`;
        process.stderr.write(`newsflow backfill: ${msg}\n`);
        throw new CommanderError(3, 'newsflow.backfill.capped', msg);
      }
    });
}

function report(
  r: BackfillResult,
  o: {
    target: Target;
    since: string | null;
    limit: number | null;
    dryRun: boolean;
    json: boolean;
    resumed: boolean;
    via: string;
  },
): string {
  let out = '';
  const months = [...r.months.entries()].sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
  if (o.dryRun) {
    for (const [month, urls] of months) {
      out += o.json ? `${jsonText({ month, urls })}\n` : `${month}  ${n(urls)}\n`;
    }
    if (r.counts.undated > 0) {
      out += o.json
        ? `${jsonText({ month: null, urls: r.counts.undated })}\n`
        : `undated  ${n(r.counts.undated)}\n`;
    }
  }
  if (o.json) {
    const { counts, totals, sitemaps, bytes, capped, stoppedAtLimit, complete, failures } = r;
    return (
      out +
      `${jsonText({
        summary: true,
        source: o.target.label,
        feed: o.target.feed.id,
        dryRun: o.dryRun,
        since: o.since,
        limit: o.limit,
        via: o.via,
        sitemaps,
        bytes,
        urls: counts,
        ...(o.dryRun ? {} : { total: totals, resumed: o.resumed }),
        capped,
        stoppedAtLimit,
        complete,
        failures,
      })}\n`
    );
  }
  const c = r.counts;
  const sitemaps =
    `${n(r.sitemaps.read)} sitemaps read` +
    (r.sitemaps.skipped > 0 ? `, ${n(r.sitemaps.skipped)} read earlier` : '') +
    `, ${n(r.sitemaps.failed)} failed`;
  if (o.dryRun) {
    const left = [`${n(c.undated)} undated (kept)`];
    if (o.since) left.push(`${n(c.before)} before --since`);
    return `${out}dry run of ${o.target.label}: ${n(c.enqueued)} of ${n(c.listed)} URLs would be enqueued (${left.join(', ')}); ${sitemaps}; ${endText(r, o.limit)}\n`;
  }
  const total = o.resumed ? `; over all runs ${n(r.totals.enqueued)} enqueued` : '';
  return (
    `${out}backfill of ${o.target.label} (feed ${o.target.feed.id}): ${n(c.enqueued)} of ${n(c.listed)} URLs enqueued ` +
    `(${countsText(c, o.since !== null)}); ${sitemaps}${total}; ${endText(r, o.limit)}\n`
  );
}
