import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * Which addresses and URLs the fetcher may connect to. Only public unicast addresses pass, decided by rule:
 * - IPv4: ipaddr.js names every special-purpose range of RFC 6890 and its successors (this network,
 *   loopback, private, link-local incl. 169.254.169.254, CGNAT, IETF protocol assignments, documentation,
 *   benchmarking, 6to4 relay, multicast, reserved, broadcast); anything not `unicast` is refused.
 * - IPv6: only global unicast space (2000::/3) can be public, and inside it only what ipaddr.js calls
 *   `unicast` (Teredo, 6to4, documentation, benchmarking, ORCHID, AMT… are not). Every form that embeds an IPv4
 *   address is refused whatever that address is — IPv4-compatible `::a.b.c.d` (::/96, which ipaddr.js calls
 *   unicast: `http://[::127.0.0.1]/`), IPv4-mapped, IPv4-translated (SIIT), NAT64 (64:ff9b::/96,
 *   64:ff9b:1::/48), 6to4, Teredo and ISATAP interface ids (`…:5efe:a.b.c.d` under any prefix): a stack or
 *   a translator on the way may turn them into the IPv4 address inside. NAT64 under a network-specific prefix
 *   cannot be recognised by rule; such networks list that prefix nowhere here and must not route it.
 * The allow-list (CIDRs from `fetch.allowNetworks`) lets tests and the demo reach 127.0.0.1; it is empty in
 * production. An allow-listed IPv4 is also allowed in its IPv4-mapped form (what a dual-stack socket reports).
 */
export interface AddressPolicy {
  allows(ip: string): boolean;
  /** Why an address is refused (the range or form), or `unicast`; for the reason text. */
  rangeOf(ip: string): string;
}

export class InvalidNetworkError extends Error {
  constructor(cidr: string) {
    super(`fetch.allowNetworks: "${cidr}" is not a valid CIDR`);
    this.name = 'InvalidNetworkError';
  }
}

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];

/** IPv6 forms that carry an IPv4 address, in the order they are tested (more specific first). */
const EMBEDDING: readonly { form: string; net: [ipaddr.IPv6, number] }[] = (
  [
    ['IPv4-mapped', '::ffff:0:0', 96],
    ['IPv4-translated (SIIT)', '::ffff:0:0:0', 96],
    ['IPv4-compatible', '::', 96],
    ['NAT64', '64:ff9b::', 96],
    ['NAT64 local-use', '64:ff9b:1::', 48],
    ['6to4', '2002::', 16],
    ['Teredo', '2001::', 32],
  ] as const
).map(([form, ip, bits]) => ({ form, net: [ipaddr.IPv6.parse(ip), bits] }));

function ipv4Of(parts: readonly number[], at: number): string {
  const hi = parts[at]!;
  const lo = parts[at + 1]!;
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The IPv4-embedding form of an IPv6 address and the IPv4 address it carries, if it is one. */
export function embeddedIPv4(addr: ipaddr.IPv6): { form: string; ipv4: string } | undefined {
  const p = addr.parts;
  // :: and ::1 sit inside ::/96 but are the unspecified and loopback addresses, named as such.
  if (addr.range() === 'unspecified' || addr.range() === 'loopback') return undefined;
  for (const { form, net } of EMBEDDING) {
    if (!addr.match(net)) continue;
    if (form === '6to4') return { form, ipv4: ipv4Of(p, 1) };
    if (form === 'Teredo') {
      // RFC 4380: the client's address, bit-inverted, in the last 32 bits.
      return { form, ipv4: ipv4Of([p[6]! ^ 0xffff, p[7]! ^ 0xffff], 0) };
    }
    return { form, ipv4: ipv4Of(p, 6) };
  }
  // RFC 5214 ISATAP interface identifier: 0000:5efe or 0200:5efe (u/g bits may be set) then the IPv4 address.
  if ((p[4]! & 0xfcff) === 0 && p[5] === 0x5efe) return { form: 'ISATAP', ipv4: ipv4Of(p, 6) };
  return undefined;
}

/** Why an address may not be reached without an allow-list entry, or undefined for a public unicast one. */
export function refusalOf(addr: Addr): string | undefined {
  const range = addr.range();
  if (addr instanceof ipaddr.IPv4) return range === 'unicast' ? undefined : range;
  const embedded = embeddedIPv4(addr);
  if (embedded) return `${embedded.form} (embeds ${embedded.ipv4})`;
  if (range !== 'unicast') return range;
  if (!addr.match(GLOBAL_UNICAST)) return 'reserved (outside 2000::/3 global unicast)';
  return undefined;
}

/**
 * An IP address as the operating system reads it. ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d` (mapped);
 * the OS and the WHATWG URL parser read it as IPv4-compatible `::xxxx:xxxx`, so the dotted quad is turned into
 * two hex groups first.
 */
export function parseAddress(ip: string): Addr | undefined {
  const family = isIP(ip);
  if (!family) return undefined;
  let text = ip;
  if (family === 6) {
    const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
    if (quad) {
      const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
      text = `${ip.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
  }
  try {
    return ipaddr.parse(text);
  } catch {
    return undefined;
  }
}

export function createAddressPolicy(allowNetworks: readonly string[]): AddressPolicy {
  const allowed = allowNetworks.map(cidr => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch {
      throw new InvalidNetworkError(cidr);
    }
  });
  const inAllowList = (addr: Addr): boolean =>
    allowed.some(([net, bits]) => addr.kind() === net.kind() && addr.match([net, bits]));
  return {
    allows(ip) {
      const addr = parseAddress(ip);
      if (!addr) return false;
      if (inAllowList(addr)) return true;
      // An allow-listed IPv4 is also allowed in its IPv4-mapped IPv6 form; nothing else mapped is.
      if (addr instanceof ipaddr.IPv6 && addr.isIPv4MappedAddress() && inAllowList(addr.toIPv4Address())) {
        return true;
      }
      return refusalOf(addr) === undefined;
    },
    rangeOf(ip) {
      const addr = parseAddress(ip);
      if (!addr) return 'not an IP address';
      return refusalOf(addr) ?? 'unicast';
    },
  };
}

export type UrlBlock = { blockedBy: 'scheme' | 'port' | 'ssrf'; reason: string };

export function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The hostname without IPv6 brackets: `[::1]` → `::1`. */
export function bareHostname(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * Checks what can be checked before connecting: scheme, port, and IP-literal hosts — a custom DNS lookup never
 * sees those. The WHATWG URL parser has already normalized `2130706433` and `0x7f000001` to `127.0.0.1`.
 */
export function checkUrl(
  url: URL,
  policy: AddressPolicy,
  allowedPorts: readonly number[],
): UrlBlock | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { blockedBy: 'scheme', reason: `scheme ${url.protocol} is not allowed (only http and https)` };
  }
  const port = effectivePort(url);
  if (!allowedPorts.includes(port)) {
    return { blockedBy: 'port', reason: `port ${port} is not allowed (allowed: ${allowedPorts.join(', ')})` };
  }
  const host = bareHostname(url);
  if (isIP(host) && !policy.allows(host)) {
    return { blockedBy: 'ssrf', reason: `${host} is a ${policy.rangeOf(host)} address, not a public one` };
  }
  return undefined;
}
