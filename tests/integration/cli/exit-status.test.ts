import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/store/redis-server.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';
import { testPrefix } from '../../helpers/redis.js';

/**
 * Issue 13 (2): one exit status per outcome, for every command — 0 done, 1 an input failed (its line says
 * why), 2 usage or setup (one line naming what is wrong), 3 a resource budget (tests/unit/cli/exit.test.ts).
 */
describe('CLI exit statuses', { timeout: 300_000 }, () => {
  let work: string;
  let dir: string;
  let deadUrl: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'nf-exit-'));
    // A port nothing listens on: connecting is refused at once.
    deadUrl = `redis://127.0.0.1:${await freePort()}`;
    dir = writeConfigDir({ redis: { keyPrefix: testPrefix('exit') } }, [
      { id: 'one', url: 'https://example.org/feed.xml' },
    ]);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('extract: 0 when every input was extracted, 1 when one failed, with its line saying why', async () => {
    const good = resolve('tests/fixtures/pages/wp-boilerplate/source.html');
    const url = (
      JSON.parse(readFileSync(resolve('tests/fixtures/pages/wp-boilerplate/expected.json'), 'utf8')) as {
        url: string;
      }
    ).url;
    const ok = await runCli(['extract', '--url', url, good]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');

    const missing = join(work, 'missing.html');
    const some = await runCli(['extract', '--threads', '1', '--url', url, good, missing]);
    expect(some.code).toBe(1);
    const lines = some.stdout
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as { input: string; error?: { class: string; message: string } });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.error).toBeUndefined();
    expect(lines[1]).toEqual({ input: missing, error: { class: 'read', message: 'no such file' } });
    expect(some.stderr).toBe('newsflow extract: 1 of 2 inputs failed\n');

    const none = await runCli(['extract', missing]);
    expect(none.code).toBe(1);
  });

  it('usage errors exit 2 with one line: unknown option, bad option value, a group without its command', async () => {
    for (const args of [
      ['status', '--bogus'],
      ['tail', '--count', 'many'],
      ['export', '--since', 'last tuesday'],
      ['tail', '--from', 'yesterday'],
      ['feeds'],
      ['extract'],
      ['parse-feed', '--base-url', 'nope', 'x.xml'],
    ]) {
      const r = await runCli([...args, '--config', dir], { REDIS_URL: deadUrl });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('an unreachable REDIS_URL is one line naming it and the reason, exit 2, for every command that needs Redis', async () => {
    const empty = join(work, 'nothing.opml');
    writeFileSync(empty, '<opml version="2.0"><body/></opml>');
    for (const args of [
      ['status'],
      ['feeds', 'list'],
      ['feeds', 'enable', 'one'],
      ['tail', '--count', '1'],
      ['export'],
      ['articles', 'get', 'abc'],
      ['stories', 'get', 'abc'],
      ['stories', 'export'],
      ['run', '--once'],
      ['start', '--role', 'poller'],
      ['demo'],
    ]) {
      const r = await runCli([...args, '--config', dir], { REDIS_URL: deadUrl });
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({
        args,
        code: 2,
        stderr: `newsflow: cannot reach Redis at ${deadUrl}: ECONNREFUSED\n`,
      });
      expect(r.stdout).toBe('');
    }
  });

  it('a password in REDIS_URL is not printed', async () => {
    const withPassword = deadUrl.replace('redis://', 'redis://user:s3cret@');
    const r = await runCli(['status', '--config', dir], { REDIS_URL: withPassword });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `newsflow: cannot reach Redis at ${deadUrl.replace('redis://', 'redis://user:***@')}: ECONNREFUSED\n`,
    );
  });

  it('--help states the exit statuses; --version prints the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /Exit status[\s\S]*0 {2}done[\s\S]*1 {2}an input failed[\s\S]*2 {2}usage or setup/,
    );
    expect(help.stdout).toMatch(/3 {2}a resource budget/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(
      `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`,
    );
  });
});
