import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { checkFeedsDocument, FEEDS_FILE, feedUrlKey, type ConfigProblem } from '../config/load.js';
import { feedSchema, type FeedConfig } from '../config/schema.js';

/**
 * config/feeds.yaml as a file the service re-reads while running and the CLI edits. Reading validates like
 * `loadConfig` does (schema + unique ids) and throws one error naming every problem, so a half-saved file is
 * reported and the last good list stays in use. Edits go through the `yaml` Document API: comments, blank
 * lines and entry order survive, new entries are appended.
 */
export class FeedsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedsFileError';
  }
}

/** Keep `tags: [x]` as users write it (the yaml default pads flow collections: `[ x ]`). */
const TO_STRING = { flowCollectionPadding: false } as const;

export function feedsFilePath(configDir: string): string {
  return join(configDir, FEEDS_FILE);
}

export function parseFeedsText(text: string): FeedConfig[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new FeedsFileError(`${FEEDS_FILE}: YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const problems: ConfigProblem[] = [];
  const feeds = checkFeedsDocument(doc.toJS() as unknown, problems);
  if (!feeds) {
    throw new FeedsFileError(
      `${FEEDS_FILE}: ${problems.map(p => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ')}`,
    );
  }
  return feeds;
}

export function readFeedsFile(configDir: string): FeedConfig[] {
  let text: string;
  try {
    text = readFileSync(feedsFilePath(configDir), 'utf8');
  } catch (err) {
    throw new FeedsFileError(`${FEEDS_FILE}: cannot read: ${(err as Error).message}`);
  }
  return parseFeedsText(text);
}

export interface NewFeed {
  url: string;
  /** `sitemap`: a sitemap source (written as `type: sitemap`); absent or `feed`: a feed (no `type` written). */
  type?: 'feed' | 'sitemap' | undefined;
  id?: string | undefined;
  title?: string | undefined;
  tags?: readonly string[] | undefined;
  interval?: string | undefined;
}

export interface AddResult {
  added: FeedConfig[];
  /** Entries not added, with why: already there, or `failed` (an id taken, an entry the schema rejects). */
  skipped: { url: string; reason: string; failed: boolean }[];
  text: string;
}

/** A free id from a URL: host (without www.) and the last meaningful path segment, slugged. */
export function suggestId(url: string, taken: ReadonlySet<string>, title?: string): string {
  let base = '';
  try {
    const u = new URL(url);
    base = u.hostname.replace(/^www\./, '').replace(/\.(?:com|org|net|co\.uk|io)$/, '');
  } catch {
    base = 'feed';
  }
  if (title) base = title;
  let slug = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  if (!/^[a-z0-9]/.test(slug)) slug = `feed-${slug}`.replace(/-+$/, '');
  let id = slug || 'feed';
  for (let n = 2; taken.has(id); n++) id = `${slug}-${n}`;
  return id;
}

/**
 * Appends feeds to the document text, keeping everything already in it. A URL already listed (exactly, or by
 * its canonical form) is skipped, as is an entry the schema rejects.
 */
export function addFeedsToText(text: string, feeds: readonly NewFeed[]): AddResult {
  const doc = parseDocument(text.trim() ? text : 'feeds: []\n');
  if (doc.errors.length > 0) {
    throw new FeedsFileError(`${FEEDS_FILE}: YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const existing = parseFeedsText(doc.toString(TO_STRING));
  const seq = feedsSeq(doc);
  const ids = new Set(existing.map(f => f.id));
  const urls = new Set(existing.map(f => feedUrlKey(f.url)));
  const added: FeedConfig[] = [];
  const skipped: AddResult['skipped'] = [];
  for (const nf of feeds) {
    if (urls.has(feedUrlKey(nf.url))) {
      skipped.push({ url: nf.url, reason: 'already in feeds.yaml', failed: false });
      continue;
    }
    const id = nf.id ?? suggestId(nf.url, ids, nf.title);
    if (ids.has(id)) {
      skipped.push({ url: nf.url, reason: `id "${id}" is taken`, failed: true });
      continue;
    }
    const entry: Record<string, unknown> = { id, url: nf.url };
    if (nf.type === 'sitemap') entry.type = 'sitemap';
    if (nf.title) entry.title = nf.title;
    if (nf.tags && nf.tags.length > 0) entry.tags = [...nf.tags];
    if (nf.interval) entry.interval = nf.interval;
    const checked = feedSchema.safeParse(entry);
    if (!checked.success) {
      skipped.push({
        url: nf.url,
        reason: checked.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; '),
        failed: true,
      });
      continue;
    }
    const node = doc.createNode(entry) as YAMLMap;
    const tags = node.get('tags', true);
    if (isSeq(tags)) tags.flow = true;
    // Match the file's style: a blank line between entries if it already separates them so.
    if (seq.items.slice(1).some(i => (i as { spaceBefore?: boolean }).spaceBefore)) node.spaceBefore = true;
    seq.items.push(node);
    ids.add(id);
    urls.add(feedUrlKey(nf.url));
    added.push(checked.data);
  }
  const out = doc.toString(TO_STRING);
  parseFeedsText(out);
  return { added, skipped, text: out };
}

/** The `feeds:` sequence, turned into block style when it was the empty flow `[]` the template ships. */
function feedsSeq(doc: Document): YAMLSeq {
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({ feeds: [] });
  const map = doc.contents;
  if (!isMap(map)) {
    throw new FeedsFileError(`${FEEDS_FILE}: the top level must be a mapping with a "feeds" list`);
  }
  const found: unknown = map.get('feeds', true);
  if (found === undefined || found === null) {
    const fresh = new YAMLSeq();
    map.set('feeds', fresh);
    return fresh;
  }
  if (!isSeq(found)) throw new FeedsFileError(`${FEEDS_FILE}: "feeds" must be a list`);
  found.flow = false;
  return found;
}

/** Adds feeds to config/feeds.yaml in place (write to a temp file, then rename: never a half-written file). */
export function addFeedsToFile(configDir: string, feeds: readonly NewFeed[]): AddResult {
  const path = feedsFilePath(configDir);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '';
  }
  const result = addFeedsToText(text, feeds);
  if (result.added.length > 0) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, result.text);
    renameSync(tmp, path);
  }
  return result;
}
