import { createHash } from 'node:crypto';

/**
 * Tracking parameters dropped from identity keys. Names are facts gathered from public lists:
 * Google Analytics/Ads (utm_*, gclid, gclsrc, dclid, gbraid, wbraid, _ga, _gl), Meta (fbclid, fb_action_*,
 * fb_source, fb_ref), Microsoft (msclkid), Mailchimp (mc_cid, mc_eid), HubSpot (_hsenc, _hsmi, __hs*),
 * Marketo (mkt_tok), Yandex (yclid, ysclid), Twitter (twclid), Matomo/Piwik (mtm_*, pk_*), Adobe (s_cid),
 * Echobox (__twitter_impression? no: `ocid`/Echobox), IGShid (igshid), Spotify/Vero (vero_*), Oly (oly_*).
 * Parameters that carry meaning on some sites (ref, source, id, p) are deliberately not in this list.
 */
const TRACKING_EXACT = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  'yclid',
  'ysclid',
  'twclid',
  'igshid',
  'mkt_tok',
  '_hsenc',
  '_hsmi',
  'hsctatracking',
  's_cid',
  'wt_mc',
  'ocid',
  'cmpid',
  'rb_clickid',
  'wickedid',
  '_openstat',
  '__twitter_impression',
  'fb_source',
  'fb_ref',
  'guccounter',
  'guce_referrer',
  'guce_referrer_sig',
]);
const TRACKING_PREFIXES = ['utm_', 'mtm_', 'pk_', 'fb_action_', '__hs', 'oly_', 'vero_', 'itm_', 'ga_'];

export function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return TRACKING_EXACT.has(n) || TRACKING_PREFIXES.some(p => n.startsWith(p));
}

/**
 * The identity key of a URL: lower-case host without `www.`, http and https folded together, default port,
 * fragment, credentials and a trailing slash dropped, tracking parameters removed, remaining query sorted.
 * It is a key, never fetched. Returns null for URLs that are not http(s).
 */
export function canonicalUrlKey(raw: string, base?: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  u.username = '';
  u.password = '';
  const kept = [...u.searchParams.entries()].filter(([k]) => !isTrackingParam(k));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  u.search = '';
  for (const [k, v] of kept) u.searchParams.append(k, v);
  // WHATWG URL already lower-cases the host and drops default ports.
  const host = u.host.startsWith('www.') ? u.host.slice(4) : u.host;
  const path = u.pathname.length > 1 && u.pathname.endsWith('/') ? u.pathname.slice(0, -1) : u.pathname;
  return `https://${host}${path}${u.search}`;
}

/**
 * The address to fetch and store for a feed link: the link as written, less its fragment and its tracking
 * parameters (they name the campaign, not the page). Feeds list one page under several spellings; the first to
 * be enqueued is the one fetched and stored, so without this a story's URL could carry `?utm_source=…&fbclid=…`
 * depending on which feed was read first. Null for URLs that are not http(s).
 */
export function fetchUrlOf(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  const kept = [...u.searchParams.entries()].filter(([k]) => !isTrackingParam(k));
  if (kept.length !== [...u.searchParams.keys()].length) {
    u.search = '';
    for (const [k, v] of kept) u.searchParams.append(k, v);
  }
  return u.toString();
}

/** Short stable hash used in Redis keys and BullMQ job ids (hex, 32 chars = 128 bits). */
export function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
