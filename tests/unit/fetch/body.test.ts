import { Readable } from 'node:stream';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../../src/fetch/body.js';

/** A stream of `buf` in 16 KiB chunks, like a socket would deliver it. */
function chunked(buf: Buffer, size = 16 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

const text = Buffer.from('<p>' + 'newsflow '.repeat(2000) + '</p>');

describe('readBody', () => {
  it.each([
    ['identity', (b: Buffer) => b, undefined],
    ['gzip', gzipSync, 'gzip'],
    ['x-gzip', gzipSync, 'x-gzip'],
    ['deflate (zlib)', deflateSync, 'deflate'],
    ['deflate (raw, no zlib header)', deflateRawSync, 'deflate'],
    ['br', brotliCompressSync, 'br'],
    ['deflate then gzip', (b: Buffer) => gzipSync(deflateSync(b)), 'deflate, gzip'],
  ] as const)('decodes %s', async (_name, encode, header) => {
    const out = await readBody(chunked(encode(text)), {
      contentEncoding: header,
      maxBytes: 1024 * 1024,
      overflow: 'fail',
    });
    expect(out.ok && out.body.equals(text)).toBe(true);
  });

  it('stops a gzip bomb at the decoded cap', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const out = await readBody(chunked(bomb), {
      contentEncoding: 'gzip',
      maxBytes: 1024 * 1024,
      overflow: 'fail',
    });
    expect(out).toMatchObject({ ok: false, class: 'too-large' });
  });

  it('stops compressed bytes that decode to nothing (wire cap)', async () => {
    // 50 000 empty gzip members: a megabyte on the wire, zero bytes decoded.
    const empty = gzipSync(Buffer.alloc(0));
    const wire = Buffer.concat(Array.from({ length: 50_000 }, () => empty));
    const out = await readBody(chunked(wire), {
      contentEncoding: 'gzip',
      maxBytes: 64 * 1024,
      overflow: 'fail',
    });
    expect(out).toMatchObject({ ok: false, class: 'too-large' });
  });

  it('ends at the end of the gzip data and ignores trailing garbage', async () => {
    const wire = Buffer.concat([gzipSync(Buffer.from('x')), Buffer.alloc(1024 * 1024)]);
    const raw = chunked(wire);
    const out = await readBody(raw, { contentEncoding: 'gzip', maxBytes: 64 * 1024, overflow: 'fail' });
    expect(out.ok && out.body.toString()).toBe('x');
    expect(raw.destroyed).toBe(true);
  });

  it('fails an identity body over the cap', async () => {
    const out = await readBody(chunked(Buffer.alloc(100_000)), {
      contentEncoding: undefined,
      maxBytes: 50_000,
      overflow: 'fail',
    });
    expect(out).toMatchObject({ ok: false, class: 'too-large' });
  });

  it('truncates at the cap when asked (robots.txt)', async () => {
    const out = await readBody(chunked(text), {
      contentEncoding: 'gzip',
      maxBytes: 1000,
      overflow: 'truncate',
    });
    expect(out).toMatchObject({ ok: false, class: 'decode' }); // not gzip at all: see next case for truncation
    const ok = await readBody(chunked(gzipSync(text)), {
      contentEncoding: 'gzip',
      maxBytes: 1000,
      overflow: 'truncate',
    });
    expect(ok.ok && ok.truncated && ok.body.length).toBe(1000);
    expect(ok.ok && ok.body.equals(text.subarray(0, 1000))).toBe(true);
  });

  it.each([
    ['garbage labelled gzip', Buffer.from('definitely not gzip'), 'gzip'],
    ['garbage labelled br', Buffer.from('definitely not brotli'), 'br'],
    ['a truncated gzip body', gzipSync(text).subarray(0, 40), 'gzip'],
    ['an unknown coding', text, 'zstd'],
  ])('classifies %s as decode', async (_name, body, header) => {
    const out = await readBody(chunked(body), {
      contentEncoding: header,
      maxBytes: 1024 * 1024,
      overflow: 'fail',
    });
    expect(out).toMatchObject({ ok: false, class: 'decode' });
  });

  it('passes a network error through (the caller classifies it)', async () => {
    const broken = new Readable({
      read() {
        this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      },
    });
    await expect(
      readBody(broken, { contentEncoding: 'gzip', maxBytes: 1024, overflow: 'fail' }),
    ).rejects.toThrow('socket hang up');
  });
});
