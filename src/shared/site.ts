/**
 * What "the same site" means everywhere in newsflow: the registrable domain of a host, read from the Public
 * Suffix List by tldts (ICANN and private sections, so `a.blogspot.com` and `b.blogspot.com` are two sites
 * while `news.bbc.co.uk` and `www.bbc.co.uk` are one). Credits naming the page's own site, cross-domain
 * canonicals, the publisher → domain table and the same-site rules of dedupe all go through here.
 */
import { parse } from 'tldts';

const PSL = { allowPrivateDomains: true } as const;

/**
 * The site of a host name (`URL.host`, port allowed): its registrable domain, lower case. A host that has
 * none — an IP address, `localhost`, a bare public suffix — is its own site, port included: two local test
 * sites on 127.0.0.1 are told apart by their ports, as a browser tells origins apart.
 */
export function siteOfHost(host: string | null | undefined): string | null {
  if (!host) return null;
  const lower = host.trim().toLowerCase().replace(/\.$/, '');
  if (!lower) return null;
  const hostname = lower.startsWith('[') ? lower.replace(/\]:\d+$/, ']') : lower.replace(/:\d+$/, '');
  const info = parse(hostname.replace(/^\[|\]$/g, ''), PSL);
  if (info.domain && !info.isIp) return info.domain;
  return lower;
}

/** The host (`URL.host`: name and a non-default port) of an absolute http(s) URL, lower case; null otherwise. */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.host.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** The site (registrable domain) of an absolute URL; null when it is not one. */
export function siteOf(url: string | null | undefined): string | null {
  return siteOfHost(hostOf(url));
}

/** Both URLs are on one site. False when either is not an absolute http(s) URL. */
export function sameSite(a: string | null | undefined, b: string | null | undefined): boolean {
  const sa = siteOf(a);
  return sa !== null && sa === siteOf(b);
}

/**
 * The registrable domain without its public suffix — the part of `www.livescience.com` a publisher's name
 * echoes (`livescience`); for a host without one, its first label. Null when there is no host.
 */
export function siteLabel(host: string | null | undefined): string | null {
  const site = siteOfHost(host);
  if (!site) return null;
  const info = parse(site.replace(/:\d+$/, ''), PSL);
  if (info.isIp || site.startsWith('[')) return null;
  return info.domainWithoutSuffix || site.replace(/:\d+$/, '').split('.')[0] || null;
}
