import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { feedsFileSchema, freezeDeep, serviceSchema, type FeedConfig, type ServiceConfig } from './schema.js';

export interface Config {
  /** The folder the two files were read from. */
  dir: string;
  service: ServiceConfig;
  feeds: readonly FeedConfig[];
}

/** One problem in one file; the message names the file, the entry and the field. */
export interface ConfigProblem {
  file: string;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map(p => `  - ${p.file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export const SERVICE_FILE = 'newsflow.yaml';
export const FEEDS_FILE = 'feeds.yaml';

/**
 * Environment variables that override newsflow.yaml, for deployments. Each is declared once here.
 * Values are parsed as YAML scalars/lists so `NEWSFLOW_FETCH_ALLOW_NETWORKS=127.0.0.0/8,::1/128` works.
 */
const ENV_OVERRIDES: Record<string, { path: string[]; kind: 'string' | 'int' | 'list' }> = {
  REDIS_URL: { path: ['redis', 'url'], kind: 'string' },
  REDIS_CLUSTER_NODES: { path: ['redis', 'cluster', 'nodes'], kind: 'list' },
  NEWSFLOW_KEY_PREFIX: { path: ['redis', 'keyPrefix'], kind: 'string' },
  NEWSFLOW_LOG_LEVEL: { path: ['log', 'level'], kind: 'string' },
  NEWSFLOW_CONCURRENCY: { path: ['extractor', 'concurrency'], kind: 'int' },
  NEWSFLOW_POLLER_CONCURRENCY: { path: ['poller', 'concurrency'], kind: 'int' },
  NEWSFLOW_EXTRACT_DOM: { path: ['extract', 'dom'], kind: 'string' },
  NEWSFLOW_EXTRACT_THREADS: { path: ['extract', 'threads'], kind: 'int' },
  NEWSFLOW_FETCH_ALLOW_NETWORKS: { path: ['fetch', 'allowNetworks'], kind: 'list' },
  NEWSFLOW_USER_AGENT: { path: ['fetch', 'userAgent'], kind: 'string' },
  NEWSFLOW_API_HOST: { path: ['api', 'host'], kind: 'string' },
  NEWSFLOW_API_PORT: { path: ['api', 'port'], kind: 'int' },
  NEWSFLOW_API_ADMIN_TOKEN: { path: ['api', 'adminToken'], kind: 'string' },
  NEWSFLOW_WEBSUB_HOST: { path: ['websub', 'listen', 'host'], kind: 'string' },
  NEWSFLOW_WEBSUB_PORT: { path: ['websub', 'listen', 'port'], kind: 'int' },
};

/** Old names still read, each with the name that replaced it (a warning says so). */
const DEPRECATED_ENV: Record<string, string> = {
  NEWSFLOW_PREFIX: 'NEWSFLOW_KEY_PREFIX',
};

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Where a deprecation warning goes (default: stderr). */
  warn?: (message: string) => void;
}

/** Reads, validates and freezes both files; throws one ConfigError listing every problem found. */
export function loadConfig(dir: string, opts: LoadOptions = {}): Config {
  const env = withDeprecatedEnv(opts.env ?? process.env, opts.warn ?? (m => process.stderr.write(`${m}\n`)));
  const absDir = resolve(dir);
  const problems: ConfigProblem[] = [];

  const serviceFile = join(absDir, SERVICE_FILE);
  const feedsFile = join(absDir, FEEDS_FILE);
  const rawService = topLevelMapping(readYaml(serviceFile, problems), SERVICE_FILE, problems);
  const rawFeeds = readYaml(feedsFile, problems);
  const overridden = applyEnv(rawService ?? {}, env, problems);

  const service = check(serviceSchema, overridden, SERVICE_FILE, problems, envNameFor);
  const feeds = rawFeeds === NOT_READ ? undefined : checkFeedsDocument(rawFeeds, problems);

  if (problems.length > 0 || !service || !feeds) throw new ConfigError(problems);
  return freezeDeep({ dir: absDir, service, feeds });
}

/** Validates an in-memory config (the demo and tests build theirs); same rules, same errors. */
export function buildConfig(dir: string, service: unknown, feeds: unknown): Config {
  const problems: ConfigProblem[] = [];
  const s = check(serviceSchema, service, SERVICE_FILE, problems, envNameFor);
  const f = checkFeedsDocument({ feeds }, problems);
  if (problems.length > 0 || !s || !f) throw new ConfigError(problems);
  return freezeDeep({ dir: resolve(dir), service: s, feeds: f });
}

/**
 * A config changed by code from one already validated (the demo points it at its fixture site): the service
 * values are typed already (durations in ms), so they are not parsed again; the feeds are validated.
 */
export function deriveConfig(base: Config, service: ServiceConfig, feeds: unknown): Config {
  const problems: ConfigProblem[] = [];
  const f = checkFeedsDocument({ feeds }, problems);
  if (problems.length > 0 || !f) throw new ConfigError(problems);
  return freezeDeep({ dir: base.dir, service: structuredClone(service), feeds: f });
}

/**
 * The one validation of a feeds.yaml document (start-up, the live reload, `feeds add`): the schema, then ids and
 * URLs unique — checked on the raw entries, so a duplicate is reported together with every other problem.
 * Returns the feeds, or undefined with `problems` filled.
 */
export function checkFeedsDocument(raw: unknown, problems: ConfigProblem[]): FeedConfig[] | undefined {
  const before = problems.length;
  const doc =
    topLevelMapping(raw, FEEDS_FILE, problems) ?? (raw === null || raw === undefined ? {} : undefined);
  if (!doc) return undefined;
  const parsed = check(feedsFileSchema, doc, FEEDS_FILE, problems, () => undefined, doc);
  const entries = (doc as { feeds?: unknown }).feeds;
  if (Array.isArray(entries)) {
    const ids = new Map<string, number>();
    const urls = new Map<string, number>();
    entries.forEach((entry: unknown, i) => {
      if (!entry || typeof entry !== 'object') return;
      const { id, url } = entry as { id?: unknown; url?: unknown };
      const where = `feeds[${i}]${typeof id === 'string' ? ` (id "${id}")` : ''}`;
      if (typeof id === 'string') {
        const first = ids.get(id);
        if (first !== undefined) {
          problems.push({
            file: FEEDS_FILE,
            path: `${where}.id`,
            message: `duplicate id; feeds[${first}] already uses it`,
          });
        } else ids.set(id, i);
      }
      if (typeof url === 'string') {
        const key = feedUrlKey(url);
        const first = urls.get(key);
        if (first !== undefined) {
          const firstId = (entries[first] as { id?: unknown }).id;
          problems.push({
            file: FEEDS_FILE,
            path: `${where}.url`,
            message: `same URL as feeds[${first}]${typeof firstId === 'string' ? ` (id "${firstId}")` : ''}; a feed is listed once`,
          });
        } else urls.set(key, i);
      }
    });
  }
  return problems.length === before ? parsed?.feeds : undefined;
}

/**
 * Two feed URLs are the same feed when they differ only in what URL parsing normalizes (scheme and host case,
 * default port, empty path), a fragment, or a trailing slash. The path's case is kept: servers tell it apart.
 */
export function feedUrlKey(url: string): string {
  try {
    const u = new URL(url.trim());
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.trim();
  }
}

function withDeprecatedEnv(env: NodeJS.ProcessEnv, warn: (message: string) => void): NodeJS.ProcessEnv {
  let out = env;
  for (const [old, current] of Object.entries(DEPRECATED_ENV)) {
    const value = env[old];
    if (value === undefined || value === '') continue;
    if (env[current] === undefined || env[current] === '') {
      out = { ...out, [current]: value };
      warn(`newsflow: ${old} is deprecated; set ${current} instead (${old}=${value} applied)`);
    } else if (env[current] !== value) {
      warn(`newsflow: ${old} is deprecated and ignored: ${current}=${env[current]} is set`);
    }
  }
  return out;
}

const NOT_READ = Symbol('not read');

/** A config file is a mapping (or empty); a list or a bare word would otherwise mean "every default". */
function topLevelMapping(
  raw: unknown,
  file: string,
  problems: ConfigProblem[],
): Record<string, unknown> | undefined {
  if (raw === NOT_READ || raw === null || raw === undefined) return undefined;
  if (typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  const found = Array.isArray(raw) ? 'a list' : `a ${typeof raw} (${JSON.stringify(raw)})`;
  problems.push({
    file,
    path: '',
    message:
      file === FEEDS_FILE
        ? `the top level must be a mapping with a "feeds" list ("feeds:" then "  - id: …" entries); found ${found}`
        : `the top level must be a mapping of sections (redis:, poller:, fetch:, …); found ${found}`,
  });
  return undefined;
}

function readYaml(file: string, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file: shortName(file), path: '', message: `cannot read: ${(err as Error).message}` });
    return NOT_READ;
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({
        file: shortName(file),
        path: '',
        message: `YAML: ${e.message.split('\n')[0] ?? e.message}`,
      });
    }
    return NOT_READ;
  }
  return doc.toJS() as unknown;
}

function shortName(file: string): string {
  return file.endsWith(FEEDS_FILE) ? FEEDS_FILE : file.endsWith(SERVICE_FILE) ? SERVICE_FILE : file;
}

/** Env overrides are applied before validation so a bad value is reported like a bad file value, naming the variable. */
const envSources = new Map<string, string>();
function envNameFor(path: string): string | undefined {
  return envSources.get(path);
}

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): unknown {
  envSources.clear();
  const root: Record<string, unknown> =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? structuredClone(raw as Record<string, unknown>)
      : {};
  for (const [name, spec] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let parsed: unknown = value;
    if (spec.kind === 'int') {
      parsed = /^\d+$/.test(value.trim()) ? Number(value) : value;
    } else if (spec.kind === 'list') {
      parsed = value
        .split(',')
        .map(s => s.trim())
        .filter(Boolean);
    }
    let node = root;
    for (const key of spec.path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null) node[key] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        problems.push({
          file: SERVICE_FILE,
          path: spec.path.join('.'),
          message: `${name} cannot apply: not a section`,
        });
        continue;
      }
      node = node[key] as Record<string, unknown>;
    }
    node[spec.path[spec.path.length - 1]!] = parsed;
    envSources.set(spec.path.join('.'), name);
  }
  return root;
}

function check<T extends z.ZodType>(
  schema: T,
  value: unknown,
  file: string,
  problems: ConfigProblem[],
  envName: (path: string) => string | undefined,
  raw?: unknown,
): z.infer<T> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = describePath(issue.path as (string | number)[], raw);
    const fromEnv = envName(issue.path.map(String).join('.'));
    problems.push({
      file: fromEnv ? `${file} (via ${fromEnv})` : file,
      path,
      message: issue.message,
    });
  }
  return undefined;
}

/** `feeds[2] (id "markets").url` — the entry named by its id when it has one, so users find it in the file. */
function describePath(path: (string | number)[], raw: unknown): string {
  let out = '';
  let node: unknown = raw;
  for (const seg of path) {
    if (typeof seg === 'number') {
      out += `[${seg}]`;
      node = Array.isArray(node) ? node[seg] : undefined;
      const id = node && typeof node === 'object' ? (node as Record<string, unknown>).id : undefined;
      if (typeof id === 'string') out += ` (id "${id}")`;
    } else {
      out += out ? `.${seg}` : seg;
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
