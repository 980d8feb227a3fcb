import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.js';

/** The connect step refused an address. Classified as `blocked: ssrf`. */
export class SsrfBlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

/** `dns.lookup` with `all: true`; injectable so tests can play a DNS that answers 127.0.0.1 (rebinding). */
export type ResolveAll = (
  hostname: string,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, callback) =>
  dnsLookup(hostname, { all: true, verbatim: true }, callback);

export interface GuardedAgentOptions {
  policy: AddressPolicy;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  resolveAll?: ResolveAll;
}

/**
 * An undici Agent that can only connect to addresses the policy allows:
 * 1. its DNS lookup drops every non-allowed address before a socket is opened (so a name that resolves to
 *    127.0.0.1 never reaches it), and refuses when none is left;
 * 2. after connecting, the socket's actual remote address is checked again (belt and braces: IP literals skip
 *    `lookup`, and the URL-level check in `checkUrl` must have caught them first).
 * Each new connection resolves afresh, so DNS rebinding between hops or requests gains nothing. The Agent is
 * built explicitly, so HTTP(S)_PROXY variables are never consulted.
 */
export function createGuardedAgent(opts: GuardedAgentOptions): Agent {
  const resolveAll = opts.resolveAll ?? systemResolveAll;
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveAll(hostname, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const usable = addresses.filter(a => (!family || a.family === family) && opts.policy.allows(a.address));
      if (usable.length === 0) {
        const all = addresses.map(a => `${a.address} (${opts.policy.rangeOf(a.address)})`).join(', ');
        callback(new SsrfBlockedError(`${hostname} resolves to no public address: ${all || 'none'}`), '', 0);
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        return;
      }
      const first = usable[0]!;
      callback(null, first.address, first.family);
    });
  };
  const base = buildConnector({ timeout: opts.connectTimeoutMs, lookup });
  const connect: buildConnector.connector = (options, callback) => {
    base(options, (...args) => {
      const [err, socket] = args;
      if (err) {
        callback(err, null);
        return;
      }
      const remote = socket?.remoteAddress;
      if (!socket || !remote || !opts.policy.allows(remote)) {
        socket?.destroy();
        callback(
          new SsrfBlockedError(`connected to ${remote ?? 'an unknown address'}, which is not allowed`),
          null,
        );
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({
    connect,
    headersTimeout: opts.headersTimeoutMs,
    bodyTimeout: opts.bodyTimeoutMs,
    // One request per connection at a time; politeness already limits how many go to a host at once.
    pipelining: 1,
  });
}
