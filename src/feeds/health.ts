import type { RedirectHop } from '../fetch/types.js';

/**
 * What a failure means for a feed's life. Transient failures (network, timeouts, 5xx, 429, parse errors) never
 * disable a feed: they back off. 410 Gone disables at once; 401/403/404 disable once they have lasted more than
 * `hardErrorDays` (a site migration or a misconfigured CDN often answers 404 for a few hours).
 */
export const HARD_STATUSES = new Set([401, 403, 404]);

export interface FailureVerdict {
  /** Reason to disable the feed, or null. */
  disable: string | null;
  /** Start of the current 401/403/404 streak (epoch ms), carried in the feed state. */
  firstHardErrorAt: number | null;
}

export function judgeFailure(
  status: number | undefined,
  firstHardErrorAt: number | null,
  now: number,
  disableAfterMs: number,
): FailureVerdict {
  if (status === 410) return { disable: 'HTTP 410 Gone', firstHardErrorAt };
  if (status !== undefined && HARD_STATUSES.has(status)) {
    const since = firstHardErrorAt ?? now;
    if (now - since > disableAfterMs) {
      return {
        disable: `HTTP ${status} for more than ${Math.round(disableAfterMs / 86_400_000)} days (since ${new Date(since).toISOString()})`,
        firstHardErrorAt: since,
      };
    }
    return { disable: null, firstHardErrorAt: since };
  }
  return { disable: null, firstHardErrorAt };
}

/**
 * The feed's new URL when every hop of the redirect chain was permanent (301/308), else null. One 302/303/307
 * anywhere means the move may be temporary, so the stored URL stays (miniflux/v2#1387).
 */
export function permanentMove(
  redirects: readonly RedirectHop[],
  finalUrl: string,
  current: string,
): string | null {
  if (redirects.length === 0) return null;
  if (!redirects.every(h => h.status === 301 || h.status === 308)) return null;
  return finalUrl !== current ? finalUrl : null;
}
