import { pipeline, Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw, gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/**
 * Reads a response body through its Content-Encoding decoders and counts the *decoded* bytes, stopping the
 * moment the cap is passed: a 200 KB gzip bomb costs at most `cap` bytes of memory, never 200 MB. Destroying the
 * stream aborts the request, so the server stops sending too.
 */
export type BodyOutcome =
  | { ok: true; body: Buffer; truncated: boolean }
  | { ok: false; class: 'too-large' | 'decode'; reason: string };

export interface ReadBodyOptions {
  /** The Content-Encoding header as sent. */
  contentEncoding: string | undefined;
  /** Decoded-byte cap. */
  maxBytes: number;
  /** `truncate` keeps the first `maxBytes` (robots.txt); `fail` ends as `too-large`. */
  overflow: 'fail' | 'truncate';
}

/** Compressed bodies may not be much bigger on the wire than decoded; past this slack it is not compression. */
const WIRE_SLACK = 64 * 1024;

class TooLargeSignal extends Error {}

export async function readBody(raw: Readable, opts: ReadBodyOptions): Promise<BodyOutcome> {
  const encodings = (opts.contentEncoding ?? '')
    .split(',')
    .map(e => e.trim().toLowerCase())
    .filter(e => e !== '' && e !== 'identity');
  const unknown = encodings.find(e => !['gzip', 'x-gzip', 'deflate', 'br'].includes(e));
  if (unknown) {
    raw.destroy();
    return { ok: false, class: 'decode', reason: `unsupported content-encoding "${unknown}"` };
  }

  let decoderError: Error | undefined;
  let stream: Readable = raw;
  if (encodings.length > 0) {
    // Raw deflate (no zlib header) is still sent by some servers for `deflate`; peek to tell them apart.
    const outermost = encodings[encodings.length - 1];
    const first = outermost === 'deflate' ? await peekFirstByte(raw) : undefined;
    let wire = 0;
    const wireCap = opts.maxBytes + WIRE_SLACK;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        wire += chunk.length;
        if (wire > wireCap) cb(new TooLargeSignal());
        else cb(null, chunk);
      },
    });
    const decoders = [...encodings].reverse().map((e, i) => {
      const d =
        e === 'br'
          ? createBrotliDecompress()
          : e === 'deflate'
            ? i === 0 && first !== undefined && (first & 0x0f) !== 8
              ? createInflateRaw()
              : createInflate()
            : createGunzip();
      d.on('error', err => {
        if (isCodecError(err)) decoderError ??= err;
      });
      return d;
    });
    // pipeline() wires errors and destruction through every stage; the callback is only needed to silence it.
    stream = pipeline([raw, counter, ...decoders], () => undefined) as unknown as Readable;
  }

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (size + buf.length > opts.maxBytes) {
        if (opts.overflow === 'truncate') {
          chunks.push(buf.subarray(0, opts.maxBytes - size));
          size = opts.maxBytes;
          stream.destroy();
          raw.destroy();
          return { ok: true, body: Buffer.concat(chunks, size), truncated: true };
        }
        stream.destroy();
        raw.destroy();
        return tooLarge(opts.maxBytes);
      }
      chunks.push(buf);
      size += buf.length;
    }
  } catch (err) {
    raw.destroy();
    if (err instanceof TooLargeSignal) return tooLarge(opts.maxBytes);
    if (decoderError) {
      return {
        ok: false,
        class: 'decode',
        reason: `invalid ${encodings.join(', ')} body: ${decoderError.message}`,
      };
    }
    throw err;
  }
  // A decoder may end before the wire does (trailing garbage): stop receiving the rest.
  if (!raw.readableEnded) raw.destroy();
  return { ok: true, body: Buffer.concat(chunks, size), truncated: false };
}

/** zlib (`Z_DATA_ERROR`…) and brotli (`ERR__ERROR_FORMAT_…`) failures, not errors passed down the pipeline. */
function isCodecError(err: Error): boolean {
  const e = err as NodeJS.ErrnoException;
  return typeof e.errno === 'number' && e.syscall === undefined && /^(Z_|ERR__)/.test(e.code ?? '');
}

function tooLarge(maxBytes: number): BodyOutcome {
  return { ok: false, class: 'too-large', reason: `body exceeds ${maxBytes} bytes (decoded)` };
}

/** The first byte of a stream, put back so the stream still yields everything. */
function peekFirstByte(stream: Readable): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) return;
      done();
      stream.unshift(chunk);
      resolve(chunk[0]);
    };
    const onEnd = (): void => {
      done();
      resolve(undefined);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

/**
 * A body that is itself a gzip file (a `sitemap.xml.gz`, served as application/gzip rather than with a
 * Content-Encoding): decoded under the same decoded-byte cap, so a gzip bomb costs at most `maxBytes`.
 */
export async function gunzipFile(body: Buffer, maxBytes: number): Promise<BodyOutcome> {
  try {
    return { ok: true, body: await gunzipAsync(body, { maxOutputLength: maxBytes }), truncated: false };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e instanceof RangeError || e.code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes);
    return { ok: false, class: 'decode', reason: `invalid gzip file: ${e.message}` };
  }
}

/** gzip's magic number (RFC 1952 §2.3.1). */
export function isGzip(body: Buffer): boolean {
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
}
