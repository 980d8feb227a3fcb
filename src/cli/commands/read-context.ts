import { CommanderError, type Command } from 'commander';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/load.js';
import { keysFor, type Keys } from '../../store/keys.js';
import { createRedis, waitReady } from '../../store/redis.js';
import { createStoryStore, type StoryStore } from '../../store/story-store.js';
import type { Logger } from '../../shared/logger.js';
import { cliLogger, connectRedis, readConfig } from '../context.js';

/** What the read-only commands (tail, articles, stories get, export, status) share. */
export interface ReadContext {
  config: Config;
  keys: Keys;
  log: Logger;
  redisUrl: string;
  redis: Redis;
  store: StoryStore;
  close(): Promise<void>;
}

export async function openReadContext(cmd: Command): Promise<ReadContext> {
  const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
  const config = readConfig(dir);
  const log = cliLogger(config, 'stderr');
  const resolved = await connectRedis(config, log);
  // Fail fast: an operator asking for status wants "Redis is down", not a command that waits forever.
  const redis = createRedis(resolved.url, 'producer');
  try {
    await waitReady(redis);
  } catch (err) {
    redis.disconnect();
    await resolved.managed?.stop();
    throw err;
  }
  const keys = keysFor(config.service.redis.keyPrefix);
  return {
    config,
    keys,
    log,
    redisUrl: resolved.url,
    redis,
    store: createStoryStore(redis, keys, { streamMaxLen: config.service.stream.maxLen }),
    async close() {
      redis.disconnect();
      await resolved.managed?.stop();
    },
  };
}

/** Ends the command with one line on stderr and exit code 1 (main maps CommanderError to its exit code). */
export function fail(code: string, message: string): never {
  process.stderr.write(`newsflow: ${message}\n`);
  throw new CommanderError(1, `newsflow.${code}`, message);
}

export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    stream.write(text, err => (err ? reject(err) : resolveWrite()));
  });
}
