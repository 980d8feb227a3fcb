import { CommanderError, type Command } from 'commander';
import { isClusterTarget, type RedisClient, type RedisTarget } from '../../store/redis.js';
import type { Config } from '../../config/load.js';
import { keysFor, type Keys } from '../../store/keys.js';
import { createStoryStore, type StoryStore } from '../../store/story-store.js';
import type { Logger } from '../../shared/logger.js';
import { cliLogger, openRedis, readConfig } from '../context.js';

/** What the read-only commands (tail, articles, stories get, export, status) share. */
export interface ReadContext {
  config: Config;
  keys: Keys;
  log: Logger;
  redisTarget: RedisTarget;
  redis: RedisClient;
  store: StoryStore;
  close(): Promise<void>;
}

export async function openReadContext(cmd: Command): Promise<ReadContext> {
  const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
  const config = readConfig(dir);
  const log = cliLogger(config, 'stderr');
  // Fail fast: an operator asking for status wants "Redis is down", not a command that waits forever.
  const conn = await openRedis(config, log, 'producer');
  const keys = keysFor(config.service.redis.keyPrefix, { cluster: isClusterTarget(conn.target) });
  return {
    config,
    keys,
    log,
    redisTarget: conn.target,
    redis: conn.redis,
    store: createStoryStore(conn.redis, keys, { streamMaxLen: config.service.stream.maxLen }),
    close: () => conn.close(),
  };
}

/** Ends the command with one line on stderr and exit code 1, an input failed (main maps CommanderError to its code). */
export function fail(code: string, message: string): never {
  process.stderr.write(`newsflow: ${message}\n`);
  throw new CommanderError(1, `newsflow.${code}`, message);
}

/** Ends the command with one line on stderr and exit code 2: a bad option value. */
export function usage(code: string, message: string): never {
  process.stderr.write(`newsflow: ${message}\n`);
  throw new CommanderError(2, `newsflow.${code}`, message);
}

export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    stream.write(text, err => (err ? reject(err) : resolveWrite()));
  });
}
