import { afterEach, describe, expect, it } from 'vitest';
import {
  ARTICLE_SCHEMA_VERSION,
  normalizeArticle,
  type ArticleEnvelope,
} from '../../../src/dedupe/article.js';
import { contentKeys } from '../../../src/dedupe/fingerprint.js';
import { DEFAULT_DEDUPE, fingerprintSettings } from '../../../src/dedupe/story.js';
import { extractArticle } from '../../../src/extract/extract.js';
import { createExtractPool, ExtractTaskError, type ExtractPool } from '../../../src/extract/pool.js';
import { decodeBody, encodeBody } from '../../../src/store/body.js';

const URL_ = 'https://harbor.example/2024/05/cranes.html';
const NOW = Date.parse('2024-06-01T00:00:00Z');

function page(paragraphs: number, title = 'Electric cranes arrive'): string {
  const body = Array.from(
    { length: paragraphs },
    (_, i) =>
      `<p>Paragraph ${i}: the port authority approved twelve electric cranes, saying they would cut diesel ` +
      `use by a third and night noise by half, and that the rail link would follow within two years.</p>`,
  ).join('');
  return `<!DOCTYPE html><html lang="en"><head><title>${title}</title></head><body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>${body}</article></body></html>`;
}

let pool: ExtractPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('extraction pool (worker threads)', () => {
  it('returns what in-process extraction returns, for many pages at once, in any order of completion', async () => {
    pool = createExtractPool({ size: 2, now: () => NOW });
    const inputs = Array.from({ length: 8 }, (_, i) => ({ html: page(4 + i, `Story ${i}`), url: URL_ }));
    const p = pool;
    const results = await Promise.all(inputs.map(input => p.extract(input)));
    results.forEach((r, i) => {
      const local = extractArticle(inputs[i] as (typeof inputs)[number], { now: () => NOW });
      expect(r?.outcome).toEqual(local);
      expect(r?.outcome.kind === 'article' && r.outcome.article.title).toBe(`Story ${i}`);
    });
  });

  it('computes an article’s content keys in the thread when asked: the same as on the event loop', async () => {
    pool = createExtractPool({ size: 1, now: () => NOW });
    const settings = fingerprintSettings(DEFAULT_DEDUPE);
    const r = await pool.extract({ html: page(6), url: URL_ }, { keys: settings });
    if (r.outcome.kind !== 'article') throw new Error(`expected an article, got ${r.outcome.kind}`);
    expect(r.keys).toEqual(contentKeys(r.outcome.article.contentText, settings));
    expect(r.keys?.fingerprint.signature).toBeInstanceOf(Uint32Array);
    expect(r.keys?.paragraphs.length).toBeGreaterThan(0);
    expect((await pool.extract({ html: page(6), url: URL_ })).keys).toBeUndefined();
  });

  it('encodes the stored body in the thread when given the envelope: the bytes the event loop would write', async () => {
    pool = createExtractPool({ size: 1, now: () => NOW });
    const envelope: ArticleEnvelope = {
      id: 'a1',
      url: URL_,
      finalUrl: URL_,
      urlKey: 'harbor.example/2024/05/cranes.html',
      feed: { id: 'harbor', url: 'https://harbor.example/feed' },
      fetchedAt: '2024-06-01T00:00:00.000Z',
      schemaVersion: ARTICLE_SCHEMA_VERSION,
    };
    const r = await pool.extract({ html: page(6), url: URL_ }, { envelope });
    if (r.outcome.kind !== 'article') throw new Error(`expected an article, got ${r.outcome.kind}`);
    const article = normalizeArticle(r.outcome.article, envelope);
    // A Buffer, not the Uint8Array structured clone delivers: ioredis would send a Uint8Array as its String().
    expect(Buffer.isBuffer(r.body)).toBe(true);
    expect(r.body?.equals(encodeBody(article))).toBe(true);
    expect(decodeBody(r.body as Buffer)).toEqual(article);
    expect((await pool.extract({ html: page(6), url: URL_ })).body).toBeUndefined();
  });

  it('refuses an oversized page with class too-large and keeps serving', async () => {
    pool = createExtractPool({ size: 1, maxHtmlChars: 5_000 });
    await expect(pool.extract({ html: page(100), url: URL_ })).rejects.toMatchObject({
      name: 'ExtractTaskError',
      errorClass: 'too-large',
    });
    const ok = await pool.extract({ html: page(3), url: URL_ });
    expect(ok.outcome.kind).toBe('article');
  });

  it('fails a task that overruns its time with class timeout, replaces the thread, and carries on', async () => {
    pool = createExtractPool({ size: 1, taskTimeoutMs: 1 });
    const err = await pool.extract({ html: page(400), url: URL_ }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExtractTaskError);
    expect((err as ExtractTaskError).errorClass).toBe('timeout');
    await pool.close();
    pool = createExtractPool({ size: 1 });
    expect((await pool.extract({ html: page(3), url: URL_ })).outcome.kind).toBe('article');
  });

  it('contains a page that exhausts its thread heap: that task fails, the next one succeeds', async () => {
    pool = createExtractPool({ size: 1, heapMb: 64, taskTimeoutMs: 120_000, maxHtmlChars: 50_000_000 });
    // ~5 MB of tiny elements: far more DOM than 64 MB of heap holds.
    const huge = `<html><body>${'<div><span>x</span></div>'.repeat(200_000)}</body></html>`;
    const err = await pool.extract({ html: huge, url: URL_ }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExtractTaskError);
    expect(['out-of-memory', 'worker-crashed']).toContain((err as ExtractTaskError).errorClass);
    expect((await pool.extract({ html: page(3), url: URL_ })).outcome.kind).toBe('article');
  }, 150_000);

  it('rejects work after close', async () => {
    const p = createExtractPool({ size: 1 });
    await p.close();
    await expect(p.extract({ html: page(3), url: URL_ })).rejects.toMatchObject({ errorClass: 'closed' });
  });
});
