import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ClusterNodesError, parseClusterNodes } from '../../../src/shared/redis-target.js';
import { describeRedis, redisTargetFromEnv } from '../../../src/store/redis.js';
import { configuredRedis } from '../../../src/cli/context.js';
import { writeConfigDir } from '../../helpers/cli.js';

describe('Redis Cluster seed nodes (redis.cluster.nodes, REDIS_CLUSTER_NODES)', () => {
  it.each([
    [
      ['127.0.0.1:7000', 'redis-b:7001'],
      {
        cluster: [
          { host: '127.0.0.1', port: 7000 },
          { host: 'redis-b', port: 7001 },
        ],
      },
    ],
    [['[::1]:7000'], { cluster: [{ host: '::1', port: 7000 }] }],
    [
      ['rediss://app:s%3Acret@a:7000', 'b:7001'],
      {
        cluster: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
        username: 'app',
        password: 's:cret',
        tls: true,
      },
    ],
  ])('%j → %j', (nodes, target) => {
    expect(parseClusterNodes(nodes)).toEqual(target);
  });

  it.each([
    [[], /no cluster nodes/],
    [['a'], /a port is required/],
    [['http://a:1'], /expected host:port or a redis:\/\/ URL/],
    [['redis://a:1/2'], /no database number/],
    [['redis://:x@a:1', 'redis://:y@b:2'], /disagree/],
  ])('refuses %j', (nodes, message) => {
    expect(() => parseClusterNodes(nodes)).toThrow(ClusterNodesError);
    expect(() => parseClusterNodes(nodes)).toThrow(message);
  });

  it('names a cluster in messages without its password', () => {
    const text = describeRedis(parseClusterNodes(['redis://:secret@a:7000', 'redis://:secret@b:7001']));
    expect(text).toBe('Redis Cluster redis://a:7000,redis://b:7001');
    expect(text).not.toContain('secret');
  });

  it('the environment picks a cluster over REDIS_URL; config does the same and checks the list', () => {
    expect(redisTargetFromEnv({ REDIS_CLUSTER_NODES: 'a:1, b:2', REDIS_URL: 'redis://c:3' })).toEqual({
      cluster: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
    });
    expect(redisTargetFromEnv({ REDIS_URL: 'redis://c:3' })).toBe('redis://c:3');
    expect(redisTargetFromEnv({})).toBeNull();
    const dir = writeConfigDir({ redis: { url: 'redis://c:3' } }, []);
    const config = loadConfig(dir, { env: { REDIS_CLUSTER_NODES: 'a:1,b:2' } });
    expect(configuredRedis(config)).toEqual({
      cluster: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
    });
    expect(configuredRedis(loadConfig(dir, { env: {} }))).toBe('redis://c:3');
    expect(() => loadConfig(dir, { env: { REDIS_CLUSTER_NODES: 'a' } })).toThrow(
      /REDIS_CLUSTER_NODES.*a port is required|redis\.cluster\.nodes.*a port is required/s,
    );
  });
});
