import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * WebSub content signatures (W3C WebSub §8): `X-Hub-Signature: method=hexdigest`, an HMAC of the raw body with
 * the subscription's secret. sha1 is what PubSubHubbub 0.4 hubs send; the spec also allows sha256/384/512.
 */
const METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export type SignatureVerdict = 'valid' | 'missing' | 'invalid' | 'unsupported';

export function sign(body: Buffer | string, secret: string, method = 'sha256'): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}

export function verifySignature(header: string | undefined, body: Buffer, secret: string): SignatureVerdict {
  if (!header) return 'missing';
  const m = /^\s*(sha1|sha256|sha384|sha512)=([0-9a-fA-F]+)\s*$/.exec(header);
  if (!m) {
    return /^\s*[\w-]+=/.test(header) && !METHODS.has(header.split('=')[0]!.trim())
      ? 'unsupported'
      : 'invalid';
  }
  const expected = createHmac(m[1]!, secret).update(body).digest();
  const given = Buffer.from(m[2]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}
