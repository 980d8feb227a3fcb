import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

function configDir(service: string, feeds: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nf-config-'));
  writeFileSync(join(dir, 'newsflow.yaml'), service);
  writeFileSync(join(dir, 'feeds.yaml'), feeds);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map(p => `${p.file}: ${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads the shipped config with defaults filled in and frozen', () => {
    const cfg = loadConfig('config', { env: {} });
    expect(cfg.service.redis.keyPrefix).toBe('newsflow');
    expect(cfg.service.fetch.allowNetworks).toEqual([]);
    expect(cfg.service.poller.defaultInterval).toBe(3_600_000);
    expect(Object.isFrozen(cfg.service.fetch)).toBe(true);
    expect(() => {
      (cfg.service.fetch as { timeout: number }).timeout = 1;
    }).toThrow(TypeError);
  });

  it('ships a newsflow.yaml whose values are exactly the defaults (the file documents them)', () => {
    const shipped = loadConfig('config', { env: {} });
    const defaults = loadConfig(configDir('', 'feeds: []\n'), { env: {} });
    expect(shipped.service).toEqual(defaults.service);
  });

  it('fills every default from an empty service file', () => {
    const cfg = loadConfig(configDir('', 'feeds: []\n'), { env: {} });
    expect(cfg.service.extractor.concurrency).toBe(4);
    expect(cfg.service.fetch.maxBytes.page).toBe(3 * 1024 * 1024);
    expect(cfg.feeds).toEqual([]);
  });

  it('reports every problem at once, naming the file, the entry and the field', () => {
    const dir = configDir(
      'poller:\n  concurrency: 0\nfetch:\n  timeout: soon\n  bogus: 1\n',
      [
        'feeds:',
        '  - id: good',
        '    url: https://example.com/feed.xml',
        '  - id: markets',
        '    url: not a url',
        '  - id: Bad Id',
        '    url: ftp://example.com/feed',
        '  - id: good',
        '    url: https://example.org/rss',
        '    enabled: sometimes',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig(dir, { env: {} }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^newsflow\.yaml: poller\.concurrency: /),
        expect.stringMatching(/^newsflow\.yaml: fetch\.timeout: .*duration/),
        expect.stringMatching(/^newsflow\.yaml: fetch: .*bogus/),
        expect.stringMatching(/^feeds\.yaml: feeds\[1\] \(id "markets"\)\.url: /),
        expect.stringMatching(/^feeds\.yaml: feeds\[2\] \(id "Bad Id"\)\.id: /),
        expect.stringMatching(/^feeds\.yaml: feeds\[2\] \(id "Bad Id"\)\.url: only http and https/),
        expect.stringMatching(/^feeds\.yaml: feeds\[3\] \(id "good"\)\.enabled: /),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(7);
  });

  it('reports duplicate feed ids', () => {
    const dir = configDir(
      '',
      'feeds:\n  - {id: a, url: "https://a.example/f"}\n  - {id: a, url: "https://b.example/f"}\n',
    );
    expect(problemsOf(() => loadConfig(dir, { env: {} }))).toEqual([
      'feeds.yaml: feeds[1] (id "a").id: duplicate id; feeds[0] already uses it',
    ]);
  });

  it('reports YAML syntax errors and missing files with the file name', () => {
    const dir = configDir('redis: [unclosed\n', 'feeds: []\n');
    expect(problemsOf(() => loadConfig(dir, { env: {} }))[0]).toMatch(/^newsflow\.yaml: : YAML: /);
    expect(problemsOf(() => loadConfig(join(dir, 'nope'), { env: {} }))).toEqual([
      expect.stringMatching(/^newsflow\.yaml: : cannot read/),
      expect.stringMatching(/^feeds\.yaml: : cannot read/),
    ]);
  });

  it('applies environment overrides and names the variable when one is bad', () => {
    const cfg = loadConfig('config', {
      env: {
        REDIS_URL: 'redis://10.0.0.5:6380/2',
        NEWSFLOW_LOG_LEVEL: 'debug',
        NEWSFLOW_CONCURRENCY: '7',
        NEWSFLOW_FETCH_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128',
      },
    });
    expect(cfg.service.redis.url).toBe('redis://10.0.0.5:6380/2');
    expect(cfg.service.log.level).toBe('debug');
    expect(cfg.service.extractor.concurrency).toBe(7);
    expect(cfg.service.fetch.allowNetworks).toEqual(['127.0.0.0/8', '::1/128']);

    const problems = problemsOf(() =>
      loadConfig('config', { env: { NEWSFLOW_CONCURRENCY: 'many', NEWSFLOW_LOG_LEVEL: 'loud' } }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^newsflow\.yaml \(via NEWSFLOW_CONCURRENCY\): extractor\.concurrency: /),
        expect.stringMatching(/^newsflow\.yaml \(via NEWSFLOW_LOG_LEVEL\): log\.level: /),
      ]),
    );
  });
});
