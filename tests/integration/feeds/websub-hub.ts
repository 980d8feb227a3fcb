import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small WebSub hub for tests (W3C WebSub §5–§8): accepts subscribe/unsubscribe form POSTs with 202, verifies
 * intent by GETting the callback with a challenge, and distributes content to verified subscribers with an
 * `X-Hub-Signature` HMAC of the body.
 */
export interface HubSubscription {
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number;
  verifiedAt: number;
}

export interface HubRequestLog {
  mode: string;
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number | null;
  /** What the verification GET got back: 'verified', 'refused (404)', … */
  verification: string;
}

export interface TestHub {
  url: string;
  port: number;
  /** Lease granted regardless of what subscribers ask (seconds); null = grant what they ask. */
  grantLeaseSeconds: number | null;
  requests: HubRequestLog[];
  subscriptions(topic: string): HubSubscription[];
  /** POSTs content to every subscriber of the topic; returns their HTTP statuses. */
  publish(
    topic: string,
    body: string,
    opts?: { contentType?: string; signature?: 'good' | 'bad' | 'none'; method?: 'sha1' | 'sha256' },
  ): Promise<number[]>;
  close(): Promise<void>;
}

export async function startTestHub(): Promise<TestHub> {
  const subs = new Map<string, HubSubscription>();
  const requests: HubRequestLog[] = [];
  const hub: Omit<TestHub, 'url' | 'port' | 'close'> = {
    grantLeaseSeconds: null,
    requests,
    subscriptions: topic => [...subs.values()].filter(s => s.topic === topic),
    async publish(topic, body, opts = {}) {
      const statuses: number[] = [];
      for (const s of hub.subscriptions(topic)) {
        const method = opts.method ?? 'sha1';
        const headers: Record<string, string> = {
          'content-type': opts.contentType ?? 'application/rss+xml; charset=utf-8',
          link: `<${server.url}>; rel="hub", <${topic}>; rel="self"`,
        };
        if (s.secret && opts.signature !== 'none') {
          const key = opts.signature === 'bad' ? 'not-the-secret' : s.secret;
          headers['x-hub-signature'] = `${method}=${createHmac(method, key).update(body).digest('hex')}`;
        }
        const res = await fetch(s.callback, { method: 'POST', headers, body });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      return statuses;
    },
  };

  const verify = async (log: HubRequestLog): Promise<void> => {
    const challenge = randomBytes(12).toString('hex');
    const u = new URL(log.callback);
    u.searchParams.set('hub.mode', log.mode);
    u.searchParams.set('hub.topic', log.topic);
    u.searchParams.set('hub.challenge', challenge);
    const lease = hub.grantLeaseSeconds ?? log.leaseSeconds ?? 86_400;
    if (log.mode === 'subscribe') u.searchParams.set('hub.lease_seconds', String(lease));
    const res = await fetch(u);
    const text = await res.text();
    if (res.status !== 200 || text !== challenge) {
      log.verification = `refused (${res.status})`;
      return;
    }
    log.verification = 'verified';
    if (log.mode === 'subscribe') {
      subs.set(log.callback, {
        topic: log.topic,
        callback: log.callback,
        secret: log.secret,
        leaseSeconds: lease,
        verifiedAt: Date.now(),
      });
    } else subs.delete(log.callback);
  };

  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const mode = form.get('hub.mode') ?? '';
      const topic = form.get('hub.topic') ?? '';
      const callback = form.get('hub.callback') ?? '';
      if (req.method !== 'POST' || !['subscribe', 'unsubscribe'].includes(mode) || !topic || !callback) {
        res.writeHead(400).end('bad request');
        return;
      }
      const lease = form.get('hub.lease_seconds');
      const log: HubRequestLog = {
        mode,
        topic,
        callback,
        secret: form.get('hub.secret'),
        leaseSeconds: lease ? Number(lease) : null,
        verification: 'pending',
      };
      requests.push(log);
      res.writeHead(202).end();
      // Verification of intent happens after the 202, asynchronously, as hubs do.
      setTimeout(() => {
        verify(log).catch(err => {
          log.verification = `error: ${(err as Error).message}`;
        });
      }, 20);
    });
  });
  await new Promise<void>(r => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const server = { url: `http://127.0.0.1:${port}/` };
  return Object.assign(hub, {
    url: server.url,
    port,
    close: () =>
      new Promise<void>(r => {
        http.closeAllConnections();
        http.close(() => r());
      }),
  });
}
