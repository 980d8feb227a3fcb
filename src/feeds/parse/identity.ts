import { createHash } from 'node:crypto';
import type { FeedItem } from './types.js';

/**
 * Item identity. The default policy is the feed's own id (guid / atom:id / JSON id), else the link, else a hash
 * of title + content. Feeds that reuse one guid for every item, or leave most of them empty, lose items under
 * that policy; FreshRSS's rule is adopted: when more than 5 % of one fetch's ids are empty or repeated, the feed
 * switches (for good, recorded in its state) to link identity.
 */
export type IdPolicy = 'guid' | 'link';

export const ID_TOLERANCE = 0.05;

type IdFields = Pick<FeedItem, 'guid' | 'link' | 'title' | 'contentHtml' | 'summaryHtml'>;

export function contentHash(item: Pick<FeedItem, 'title' | 'contentHtml' | 'summaryHtml'>): string {
  return createHash('sha256')
    .update(`${item.title ?? ''}\n${item.contentHtml ?? item.summaryHtml ?? ''}`)
    .digest('hex');
}

export function itemId(item: IdFields, policy: IdPolicy = 'guid'): string {
  if (policy === 'guid' && item.guid) return item.guid;
  return item.link ?? contentHash(item);
}

export interface IdAudit {
  total: number;
  empty: number;
  /** Items whose id an earlier item of the same fetch already has. */
  repeated: number;
  /** True when (empty + repeated) / total exceeds the tolerance. */
  degrade: boolean;
}

export function auditIds(items: readonly Pick<FeedItem, 'guid'>[], tolerance = ID_TOLERANCE): IdAudit {
  const seen = new Set<string>();
  let empty = 0;
  let repeated = 0;
  for (const item of items) {
    const id = item.guid?.trim();
    if (!id) empty++;
    else if (seen.has(id)) repeated++;
    else seen.add(id);
  }
  const total = items.length;
  return { total, empty, repeated, degrade: total > 0 && (empty + repeated) / total > tolerance };
}

/** Short stable key for an item id in Redis (hex, 128 bits). */
export function idKey(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}
