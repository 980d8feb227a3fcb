import { randomUUID } from 'node:crypto';
import { redisTargetFromEnv } from '../../src/store/redis.js';
import { runBurstScenario } from './scenario.js';

/**
 * `npm run eval:overflow`: issue 20's target, printed as one JSON object. A local site publishes 200 articles in
 * bursts of 40 while its feed lists the newest 20; with its news sitemap configured every article should be
 * stored; the same site without a sitemap shows what the feed alone misses, in the same run.
 * Options: --bursts N --per-burst N --feed-size N.
 */
export async function main(args: string[]): Promise<number> {
  const arg = (name: string, dflt: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const target = redisTargetFromEnv() ?? 'redis://127.0.0.1:6379';
  const r = await runBurstScenario({
    initial: 0,
    bursts: arg('bursts', 5),
    perBurst: arg('per-burst', 40),
    feedSize: arg('feed-size', 20),
    redis: target,
    prefix: `nfeval-overflow-${randomUUID().slice(0, 8)}`,
  });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  return r.withSitemap.missed === 0 ? 0 : 1;
}
