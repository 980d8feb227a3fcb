import type { ServiceConfig } from '../../config/schema.js';
import { createFormPoster, type FormPoster } from '../../fetch/form-post.js';

/**
 * Subscription requests to hubs (W3C WebSub §5.1): a form POST through src/fetch's guarded poster (hub URLs come
 * from third-party feeds: same SSRF guard, ports, deadline as every fetch, no redirects).
 */
export interface HubRequest {
  hub: string;
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  secret?: string | undefined;
  leaseSeconds?: number | undefined;
}

export type HubAnswer = { ok: true; status: number } | { ok: false; reason: string };

export type HubPoster = (req: HubRequest) => Promise<HubAnswer>;

export function hubForm(req: HubRequest): URLSearchParams {
  const form = new URLSearchParams({
    'hub.mode': req.mode,
    'hub.topic': req.topic,
    'hub.callback': req.callback,
  });
  if (req.secret) form.set('hub.secret', req.secret);
  if (req.leaseSeconds) form.set('hub.lease_seconds', String(req.leaseSeconds));
  return form;
}

export function createHubPoster(
  svc: ServiceConfig,
  poster: FormPoster = createFormPoster(svc.fetch),
): HubPoster {
  return async req => {
    const res = await poster.post(req.hub, hubForm(req));
    if (res.ok) return { ok: true, status: res.status };
    return { ok: false, reason: `hub ${req.hub}: ${res.class}: ${res.reason}` };
  };
}
