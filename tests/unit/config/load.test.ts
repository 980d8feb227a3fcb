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

  it('memory watermarks: defaults 0.85 / 0.75; a low watermark not below the high one is refused', () => {
    const ok = loadConfig(configDir('', 'feeds: []\n'), { env: {} });
    expect(ok.service.memory).toEqual({ highWatermark: 0.85, lowWatermark: 0.75, checkInterval: 1000 });
    const problems = problemsOf(() =>
      loadConfig(configDir('memory:\n  highWatermark: 0.7\n  lowWatermark: 0.8\n', 'feeds: []\n'), {
        env: {},
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/memory.*lowWatermark must be below memory\.highWatermark/),
    ]);
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

describe('loadConfig: config that would be accepted but wrong (issue 13 item 7)', () => {
  it('a newsflow.yaml that is a list or a bare word is an error, not every default', () => {
    for (const text of ['- redis\n- poller\n', 'redis\n', '42\n']) {
      const problems = problemsOf(() => loadConfig(configDir(text, 'feeds: []\n'), { env: {} }));
      expect(problems, text).toEqual([
        expect.stringMatching(
          /^newsflow\.yaml: : the top level must be a mapping of sections .*found a (list|string|number)/,
        ),
      ]);
    }
    for (const text of ['- id: a\n  url: https://a.example/f\n', 'feeds\n']) {
      const problems = problemsOf(() => loadConfig(configDir('', text), { env: {} }));
      expect(problems, text).toEqual([
        expect.stringMatching(
          /^feeds\.yaml: : the top level must be a mapping with a "feeds" list.*found a (list|string)/,
        ),
      ]);
    }
  });

  it('durations need a unit: a bare number is rejected naming the key and suggesting units; 0 stays 0', () => {
    const problems = problemsOf(() =>
      loadConfig(
        configDir(
          'fetch:\n  timeout: 20\npoller:\n  tick: 300000\n',
          'feeds:\n  - {id: a, url: "https://a.example/f", interval: 90}\n',
        ),
        { env: {} },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^newsflow\.yaml: fetch\.timeout: 20 has no unit: write 20s, 20ms/),
        expect.stringMatching(/^newsflow\.yaml: poller\.tick: 300000 has no unit/),
        expect.stringMatching(/^feeds\.yaml: feeds\[0\] \(id "a"\)\.interval: 90 has no unit/),
      ]),
    );
    expect(problems).toHaveLength(3);
    const cfg = loadConfig(
      configDir('fetch:\n  timeout: 20s\n  politeness:\n    interval: 0\n', 'feeds: []\n'),
      { env: {} },
    );
    expect(cfg.service.fetch.timeout).toBe(20_000);
    expect(cfg.service.fetch.politeness.interval).toBe(0);
  });

  it('the same feed URL under two ids is rejected', () => {
    const dir = configDir(
      '',
      'feeds:\n  - {id: a, url: "https://a.example/f"}\n  - {id: b, url: "https://A.example/f#top"}\n',
    );
    expect(problemsOf(() => loadConfig(dir, { env: {} }))).toEqual([
      'feeds.yaml: feeds[1] (id "b").url: same URL as feeds[0] (id "a"); a feed is listed once',
    ]);
  });

  it('a duplicate id is reported together with every other problem', () => {
    const dir = configDir(
      'fetch:\n  timeout: soon\n',
      'feeds:\n  - {id: a, url: "https://a.example/f"}\n  - {id: a, url: "https://b.example/f"}\n  - {id: c, url: "nope"}\n',
    );
    const problems = problemsOf(() => loadConfig(dir, { env: {} }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^newsflow\.yaml: fetch\.timeout: /),
        'feeds.yaml: feeds[1] (id "a").id: duplicate id; feeds[0] already uses it',
        expect.stringMatching(/^feeds\.yaml: feeds\[2\] \(id "c"\)\.url: /),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('NEWSFLOW_KEY_PREFIX sets the prefix; the old NEWSFLOW_PREFIX still works with a deprecation warning', () => {
    const warnings: string[] = [];
    const warn = (m: string): number => warnings.push(m);
    expect(loadConfig('config', { env: { NEWSFLOW_KEY_PREFIX: 'kp' }, warn }).service.redis.keyPrefix).toBe(
      'kp',
    );
    expect(warnings).toEqual([]);
    expect(loadConfig('config', { env: { NEWSFLOW_PREFIX: 'old' }, warn }).service.redis.keyPrefix).toBe(
      'old',
    );
    expect(warnings).toEqual([expect.stringMatching(/NEWSFLOW_PREFIX is deprecated.*NEWSFLOW_KEY_PREFIX/)]);
    // Both set: the current name wins.
    expect(
      loadConfig('config', { env: { NEWSFLOW_PREFIX: 'old', NEWSFLOW_KEY_PREFIX: 'new' }, warn }).service
        .redis.keyPrefix,
    ).toBe('new');
  });
});
