import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  checkUrl,
  createAddressPolicy,
  embeddedIPv4,
  InvalidNetworkError,
  parseAddress,
} from '../../../src/fetch/address-policy.js';

/**
 * RFC 6890 §2.2.2 and §2.2.3 (with the IANA special-purpose registries' later entries): every block, first
 * address, last address and one inside. All are refused — also the few the registry calls globally reachable
 * (PCP and TURN anycast, AS112, AMT): infrastructure anycast, never a news site.
 */
const RFC6890 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.0.0/29',
  '192.0.0.8/32',
  '192.0.0.9/32',
  '192.0.0.10/32',
  '192.0.0.170/32',
  '192.0.0.171/32',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '255.255.255.255/32',
  '::1/128',
  '::/128',
  '::ffff:0:0/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001::/32',
  '2001:1::1/128',
  '2001:1::2/128',
  '2001:2::/48',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:30::/28',
  '2001:db8::/32',
  '2002::/16',
  '2620:4f:8000::/48',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
  // Not in the registry but not public either: deprecated IPv4-compatible, SIIT, the rest of ::/8.
  '::/96',
  '::ffff:0:0:0/96',
  '::/8',
  '4000::/3',
];

/** First, last and a middle address of a CIDR. */
function samples(cidr: string): string[] {
  const [net] = ipaddr.parseCIDR(cidr);
  const first =
    net.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  const last =
    net.kind() === 'ipv4'
      ? ipaddr.IPv4.broadcastAddressFromCIDR(cidr)
      : ipaddr.IPv6.broadcastAddressFromCIDR(cidr);
  const bytes = first.toByteArray();
  const lastBytes = last.toByteArray();
  const mid = bytes.map((b, i) => (b + lastBytes[i]!) >> 1);
  return [first.toString(), last.toString(), ipaddr.fromByteArray(mid).toString()];
}

describe('address policy: RFC 6890 special-purpose blocks and every ipaddr.js range', () => {
  const policy = createAddressPolicy([]);
  it.each(RFC6890)('%s is refused (first, middle, last address)', cidr => {
    for (const ip of samples(cidr)) expect(policy.allows(ip), ip).toBe(false);
  });

  const named: [string, string][] = [];
  for (const proto of [ipaddr.IPv4.prototype, ipaddr.IPv6.prototype]) {
    type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
    const ranges = (proto as unknown as { SpecialRanges: Record<string, Range | Range[]> }).SpecialRanges;
    for (const [name, value] of Object.entries(ranges)) {
      const list = (Array.isArray(value[0]) ? value : [value]) as Range[];
      for (const [net, bits] of list) named.push([name, `${net.toString()}/${bits}`]);
    }
  }
  it('knows ipaddr.js ranges', () => expect(named.length).toBeGreaterThan(30));
  it.each(named)('ipaddr.js %s %s is refused', (_name, cidr) => {
    for (const ip of samples(cidr)) expect(policy.allows(ip), ip).toBe(false);
  });

  it.each([
    ['93.184.216.34', true],
    ['1.1.1.1', true],
    ['2606:4700::6810:85e5', true],
    ['2a00:1450:4001:80b::200e', true],
    ['2001:4860:4860::8888', true],
  ])('%s (public) allowed: %s', (ip, allowed) => expect(policy.allows(ip)).toBe(allowed));
});

describe('address policy: IPv6 forms that embed an IPv4 address are refused whatever it is', () => {
  const policy = createAddressPolicy([]);
  // Each form around a loopback, a private and a public IPv4 address.
  const forms: [string, (v4: string) => string][] = [
    ['IPv4-compatible', v4 => `::${v4}`],
    ['IPv4-mapped', v4 => `::ffff:${v4}`],
    ['IPv4-translated (SIIT)', v4 => `::ffff:0:${v4}`],
    ['NAT64', v4 => `64:ff9b::${v4}`],
    ['NAT64 local-use', v4 => `64:ff9b:1::${v4}`],
    [
      '6to4',
      v4 => {
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
        return `2002:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}::1`;
      },
    ],
    [
      'Teredo',
      v4 => {
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
        return `2001:0:4136:e378:8000:63bf:${(((a << 8) | b) ^ 0xffff).toString(16)}:${(((c << 8) | d) ^ 0xffff).toString(16)}`;
      },
    ],
    ['ISATAP', v4 => `2606:4700:1::5efe:${v4}`],
    ['ISATAP', v4 => `2606:4700:1::200:5efe:${v4}`],
  ];
  const cases: [string, string, string][] = [];
  for (const [form, make] of forms) {
    for (const v4 of ['127.0.0.1', '10.1.2.3', '8.8.8.8']) cases.push([make(v4), form, v4]);
  }
  it.each(cases)('%s (%s of %s) is refused and named', (ip, form, v4) => {
    expect(policy.allows(ip)).toBe(false);
    const parsed = parseAddress(ip) as ipaddr.IPv6;
    expect(embeddedIPv4(parsed)).toEqual({ form, ipv4: v4 });
    expect(policy.rangeOf(ip)).toBe(`${form} (embeds ${v4})`);
  });

  it('names loopback and unspecified as such, not as IPv4-compatible', () => {
    expect(policy.rangeOf('::1')).toBe('loopback');
    expect(policy.rangeOf('::')).toBe('unspecified');
    expect(policy.rangeOf('::7f00:1')).toBe('IPv4-compatible (embeds 127.0.0.1)');
  });
});

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
    ['::127.0.0.1', false],
    ['::7f00:1', false],
    ['::8.8.8.8', false],
    ['::ffff:0:127.0.0.1', false],
    ['64:ff9b:1::7f00:1', false],
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
    ['http://[::127.0.0.1]/', 'ssrf'],
    ['http://[::7f00:1]/', 'ssrf'],
    ['http://[::ffff:0:127.0.0.1]/', 'ssrf'],
    ['http://[64:ff9b::127.0.0.1]/', 'ssrf'],
    ['http://[2002:7f00:1::1]/', 'ssrf'],
    ['http://[fe80::5efe:127.0.0.1]/', 'ssrf'],
    ['http://169.254.169.254/latest/meta-data/', 'ssrf'],
    ['http://0.0.0.0/', 'ssrf'],
    ['http://8.8.8.8/', undefined],
    // Names are judged after DNS, in the guarded lookup.
    ['http://localhost/', undefined],
  ])('%s → %s', (url, blockedBy) => {
    expect(checkUrl(new URL(url), policy, ports)?.blockedBy).toBe(blockedBy);
  });
});
