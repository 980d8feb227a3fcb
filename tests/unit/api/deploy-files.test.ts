import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDurationMs, serviceSchema } from '../../../src/config/schema.js';

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  container_name?: string;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const s = compose.services;

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
});
