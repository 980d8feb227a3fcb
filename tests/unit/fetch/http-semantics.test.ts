import { describe, expect, it } from 'vitest';
import {
  acceptsContentType,
  judgeStatus,
  parseContentType,
  parseRetryAfter,
} from '../../../src/fetch/http-semantics.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const H48 = 48 * 3_600_000;

describe('judgeStatus', () => {
  it.each([
    [200, undefined, { kind: 'ok' }],
    [204, undefined, { kind: 'ok' }],
    [304, undefined, { kind: 'not-modified' }],
    [301, undefined, { kind: 'redirect' }],
    [308, undefined, { kind: 'redirect' }],
    [300, undefined, { kind: 'http', retryable: false }],
    [404, undefined, { kind: 'http', retryable: false }],
    [410, undefined, { kind: 'http', retryable: false }],
    [408, undefined, { kind: 'http', retryable: true }],
    [500, undefined, { kind: 'http', retryable: true }],
    [503, undefined, { kind: 'http', retryable: true }],
    [429, undefined, { kind: 'rate-limited', retryAfterMs: 60_000 }],
    [429, '120', { kind: 'rate-limited', retryAfterMs: 120_000 }],
    [503, '30', { kind: 'rate-limited', retryAfterMs: 30_000 }],
    [429, '999999', { kind: 'rate-limited', retryAfterMs: H48 }],
  ] as const)('%i (Retry-After %j)', (status, retryAfter, expected) => {
    expect(judgeStatus(status, retryAfter, NOW, H48)).toEqual(expected);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    [' 15 ', 15_000],
    ['Wed, 25 Nov 2026 12:01:00 GMT', 60_000],
    ['Wed, 25 Nov 2026 11:00:00 GMT', 0],
    ['Fri, 25 Dec 2026 12:00:00 GMT', H48],
    ['soon', undefined],
    ['-5', undefined],
  ])('%j → %j', (value, ms) => {
    expect(parseRetryAfter(value, NOW, H48)).toBe(ms);
  });
});

describe('content types', () => {
  it.each([
    ['text/html; charset=UTF-8', { mime: 'text/html', charset: 'UTF-8' }],
    ['Application/RSS+XML', { mime: 'application/rss+xml' }],
    ['text/xml; foo=bar; charset="windows-1251"', { mime: 'text/xml', charset: 'windows-1251' }],
    ['text/html; charset=', { mime: 'text/html' }],
    [undefined, { mime: '' }],
  ])('%j', (header, expected) => {
    expect(parseContentType(header)).toEqual(expected);
  });

  it.each([
    ['feed', 'application/rss+xml', true],
    ['feed', 'application/atom+xml', true],
    ['feed', 'application/rdf+xml', true],
    ['feed', 'text/xml', true],
    ['feed', 'application/feed+json', true],
    ['feed', 'text/html', true],
    ['feed', '', true],
    ['feed', 'image/png', false],
    ['feed', 'application/pdf', false],
    ['page', 'text/html', true],
    ['page', 'application/xhtml+xml', true],
    ['page', 'application/pdf', false],
    ['page', 'image/jpeg', false],
    ['page', 'application/rss+xml', false],
    ['robots', 'text/html', true],
    ['robots', 'image/png', true],
  ] as const)('%s accepts %j: %s', (kind, mime, ok) => {
    expect(acceptsContentType(kind, mime)).toBe(ok);
  });
});
