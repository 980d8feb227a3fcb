import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { FeedConfig } from '../config/schema.js';
import { FEEDS_FILE } from '../config/load.js';
import type { Logger } from '../shared/logger.js';
import { serialRunner } from '../shared/serial.js';
import { feedsFilePath, parseFeedsText } from './feeds-file.js';

/**
 * The one owner of the feed list a running process uses: the scheduler, `GET /feeds` and `/metrics` all read
 * `current()`. It starts from the list loaded at start and follows config/feeds.yaml.
 *
 * A file being written in place is read mid-write: `printf … > feeds.yaml` truncates first, so a read can see an
 * empty file (a valid "no feeds") or half an entry. So a change is applied only when
 * - the file has been quiet for `debounceMs` and two reads `settleMs` apart return the same bytes;
 * - it parses and validates (an invalid file keeps the last good list, and says so once per bad content);
 * - it stops at most `maxRemoveShare` of the enabled feeds — a list that stops more is applied only if a second
 *   read `confirmMs` later still says so (a real mass removal waits a few seconds; a torn read never applies).
 */
export interface LiveFeedsOptions {
  configDir: string;
  initial: readonly FeedConfig[];
  log: Logger;
  /** Follow the file (fs.watch plus `check()` from the caller's loop); false: the list never changes. */
  watch: boolean;
  /** Largest share of the enabled feeds a reload may stop without a confirming read (poller.maxRemoveShare). */
  maxRemoveShare: number;
  debounceMs?: number;
  settleMs?: number;
  confirmMs?: number;
  /** Called after a new list is applied. */
  onChange?: (feeds: readonly FeedConfig[]) => void;
}

export interface LiveFeeds {
  current(): readonly FeedConfig[];
  /** Asks for a re-read (debounced); the scheduler's loop calls it as a fallback to fs.watch. */
  check(): void;
  /** Resolves when no read is pending or running (tests). */
  idle(): Promise<void>;
  close(): void;
}

export const RELOAD_DEFAULTS = { debounceMs: 250, settleMs: 100, confirmMs: 5_000 } as const;
const MAX_READS = 20;

/** Feeds of `from` that would stop being polled under `to` (removed, or enabled → disabled). */
export function stoppedFeeds(from: readonly FeedConfig[], to: readonly FeedConfig[]): string[] {
  const next = new Map(to.map(f => [f.id, f]));
  return from.filter(f => f.enabled && !next.get(f.id)?.enabled).map(f => f.id);
}

export function startLiveFeeds(opts: LiveFeedsOptions): LiveFeeds {
  const debounceMs = opts.debounceMs ?? RELOAD_DEFAULTS.debounceMs;
  const settleMs = opts.settleMs ?? RELOAD_DEFAULTS.settleMs;
  const confirmMs = opts.confirmMs ?? RELOAD_DEFAULTS.confirmMs;
  const file = feedsFilePath(opts.configDir);
  let feeds = opts.initial;
  let appliedText: string | null = null;
  let badText: string | null = null;
  let pending: { text: string; since: number } | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let watcher: FSWatcher | undefined;
  const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

  /** The file's bytes once two reads `settleMs` apart agree; null when it cannot be read or never settles. */
  async function settledText(): Promise<string | null> {
    let previous: string | null = null;
    for (let i = 0; i < MAX_READS && !closed; i++) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return null;
      }
      if (text === previous) return text;
      previous = text;
      await sleep(settleMs);
    }
    return null;
  }

  async function reload(): Promise<void> {
    const text = await settledText();
    if (text === null || closed) return;
    if (text === appliedText) {
      if (pending) {
        opts.log.info(`${FEEDS_FILE} is back to the list in force; the pending removal is dropped`);
      }
      pending = null;
      badText = null;
      return;
    }
    if (text === badText) return;
    let next: FeedConfig[];
    try {
      next = parseFeedsText(text);
    } catch (err) {
      badText = text;
      opts.log.error(
        { err: (err as Error).message, feeds: feeds.length },
        `${FEEDS_FILE} is invalid; keeping the last good feed list`,
      );
      return;
    }
    badText = null;
    if (JSON.stringify(next) === JSON.stringify(feeds)) {
      appliedText = text;
      pending = null;
      return;
    }
    const enabled = feeds.filter(f => f.enabled).length;
    const stopped = stoppedFeeds(feeds, next);
    if (enabled > 0 && stopped.length / enabled > opts.maxRemoveShare) {
      const now = Date.now();
      if (!pending || pending.text !== text) {
        pending = { text, since: now };
        opts.log.warn(
          { stopping: stopped.length, of: enabled, maxRemoveShare: opts.maxRemoveShare, confirmMs },
          `${FEEDS_FILE} would stop ${stopped.length} of ${enabled} feeds; applied only if a read in ${confirmMs} ms still says so`,
        );
      }
      const wait = pending.since + confirmMs - now;
      if (wait > 0) {
        schedule(wait);
        return;
      }
    }
    const before = new Set(feeds.map(f => f.id));
    const added = next.filter(f => !before.has(f.id)).length;
    const removed = feeds.length - (next.length - added);
    feeds = next;
    appliedText = text;
    pending = null;
    opts.log.info({ feeds: next.length, added, removed }, `${FEEDS_FILE} reloaded`);
    opts.onChange?.(next);
  }

  const reloads = serialRunner(
    reload,
    err => opts.log.error({ err }, `${FEEDS_FILE} reload failed`),
    () => closed,
  );
  const run = (): void => void reloads.poke();

  function schedule(ms: number): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
    timer.unref();
  }

  if (opts.watch) {
    try {
      // The folder, not the file: editors save by writing a new file and renaming it over the old one.
      watcher = watch(opts.configDir, { persistent: false }, (_event, name) => {
        if (!name || String(name) === FEEDS_FILE) schedule(debounceMs);
      });
      watcher.on('error', () => undefined);
    } catch (err) {
      opts.log.warn(
        { err: (err as Error).message },
        `cannot watch ${opts.configDir}; ${FEEDS_FILE} is re-read every few seconds`,
      );
    }
    schedule(0);
  }

  return {
    current: () => feeds,
    check() {
      // A pending removal keeps its own timer; the loop's poke must not restart it.
      if (opts.watch && !timer && !reloads.current()) run();
    },
    async idle() {
      while (timer || reloads.current()) await (reloads.current() ?? sleep(20));
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
