import { DOMParser } from 'linkedom';
import type { FeedConfig } from '../config/schema.js';
import { decodeEntities, escapeHtml } from './parse/html.js';
import type { NewFeed } from './feeds-file.js';

/**
 * OPML 1.0/2.0 subscription lists. Import reads every `<outline>` with an `xmlUrl` (whatever its `type`): its
 * text/title becomes the feed title, the titles of enclosing outlines and its `category` attribute become tags.
 * Export writes OPML 2.0 with one outline per feed, grouped under its first tag.
 */
export class OpmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpmlError';
  }
}

interface XmlElement {
  tagName: string;
  parentNode: XmlElement | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<XmlElement>;
}

export function parseOpml(text: string): NewFeed[] {
  const body = text.replace(/^[\uFEFF\s]+/, '');
  if (!/^<(?:\?xml|opml|!--)/i.test(body)) throw new OpmlError('not an OPML document (no XML at the start)');
  const doc = new DOMParser().parseFromString(body, 'text/xml') as unknown as XmlElement & {
    documentElement: XmlElement | null;
  };
  const root = doc.documentElement;
  if (!root || root.tagName.toLowerCase() !== 'opml') {
    throw new OpmlError(`not an OPML document (root <${root?.tagName ?? 'none'}>)`);
  }
  const attr = (el: XmlElement, name: string): string | undefined => {
    const v = el.getAttribute(name) ?? el.getAttribute(name.toLowerCase());
    const t = v === null ? '' : decodeEntities(v).trim();
    return t || undefined;
  };
  const out: NewFeed[] = [];
  for (const el of root.querySelectorAll('outline')) {
    const url = attr(el, 'xmlUrl');
    if (!url) continue;
    const tags: string[] = [];
    for (let p = el.parentNode; p && p.tagName?.toLowerCase() === 'outline'; p = p.parentNode) {
      const name = attr(p, 'text') ?? attr(p, 'title');
      if (name) tags.unshift(name);
    }
    for (const c of (attr(el, 'category') ?? '').split(',')) {
      const t = c.trim().replace(/^\/+/, '');
      if (t) tags.push(...t.split('/').filter(Boolean));
    }
    out.push({
      url,
      title: attr(el, 'title') ?? attr(el, 'text'),
      tags: [...new Set(tags)],
    });
  }
  return out;
}

const attrText = (s: string): string => escapeHtml(s).replace(/"/g, '&quot;');

export function buildOpml(feeds: readonly FeedConfig[], opts: { title?: string; now?: Date } = {}): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${attrText(opts.title ?? 'newsflow feeds')}</title>`,
    `    <dateCreated>${(opts.now ?? new Date()).toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  const outline = (f: FeedConfig, indent: string): string => {
    const text = f.title ?? f.id;
    const category = f.tags.length > 0 ? ` category="${attrText(f.tags.join(','))}"` : '';
    return `${indent}<outline type="rss" text="${attrText(text)}" title="${attrText(text)}" xmlUrl="${attrText(f.url)}"${category}/>`;
  };
  const groups = new Map<string, FeedConfig[]>();
  // OPML lists feeds for feed readers: a sitemap source is not one, and a reader would fail on it.
  for (const f of feeds.filter(x => x.type !== 'sitemap')) {
    const key = f.tags[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const f of groups.get('') ?? []) lines.push(outline(f, '    '));
  for (const [tag, list] of groups) {
    if (!tag) continue;
    lines.push(`    <outline text="${attrText(tag)}" title="${attrText(tag)}">`);
    for (const f of list) lines.push(outline(f, '      '));
    lines.push('    </outline>');
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}
