import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config/load.js';
import { resolveRedis, RedisUnavailableError, type ResolvedRedis } from '../store/redis-server.js';
import { createLogger, type Logger } from '../shared/logger.js';

/** A setup problem: printed as one message, exit code 2. Everything else the pipeline records as data. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export const DEFAULT_CONFIG_DIR = 'config';

export function readConfig(dir: string | undefined): Config {
  try {
    return loadConfig(dir ?? DEFAULT_CONFIG_DIR);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(err.message);
    throw err;
  }
}

export async function connectRedis(config: Config, log: Logger): Promise<ResolvedRedis> {
  try {
    const r = await resolveRedis(config.service.redis.url, resolve(config.service.redis.dataDir));
    if (r.source === 'managed') log.info({ url: r.url }, 'started a managed redis-server');
    return r;
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw new SetupError(err.message);
    throw err;
  }
}

export function cliLogger(config: Config, destination: 'stdout' | 'stderr'): Logger {
  return createLogger(config.service.log.level, destination);
}
