import { buildConfig } from '../../../../src/config/load.js';
import { createArticleWorker, createRuntime } from '../../../../src/pipeline/runtime.js';
import { createLogger } from '../../../../src/shared/logger.js';

/**
 * One extractor process for the race test: an article worker on the test's prefix. Prints "ready" once the
 * worker runs, closes when stdin ends (the parent closes it, or dies) and prints how many jobs it completed.
 *   main([redisUrl, prefix, port,port,…])
 */
export async function main([redisUrl, prefix, ports]: string[]): Promise<void> {
  const config = buildConfig(
    'config',
    {
      log: { level: 'silent' },
      redis: { keyPrefix: prefix },
      extractor: { concurrency: 4 },
      fetch: {
        allowNetworks: ['127.0.0.0/8'],
        allowedPorts: (ports ?? '').split(',').map(Number),
        politeness: { interval: 0, maxInFlight: 8 },
      },
    },
    [],
  );
  const rt = await createRuntime(config, redisUrl!, createLogger('silent'));
  const worker = createArticleWorker(rt, config.service.extractor.concurrency);
  let completed = 0;
  worker.on('completed', () => completed++);
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.stdin.resume();
  await new Promise<void>(done => process.stdin.once('end', done));
  await worker.close();
  await rt.close();
  process.stdout.write(`completed ${completed}\n`);
  process.exit(0);
}
