import { request } from 'undici';
import type { ServiceConfig } from '../config/schema.js';
import { checkUrl, createAddressPolicy } from './address-policy.js';
import { readBody } from './body.js';
import { createGuardedAgent } from './guarded-agent.js';
import { classifyError } from './http-client.js';
import type { FetchErrorClass } from './types.js';

/**
 * The one non-GET request newsflow makes: a form POST, for WebSub hub subscriptions (W3C WebSub §5.1). Hub URLs
 * come from third-party feeds, so it is held to the same rules as every fetch — scheme, allowed ports, SSRF guard
 * on IP literals and on the address actually connected to, total deadline, capped response — and it follows no
 * redirects (a hub that redirects a subscription is answered as a failure).
 */
export type FormPostResult =
  | { ok: true; status: number; text: string }
  | { ok: false; class: FetchErrorClass; reason: string; status?: number };

export interface FormPoster {
  post(url: string, form: URLSearchParams, signal?: AbortSignal): Promise<FormPostResult>;
  close(): Promise<void>;
}

/** Response bodies of hubs are a status line's worth of text; more is cut. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function createFormPoster(f: ServiceConfig['fetch']): FormPoster {
  const policy = createAddressPolicy(f.allowNetworks);
  const timeouts = {
    timeoutMs: f.timeout,
    connectTimeoutMs: f.connectTimeout,
    headersTimeoutMs: f.headersTimeout,
    bodyTimeoutMs: f.bodyTimeout,
  };
  const agent = createGuardedAgent({ policy, ...timeouts });
  return {
    async post(target, form, signal) {
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        return { ok: false, class: 'blocked', reason: `not a valid URL: ${target}` };
      }
      const block = checkUrl(url, policy, f.allowedPorts);
      if (block) return { ok: false, class: 'blocked', reason: block.reason };
      const deadline = AbortSignal.timeout(f.timeout);
      try {
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': f.userAgent },
          body: form.toString(),
        });
        const read = await readBody(res.body, {
          contentEncoding: undefined,
          maxBytes: MAX_RESPONSE_BYTES,
          overflow: 'truncate',
        });
        const text = read.ok ? read.body.toString('utf8') : '';
        if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode, text };
        return { ok: false, class: 'http', reason: `HTTP ${res.statusCode}`, status: res.statusCode };
      } catch (err) {
        const c = classifyError(err, deadline, signal, timeouts);
        return { ok: false, class: c.class, reason: c.reason };
      }
    },
    close: () => agent.close(),
  };
}
