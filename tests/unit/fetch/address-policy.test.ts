import { describe, expect, it } from 'vitest';
import { checkUrl, createAddressPolicy, InvalidNetworkError } from '../../../src/fetch/address-policy.js';

describe('address policy (allow-list off)', () => {
  const policy = createAddressPolicy([]);
  it.each([
    ['93.184.216.34', true],
    ['8.8.8.8', true],
    ['2606:4700::6810:85e5', true],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['0.0.0.0', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['192.0.2.1', false],
    ['198.18.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::7f00:1', false],
    ['2002:7f00:1::', false],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false],
    ['not-an-ip', false],
  ])('%s allowed: %s', (ip, allowed) => {
    expect(policy.allows(ip)).toBe(allowed);
  });
});

describe('address policy (allow-list)', () => {
  const policy = createAddressPolicy(['127.0.0.0/8', 'fd00::/8']);
  it.each([
    ['127.0.0.1', true],
    ['127.9.9.9', true],
    ['::ffff:127.0.0.1', true],
    ['fd00::5', true],
    ['10.0.0.1', false],
    ['::1', false],
    ['8.8.8.8', true],
  ])('%s allowed: %s', (ip, allowed) => {
    expect(policy.allows(ip)).toBe(allowed);
  });

  it('rejects a malformed CIDR at construction', () => {
    expect(() => createAddressPolicy(['999.0.0.0/8'])).toThrow(InvalidNetworkError);
  });
});

describe('checkUrl', () => {
  const policy = createAddressPolicy([]);
  const ports = [80, 443];
  it.each([
    ['https://example.com/a', undefined],
    ['http://example.com:80/a', undefined],
    ['http://example.com:8080/a', 'port'],
    ['https://example.com:80/', undefined],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://example.com/', 'scheme'],
    ['ftp://example.com/', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    // The WHATWG URL parser normalizes every IPv4 spelling before we look at it.
    ['http://127.0.0.1/', 'ssrf'],
    ['http://2130706433/', 'ssrf'],
    ['http://0x7f000001/', 'ssrf'],
    ['http://017700000001/', 'ssrf'],
    ['http://127.1/', 'ssrf'],
    ['http://0/', 'ssrf'],
    ['http://[::1]/', 'ssrf'],
    ['http://[::ffff:127.0.0.1]/', 'ssrf'],
    ['http://[::ffff:7f00:1]/', 'ssrf'],
    ['http://169.254.169.254/latest/meta-data/', 'ssrf'],
    ['http://0.0.0.0/', 'ssrf'],
    ['http://8.8.8.8/', undefined],
    // Names are judged after DNS, in the guarded lookup.
    ['http://localhost/', undefined],
  ])('%s → %s', (url, blockedBy) => {
    expect(checkUrl(new URL(url), policy, ports)?.blockedBy).toBe(blockedBy);
  });
});
