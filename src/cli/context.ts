import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config/load.js';
import { createRuntime, type Runtime } from '../pipeline/runtime.js';
import { resolveRedis, RedisUnavailableError, type ResolvedRedis } from '../store/redis-server.js';
import {
  connectionErrorReason,
  createRedis,
  describeRedis,
  parseClusterNodes,
  probeRedis,
  RedisNotReadyError,
  waitReady,
  type RedisClient,
  type RedisRole,
  type RedisTarget,
} from '../store/redis.js';
import { createLogger, type Logger } from '../shared/logger.js';

// Defined with the other process-level errors, so the CLI's entry can know it without loading this module
// (which loads the whole runtime).
import { SetupError } from '../shared/errors.js';

export { SetupError };

export const DEFAULT_CONFIG_DIR = 'config';

export function readConfig(dir: string | undefined): Config {
  try {
    return loadConfig(dir ?? DEFAULT_CONFIG_DIR);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(err.message);
    throw err;
  }
}

/** One line for a Redis the command cannot use, e.g. `cannot reach Redis at redis://h:6379: ECONNREFUSED`. */
export function unreachable(target: RedisTarget, err: unknown): SetupError {
  return new SetupError(`cannot reach Redis at ${describeRedis(target)}: ${connectionErrorReason(err)}`);
}

/** The configured Redis: a cluster when `redis.cluster.nodes` / REDIS_CLUSTER_NODES is set, else `redis.url`. */
export function configuredRedis(config: Config): RedisTarget | null {
  const { cluster, url } = config.service.redis;
  return cluster.nodes.length > 0 ? parseClusterNodes(cluster.nodes) : url;
}

/**
 * Finds Redis (REDIS_CLUSTER_NODES / redis.cluster.nodes, else REDIS_URL / redis.url, else 127.0.0.1:6379, else a
 * managed redis-server) and checks that it
 * answers, once and without retrying: an unreachable Redis is a setup error (exit 2) reported at once.
 */
export async function connectRedis(config: Config, log: Logger): Promise<ResolvedRedis> {
  let r: ResolvedRedis;
  try {
    r = await resolveRedis(configuredRedis(config), resolve(config.service.redis.dataDir));
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw new SetupError(err.message);
    throw err;
  }
  if (r.source === 'managed') log.info({ url: describeRedis(r.target) }, 'started a managed redis-server');
  if (r.source === 'configured') {
    try {
      await probeRedis(r.target);
    } catch (err) {
      throw unreachable(r.target, err);
    }
  }
  return r;
}

/** A connected client for a one-shot command, and how to release it (and a managed redis-server). */
export interface CliRedis {
  target: RedisTarget;
  redis: RedisClient;
  close(): Promise<void>;
}

export async function openRedis(
  config: Config,
  log: Logger,
  role: RedisRole = 'producer',
): Promise<CliRedis> {
  const resolved = await connectRedis(config, log);
  const redis = createRedis(resolved.target, role);
  try {
    await waitReady(redis);
  } catch (err) {
    redis.disconnect();
    await resolved.managed?.stop();
    throw unreachable(resolved.target, err);
  }
  return {
    target: resolved.target,
    redis,
    async close() {
      redis.disconnect();
      await resolved.managed?.stop();
    },
  };
}

/** The pipeline's runtime for `start`, `run` and `demo`; a Redis that stopped answering since the probe is a setup error. */
export async function openRuntime(config: Config, target: RedisTarget, log: Logger): Promise<Runtime> {
  try {
    return await createRuntime(config, target, log);
  } catch (err) {
    if (err instanceof RedisNotReadyError) throw unreachable(target, err);
    throw err;
  }
}

export function cliLogger(config: Config, destination: 'stdout' | 'stderr'): Logger {
  return createLogger(config.service.log.level, destination);
}
