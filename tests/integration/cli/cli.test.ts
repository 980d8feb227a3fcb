import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePorts, startFixtureSite, type FixtureSite } from '../../../src/demo/fixture-site.js';
import { runCli, spawnCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

describe('newsflow CLI', () => {
  let site: FixtureSite;
  let redis: Redis;
  const prefix = testPrefix('cli');

  beforeAll(async () => {
    site = await startFixtureSite();
    redis = testRedis();
  });
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    await site.close();
  });

  const serviceConfig = () => ({
    redis: { url: testRedisUrl(), keyPrefix: prefix },
    log: { level: 'warn' },
    fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: fixturePorts(site) },
    api: { port: 0 },
    shutdown: { grace: '5s' },
  });

  it('describes every command and option in --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['start', 'run', 'demo', '--config']) expect(top.stdout).toContain(cmd);
    const run = await runCli(['run', '--help']);
    for (const opt of ['--once', '--json']) expect(run.stdout).toContain(opt);
    const start = await runCli(['start', '--help']);
    expect(start.stdout).toMatch(/--role <role>.*\n?.*poller.*extractor.*api.*all/s);
  });

  it('fails at start with every config problem listed, exit code 2', async () => {
    const dir = writeConfigDir({ poller: { concurrency: -1 } }, [{ id: 'x', url: 'nope' }]);
    const res = await runCli(['run', '--once', '--config', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('newsflow.yaml: poller.concurrency');
    expect(res.stderr).toContain('feeds.yaml: feeds[0] (id "x").url');
  });

  it('run --once prints a summary; a broken feed is counted there and makes the exit status 1', async () => {
    const dir = writeConfigDir(serviceConfig(), [
      ...site.feeds,
      { id: 'missing', url: `${site.harborOrigin}/no-such-feed.xml` },
    ]);
    const res = await runCli(['run', '--once', '--json', '--config', dir]);
    expect(res.stderr).not.toMatch(/"level":(50|60)/);
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ feedsPolled: 2, feedsFailed: 1, itemsSeen: 3 });
    expect(summary.failures).toEqual({ 'feed:http': 1 });
    expect(await redis.hget(`${prefix}:feed:missing`, 'lastErrorReason')).toMatch(/404/);
  });

  it('start drains on SIGTERM and exits 0', async () => {
    const dir = writeConfigDir({ ...serviceConfig(), log: { level: 'info' } }, site.feeds);
    const child = spawnCli(['start', '--role', 'all', '--config', dir]);
    let out = '';
    child.stdout?.on('data', d => (out += String(d)));
    child.stderr?.on('data', d => (out += String(d)));
    const exited = new Promise<number | null>(done => child.on('exit', code => done(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('newsflow started') && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(out).toContain('newsflow started');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
  });
});
