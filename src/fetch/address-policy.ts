import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * Which addresses and URLs the fetcher may connect to. Only public unicast addresses pass: ipaddr.js names
 * every special range (loopback, private, link-local incl. 169.254.169.254, CGNAT, ULA, IPv4-mapped, 6to4,
 * Teredo, NAT64, multicast, 0.0.0.0…) and anything not `unicast` is refused. The allow-list (CIDRs from
 * `fetch.allowNetworks`) lets tests and the demo reach 127.0.0.1; it is empty in production.
 */
export interface AddressPolicy {
  allows(ip: string): boolean;
  /** ipaddr.js's range name, for the reason text. */
  rangeOf(ip: string): string;
}

export class InvalidNetworkError extends Error {
  constructor(cidr: string) {
    super(`fetch.allowNetworks: "${cidr}" is not a valid CIDR`);
    this.name = 'InvalidNetworkError';
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
  const inAllowList = (addr: ipaddr.IPv4 | ipaddr.IPv6): boolean =>
    allowed.some(([net, bits]) => addr.kind() === net.kind() && addr.match([net, bits]));
  const parse = (ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
    if (!isIP(ip)) return undefined;
    try {
      return ipaddr.parse(ip);
    } catch {
      return undefined;
    }
  };
  return {
    allows(ip) {
      const addr = parse(ip);
      if (!addr) return false;
      if (inAllowList(addr)) return true;
      // An allow-listed IPv4 is also allowed in its IPv4-mapped IPv6 form; nothing else mapped is.
      if (addr instanceof ipaddr.IPv6 && addr.isIPv4MappedAddress() && inAllowList(addr.toIPv4Address())) {
        return true;
      }
      return addr.range() === 'unicast';
    },
    rangeOf(ip) {
      return parse(ip)?.range() ?? 'not an IP address';
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
