import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import type { Redis } from 'ioredis';

export interface Machine {
  node: string;
  platform: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  redis: string;
}

export async function describeMachine(redis: Redis): Promise<Machine> {
  const info = await redis.info('server');
  return {
    node: process.version,
    platform: `${process.platform} ${release()} ${process.arch}`,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    redis: /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown',
  };
}

/** 1, 5 and 15 minute load averages, two decimals. */
export function load(): [number, number, number] {
  const [a, b, c] = loadavg().map(x => Math.round(x * 100) / 100);
  return [a ?? 0, b ?? 0, c ?? 0];
}
