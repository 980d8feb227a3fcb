import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { feedsFileSchema, serviceSchema, type FeedConfig, type ServiceConfig } from './schema.js';

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

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/** Reads, validates and freezes both files; throws one ConfigError listing every problem found. */
export function loadConfig(dir: string, opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const absDir = resolve(dir);
  const problems: ConfigProblem[] = [];

  const serviceFile = join(absDir, SERVICE_FILE);
  const feedsFile = join(absDir, FEEDS_FILE);
  const rawService = readYaml(serviceFile, problems) ?? {};
  const rawFeeds = readYaml(feedsFile, problems) ?? { feeds: [] };
  const overridden = applyEnv(rawService, env, problems);

  const service = check(serviceSchema, overridden, SERVICE_FILE, problems, envNameFor);
  const feedsFileData = check(feedsFileSchema, rawFeeds, FEEDS_FILE, problems, () => undefined, rawFeeds);

  if (feedsFileData) {
    const seen = new Map<string, number>();
    feedsFileData.feeds.forEach((f, i) => {
      const first = seen.get(f.id);
      if (first !== undefined) {
        problems.push({
          file: FEEDS_FILE,
          path: `feeds[${i}] (id "${f.id}").id`,
          message: `duplicate id; feeds[${first}] already uses it`,
        });
      } else seen.set(f.id, i);
    });
  }

  if (problems.length > 0 || !service || !feedsFileData) throw new ConfigError(problems);
  return deepFreeze({ dir: absDir, service, feeds: feedsFileData.feeds });
}

/** Validates an in-memory config (the demo and tests build theirs); same rules, same errors. */
export function buildConfig(dir: string, service: unknown, feeds: unknown): Config {
  const problems: ConfigProblem[] = [];
  const s = check(serviceSchema, service, SERVICE_FILE, problems, envNameFor);
  const f = check(feedsFileSchema, { feeds }, FEEDS_FILE, problems, () => undefined, { feeds });
  if (problems.length > 0 || !s || !f) throw new ConfigError(problems);
  return deepFreeze({ dir: resolve(dir), service: s, feeds: f.feeds });
}

function readYaml(file: string, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file: shortName(file), path: '', message: `cannot read: ${(err as Error).message}` });
    return undefined;
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
    return undefined;
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
