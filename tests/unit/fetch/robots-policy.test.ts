import { describe, expect, it } from 'vitest';
import { robotsPolicyFor, userAgentToken } from '../../../src/fetch/robots.js';
import type { FetchFailure, FetchResult } from '../../../src/fetch/types.js';

const failure = (cls: FetchFailure['class'], status?: number): FetchResult => ({
  ok: false,
  class: cls,
  reason: 'r',
  url: 'http://x/robots.txt',
  retryable: false,
  redirects: [],
  ...(status !== undefined ? { status } : {}),
});

describe('RFC 9309 error policy', () => {
  it.each([
    ['http', 404, 'allow-all'],
    ['http', 403, 'allow-all'],
    ['http', 401, 'allow-all'],
    ['http', 410, 'allow-all'],
    ['http', 500, 'disallow-all'],
    ['http', 502, 'disallow-all'],
    ['rate-limited', 429, 'disallow-all'],
    ['rate-limited', 503, 'disallow-all'],
    ['too-many-redirects', undefined, 'allow-all'],
    ['redirect-loop', undefined, 'allow-all'],
    ['network', undefined, 'disallow-all'],
    ['timeout', undefined, 'disallow-all'],
    ['blocked', undefined, 'disallow-all'],
    ['decode', undefined, 'disallow-all'],
  ] as const)('%s %s → %s', (cls, status, policy) => {
    expect(robotsPolicyFor(failure(cls, status)).policy).toBe(policy);
  });

  it('a 2xx is parsed for its rules', () => {
    const ok: FetchResult = {
      ok: true,
      status: 200,
      url: 'http://x/robots.txt',
      finalUrl: 'http://x/robots.txt',
      redirects: [],
      headers: {},
      body: Buffer.from(''),
      text: '',
      charset: 'utf-8',
      charsetSource: 'utf8-valid',
      timings: { startedAt: 0, headersMs: 0, totalMs: 0 },
    };
    expect(robotsPolicyFor(ok).policy).toBe('rules');
  });
});

describe('userAgentToken', () => {
  it.each([
    ['newsflow/0.1 (+https://github.com/newsflow/newsflow)', 'newsflow'],
    ['NewsFlow-Bot/2', 'newsflow-bot'],
    ['  acme_crawler ', 'acme_crawler'],
    ['(weird)', 'newsflow'],
  ])('%j → %s', (ua, token) => {
    expect(userAgentToken(ua)).toBe(token);
  });
});
