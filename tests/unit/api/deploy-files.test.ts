import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDurationMs, serviceSchema } from '../../../src/config/schema.js';

interface Service {
  image?: string;
  profiles?: string[];
  entrypoint?: string[];
  volumes?: string[];
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  container_name?: string;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

// Merge keys on: the cluster nodes share one definition (`<<: *redis-cluster-node`), as Compose reads them.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const s = compose.services;
const CLUSTER_NODES = ['redis-c1', 'redis-c2', 'redis-c3', 'redis-c4', 'redis-c5', 'redis-c6'];

describe('docker-compose.yml', () => {
  it('runs Redis with AOF everysec, noeviction and a healthcheck the roles wait for', () => {
    const cmd = s.redis!.command!.join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--appendfsync everysec');
    expect(cmd).toContain('--maxmemory-policy noeviction');
    expect(s.redis!.healthcheck!.test).toContain('ping');
    for (const role of ['poller', 'extractor', 'api']) {
      expect(s[role]!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    }
  });

  it('lets the extractor scale (no fixed name or host port)', () => {
    expect(s.extractor!.container_name).toBeUndefined();
    expect(s.extractor!.ports).toBeUndefined();
  });

  it('gives workers longer to stop than the shutdown grace plus the longest fetch', () => {
    const defaults = serviceSchema.parse({});
    const longestJob = defaults.shutdown.grace + defaults.fetch.timeout;
    for (const role of ['poller', 'extractor']) {
      expect(parseDurationMs(s[role]!.stop_grace_period!)).toBeGreaterThan(longestJob);
    }
    // The api role runs no jobs: its grace only needs the HTTP server to close.
    expect(parseDurationMs(s.api!.stop_grace_period!)).toBeGreaterThanOrEqual(10_000);
  });

  it('passes the dashboard token through and health-checks readiness', () => {
    expect(s.api!.environment).toHaveProperty('NEWSFLOW_API_ADMIN_TOKEN');
    expect(s.api!.healthcheck!.test.join(' ')).toContain('/readyz');
  });

  it('keeps the default stack (no profile) as it was: one Redis and the three roles on it', () => {
    const defaults = Object.keys(s).filter(name => !s[name]!.profiles);
    expect(defaults).toEqual(['redis', 'poller', 'extractor', 'api']);
    expect(s.redis!.command).toEqual([
      'redis-server',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
    ]);
    expect(s.redis!.volumes).toEqual(['redis-data:/data']);
    for (const role of ['poller', 'extractor', 'api']) {
      expect(s[role]!.environment!.REDIS_URL).toBe('redis://redis:6379');
      expect(s[role]!.environment).not.toHaveProperty('REDIS_CLUSTER_NODES');
      expect(Object.keys(s[role]!.depends_on!)).toEqual(['redis']);
    }
  });

  it('has a `cluster` profile: six cluster nodes with AOF everysec and noeviction, each on its own volume', () => {
    const profiled = Object.keys(s).filter(name => s[name]!.profiles);
    expect(profiled.sort()).toEqual([...CLUSTER_NODES, 'redis-cluster-init'].sort());
    for (const name of profiled) expect(s[name]!.profiles).toEqual(['cluster']);
    const volumes = new Set<string>();
    for (const name of CLUSTER_NODES) {
      const node = s[name]!;
      expect(node.image).toBe('redis:7');
      const cmd = node.command!.join(' ');
      expect(cmd).toContain('--port 6379');
      expect(cmd).toContain('--cluster-enabled yes');
      expect(cmd).toContain('--cluster-config-file nodes.conf');
      expect(cmd).toContain('--cluster-node-timeout 5000');
      expect(cmd).toContain('--appendonly yes');
      expect(cmd).toContain('--appendfsync everysec');
      expect(cmd).toContain('--maxmemory-policy noeviction');
      expect(node.healthcheck!.test).toContain('ping');
      expect(node.volumes).toHaveLength(1);
      const volume = node.volumes![0]!.split(':')[0]!;
      expect(volume).not.toBe('redis-data');
      expect(compose.volumes).toHaveProperty(volume);
      volumes.add(volume);
    }
    expect(volumes.size).toBe(CLUSTER_NODES.length);
  });

  it('creates the cluster once all six nodes are healthy: three primaries with a replica each', () => {
    const init = s['redis-cluster-init']!;
    expect(init.depends_on).toEqual(
      Object.fromEntries(CLUSTER_NODES.map(n => [n, { condition: 'service_healthy' }])),
    );
    const script = [...(init.entrypoint ?? []), ...init.command!].join(' ');
    expect(script).toContain('redis-cli --cluster create');
    expect(script).toMatch(/--cluster-replicas 1\b/);
    expect(script).toContain('--cluster-yes');
    // `--cluster create` takes addresses: every node's name is resolved first.
    expect(script).toContain('getent hosts');
    for (const name of CLUSTER_NODES) expect(script).toContain(name);
  });
});
