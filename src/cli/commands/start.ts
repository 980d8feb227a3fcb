import { Option, type Command } from 'commander';
import { ALL_ROLES, startService, type Role } from '../../pipeline/service.js';
import { cliLogger, connectRedis, openRuntime, readConfig } from '../context.js';

/** Runs the service roles until SIGTERM/SIGINT, then drains and returns. The workers/*.ts entry points call this. */
export async function runService(configDir: string | undefined, roles: readonly Role[]): Promise<void> {
  const config = readConfig(configDir);
  const log = cliLogger(config, 'stdout');
  const redis = await connectRedis(config, log);
  const rt = await openRuntime(config, redis.target, log);
  const service = await startService(rt, roles);
  log.info({ roles, redis: redis.source }, 'newsflow started');
  await new Promise<void>(resolveStop => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      service
        .shutdown(config.service.shutdown.grace)
        .then(() => rt.close())
        .then(() => redis.managed?.stop())
        .catch((err: unknown) => log.error({ err }, 'shutdown error'))
        .finally(resolveStop);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  log.info('stopped');
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run the background service; SIGTERM/SIGINT drain running jobs and exit 0')
    .addOption(
      new Option('--role <role>', 'which role this process runs')
        .choices(['poller', 'extractor', 'api', 'all'])
        .default('all'),
    )
    .action(async (opts: { role: Role | 'all' }, cmd: Command) => {
      const { config: dir } = cmd.optsWithGlobals<{ config?: string }>();
      await runService(dir, opts.role === 'all' ? ALL_ROLES : [opts.role]);
    });
}
