import type { ServerResponse } from 'node:http';
import { articleHtml } from './synthetic-site.js';

/**
 * A feed for the synthetic site that publishes its articles over time: `initial` items at the first request,
 * then `perSecond` more each second, up to `hold` until the test calls `release()`, then up to `count`. While it
 * grows every poll parses a changed body and enqueues new items, so polls go on across a fault; what is held
 * back is published only after the fault, so a poll from the same poller must pick it up. Pass `route` as the
 * site's `/feed.xml` handler; `origin` is read at request time.
 */
export interface GrowingFeed {
  route(origin: () => string): (res: ServerResponse) => void;
  /** Publishes the rest: the feed grows on to `count`. */
  release(): void;
  /** Items the feed lists now (0 before the first request). */
  visible(): number;
}

export function growingFeed(opts: {
  count: number;
  initial: number;
  perSecond: number;
  hold?: number;
}): GrowingFeed {
  let firstAt: number | null = null;
  let cap = Math.min(opts.hold ?? opts.count, opts.count);
  const visible = (): number =>
    firstAt === null
      ? 0
      : Math.min(cap, opts.initial + Math.floor(((Date.now() - firstAt) / 1000) * opts.perSecond));
  return {
    route: origin => res => {
      firstAt ??= Date.now();
      const items = Array.from({ length: visible() }, (_, i) => {
        const { title } = articleHtml(i, 1);
        const link = `${origin()}/a/${i}`;
        return `<item><title>${title}</title><link>${link}</link><guid>${link}</guid></item>`;
      });
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>Synthetic</title><link>${origin()}/</link>${items.join('')}</channel></rss>`,
      );
    },
    release() {
      cap = opts.count;
    },
    visible,
  };
}
