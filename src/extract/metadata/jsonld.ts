/**
 * JSON-LD reading: every `<script type="application/ld+json">` block, flattened (arrays, `@graph`, nested
 * objects), with `@id` references resolved, so that a Yoast-style graph whose Article points at
 * `{"@id": "#/schema/person/…"}` yields the person's name.
 */

export type JsonObject = Record<string, unknown>;

const ARTICLE_TYPES = new Set(
  [
    'Article',
    'NewsArticle',
    'BlogPosting',
    'ReportageNews',
    'AnalysisNewsArticle',
    'OpinionNewsArticle',
    'ReviewNewsArticle',
    'BackgroundNewsArticle',
    'AskPublicNewsArticle',
    'LiveBlogPosting',
    'TechArticle',
    'ScholarlyArticle',
    'MedicalScholarlyArticle',
    'SocialMediaPosting',
    'DiscussionForumPosting',
    'Report',
    'SatiricalArticle',
    'AdvertiserContentArticle',
    'Review',
    'Recipe',
    'HowTo',
    'PodcastEpisode',
    'Episode',
    'Posting',
  ].map(t => t.toLowerCase()),
);
const PAGE_TYPES = new Set(
  [
    'WebPage',
    'ItemPage',
    'AboutPage',
    'FAQPage',
    'QAPage',
    'CollectionPage',
    'ProfilePage',
    'MediaObject',
    'VideoObject',
  ].map(t => t.toLowerCase()),
);

export interface JsonLdData {
  /** All typed nodes, in document order. */
  nodes: JsonObject[];
  byId: Map<string, JsonObject>;
}

/** Parses JSON-LD text leniently: comments, CDATA wrappers, raw newlines in strings, trailing commas. */
export function parseJsonLdText(text: string): unknown {
  let t = text.trim();
  t = t
    .replace(/^\s*(?:<!--|\/\*\s*<!\[CDATA\[\s*\*\/|\/\/\s*<!\[CDATA\[)/, '')
    .replace(/(?:-->|\/\*\s*\]\]>\s*\*\/|\/\/\s*\]\]>)\s*$/, '');
  t = t.trim().replace(/;\s*$/, '');
  try {
    return JSON.parse(t);
  } catch {
    // Raw control characters inside strings are the most common defect; outside strings they are whitespace.
    // eslint-disable-next-line no-control-regex -- raw control characters are exactly what must go
    const fixed = t.replace(/[\u0000-\u001f]+/g, ' ').replace(/,\s*([}\]])/g, '$1');
    try {
      return JSON.parse(fixed);
    } catch {
      return undefined;
    }
  }
}

export function collectJsonLd(scripts: Element[]): JsonLdData {
  const nodes: JsonObject[] = [];
  const byId = new Map<string, JsonObject>();
  for (const script of scripts) {
    const parsed = parseJsonLdText(script.textContent ?? '');
    if (parsed !== undefined) walk(parsed, nodes, byId, 0);
  }
  return { nodes, byId };
}

function walk(value: unknown, nodes: JsonObject[], byId: Map<string, JsonObject>, depth: number): void {
  if (depth > 12 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walk(v, nodes, byId, depth + 1);
    return;
  }
  const obj = value as JsonObject;
  const id = typeof obj['@id'] === 'string' ? obj['@id'] : null;
  if (obj['@type'] !== undefined) {
    nodes.push(obj);
    if (id) {
      // A later, richer declaration of the same @id wins over a bare reference.
      const prev = byId.get(id);
      if (!prev || Object.keys(obj).length > Object.keys(prev).length) byId.set(id, obj);
    }
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k === '@context') continue;
    if (v !== null && typeof v === 'object') walk(v, nodes, byId, depth + 1);
  }
}

export function typesOf(node: JsonObject): string[] {
  const t = node['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list
    .filter((x): x is string => typeof x === 'string')
    .map(x => x.replace(/^.*[/:#]/, '').toLowerCase());
}

export function isArticleNode(node: JsonObject): boolean {
  return typesOf(node).some(t => ARTICLE_TYPES.has(t));
}

export function isPageNode(node: JsonObject): boolean {
  return typesOf(node).some(t => PAGE_TYPES.has(t));
}

/** Follows an `{"@id": …}` reference to the full node when the graph declares it. */
export function deref(value: unknown, data: JsonLdData): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as JsonObject;
    const id = obj['@id'];
    if (typeof id === 'string' && Object.keys(obj).filter(k => k !== '@id').length === 0) {
      return data.byId.get(id) ?? value;
    }
  }
  return value;
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A plain string out of a JSON-LD value: string, number, {"@value"}, or the first of an array. */
export function str(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    for (const v of value) {
      const s = str(v);
      if (s) return s;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    const o = value as JsonObject;
    return str(o['@value']);
  }
  return null;
}

/** The name of a Person/Organization value (string, object with name, @id reference, given+family). */
export function nameOf(value: unknown, data: JsonLdData): string | null {
  const v = deref(value, data);
  if (typeof v === 'string') return v.trim() || null;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as JsonObject;
    const name = str(o.name);
    if (name) return name;
    const given = str(o.givenName);
    const family = str(o.familyName);
    if (given || family) return [given, family].filter(Boolean).join(' ');
    const alt = str(o.alternateName);
    if (alt) return alt;
  }
  return null;
}

/** A URL out of a value that may be a string, {url}, {"@id"}, {contentUrl} or an array of those. */
export function urlOf(value: unknown, data: JsonLdData): string | null {
  for (const item of asArray(value)) {
    const v = deref(item, data);
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as JsonObject;
      const u = str(o.url) ?? str(o.contentUrl) ?? str(o['@id']);
      if (u && !u.startsWith('#') && !u.startsWith('_:')) return u;
    }
  }
  return null;
}
