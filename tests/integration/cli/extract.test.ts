import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHtmlFile } from '../../../src/cli/commands/extract.js';
import { runCli, writeConfigDir } from '../../helpers/cli.js';

const PAGES = resolve('tests/fixtures/pages');
const page = (slug: string): string => join(PAGES, slug, 'source.html');
const specUrl = (slug: string): string =>
  (JSON.parse(readFileSync(join(PAGES, slug, 'expected.json'), 'utf8')) as { url: string }).url;

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map(l => JSON.parse(l) as Record<string, unknown>);
}

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'newsflow-extract-'));
  server = createServer((req, res) => {
    if (req.url === '/wall') {
      res.writeHead(403, { 'content-type': 'text/html', 'cf-mitigated': 'challenge' });
      res.end('<title>Just a moment...</title>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(readFileSync(page('wp-boilerplate')));
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>(done => server.close(() => done()));
});

describe('newsflow extract', () => {
  it('prints one JSON line per input, in input order, articles and errors alike', async () => {
    const gz = join(dir, 'wp.html.gz');
    writeFileSync(gz, gzipSync(readFileSync(page('wp-boilerplate'))));
    const r = await runCli([
      'extract',
      '--threads',
      '2',
      page('section-front'),
      join(dir, 'missing.html'),
      gz,
      page('consent-wall'),
    ]);
    // Three of the four inputs are not articles: exit 1, and each of their lines says why.
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('newsflow extract: 3 of 4 inputs failed\n');
    const out = lines(r.stdout);
    expect(out.map(l => l.input)).toEqual([
      page('section-front'),
      join(dir, 'missing.html'),
      gz,
      page('consent-wall'),
    ]);
    expect(out[0]?.error).toMatchObject({ class: 'not-an-article' });
    expect(out[1]?.error).toEqual({ class: 'read', message: 'no such file' });
    expect(out[2]).toMatchObject({ contentSource: 'page', access: 'free' });
    expect(String(out[2]?.contentText)).toContain('The Tidewater ferry will run a late crossing');
    expect(out[3]?.error).toMatchObject({ class: 'interstitial' });
    expect(String((out[3]?.error as { message: string }).message)).toMatch(/^consent-wall: /);
  });

  it('--explain lists every removed and kept block with the rule or the classifier evidence', async () => {
    const r = await runCli(['extract', '--explain', page('wp-boilerplate'), page('section-front')]);
    expect(r.code).toBe(1); // section-front is not an article: an input failed
    const [article, skipped] = lines(r.stdout);
    const explain = article?.explain as {
      decision: string;
      by: string;
      p?: number;
      evidence?: Record<string, number>;
      text: string;
    }[];
    // The newsletter box went by the class rule; the story's paragraphs stayed, each with its evidence.
    const newsletter = explain.find(e => e.text.includes('newsletter'));
    expect(newsletter).toMatchObject({ decision: 'remove', by: 'rule:class' });
    const kept = explain.filter(e => e.decision === 'keep');
    expect(kept.map(e => e.text).join('\n')).toContain('The Tidewater ferry will run a late crossing');
    for (const e of kept) {
      expect(e.p).toBeGreaterThanOrEqual(0);
      expect(Object.keys(e.evidence ?? {}).length).toBeGreaterThan(0);
    }
    // What was kept is what the article's text holds.
    for (const e of kept) expect(String(article?.contentText)).toContain(e.text.slice(0, 60));
    expect(skipped?.explain).toBeUndefined();
  });

  it('reads a JSONL manifest (paths relative to it, page addresses from it) and fetches URLs', async () => {
    const manifest = join(dir, 'm.jsonl');
    writeFileSync(
      manifest,
      [
        JSON.stringify({ path: page('amp-page'), url: specUrl('amp-page') }),
        JSON.stringify({ url: `${base}/story` }),
        JSON.stringify({ url: `${base}/wall` }),
      ].join('\n'),
    );
    // The fixture server listens on loopback at a random port: let the SSRF guard through for it.
    const port = Number(new URL(base).port);
    const config = writeConfigDir({ fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [port] } }, []);
    const r = await runCli(['--config', config, 'extract', '--manifest', manifest]);
    rmSync(config, { recursive: true, force: true });
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({
      url: specUrl('amp-page'),
      canonicalUrl: 'https://www.quaytimes.example/life/night-market-returns',
    });
    expect(out[1]).toMatchObject({ input: `${base}/story`, contentSource: 'page' });
    // Links in the fetched page are absolute against the address it was fetched from.
    expect(String(out[1]?.contentHtml)).not.toMatch(/href="\//);
    expect(out[2]?.input).toBe(`${base}/wall`);
    expect(out[2]?.error).toBeDefined();
  });

  it('refuses bad usage with exit code 2 and a one-line reason', async () => {
    const r = await runCli(['extract']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give files, URLs or --manifest/);
    const bad = await runCli(['extract', '--dom', 'gecko', page('amp-page')]);
    expect(bad.code).toBe(2);
    const step = await runCli(['extract', '--without', 'nav,navigation', page('amp-page')]);
    expect(step.code).toBe(2);
    expect(step.stderr).toMatch(/--without: no step navigation/);
  });

  it('--without leaves a step out, in process and in the threads alike', async () => {
    // wp-boilerplate's template boxes go by the class rule (its golden expected.json).
    const inputs = [page('wp-boilerplate'), page('wp-boilerplate')];
    const run = async (args: string[]): Promise<string[]> => {
      const r = await runCli(['extract', ...args, ...inputs]);
      expect(r.code).toBe(0);
      return r.stdout
        .trim()
        .split('\n')
        .map(l => String((JSON.parse(l) as { contentText: string }).contentText));
    };
    const all = await run(['--threads', '2']);
    const threads = await run(['--threads', '2', '--without', 'class']);
    const inProcess = await run(['--threads', '1', '--without', 'class']);
    expect(threads).toEqual(inProcess);
    expect(threads[0]?.length).toBeGreaterThan(all[0]?.length ?? 0);
  });
});

describe('decodeHtmlFile', () => {
  it('reads gzip, honours the declared charset, and prefers valid UTF-8 over a stale <meta>', () => {
    const text = '<meta charset="windows-1252"><p>Café — naïve</p>';
    expect(decodeHtmlFile(iconv.encode(text, 'windows-1252'))).toContain('Café — naïve');
    expect(decodeHtmlFile(Buffer.from(text, 'utf8'))).toContain('Café — naïve');
    expect(decodeHtmlFile(gzipSync(Buffer.from(text, 'utf8')))).toContain('Café — naïve');
    const sjis = iconv.encode('<meta charset="shift_jis"><p>東京の天気</p>', 'shift_jis');
    expect(decodeHtmlFile(sjis)).toContain('東京の天気');
  });
});
