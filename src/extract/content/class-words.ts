/**
 * Template vocabulary of the boilerplate pass: class/id words that page templates give to share bars,
 * recirculation modules, newsletter boxes, bylines — and `classWords`, which reads them off an element.
 */

/**
 * Recirculation modules ("related posts", "most read", "recommended"): other stories' teasers, each maybe
 * with an excerpt long enough to read like a paragraph. Also matched as the start of a run-together token
 * ("relatedlinks", "recommendedarticles").
 */
export const RECIRC_LIST = [
  'related',
  'relatedposts',
  'yarpp',
  'recommended',
  'recommendations',
  'recirc',
  'recirculation',
  'outbrain',
  'taboola',
  'trending',
  'mostread',
  'mostpopular',
];
export const RECIRC_WORDS = new Set(RECIRC_LIST);

/**
 * Class/id words that name boilerplate in page templates. Matched against the parts of each class token
 * ("share-buttons" → share, buttons) and against whole tokens for run-together names ("sharedaddy").
 */
export const CLASS_WORDS = new Set([
  'share',
  'sharing',
  'shares',
  'social',
  'socials',
  'sharebar',
  'sharedaddy',
  'addtoany',
  'a2a',
  'sociallinks',
  ...RECIRC_LIST,
  'newsletter',
  'newsletters',
  'subscribe',
  'subscription',
  'signup',
  'optin',
  'promo',
  'promotion',
  'advert',
  'advertisement',
  'adsbygoogle',
  'ads',
  'ad',
  'dfp',
  'sponsor',
  'sponsored',
  'byline',
  'bylines',
  'dateline',
  'timestamp',
  'breadcrumb',
  'breadcrumbs',
  'tags',
  'taglist',
  'comments',
  'comment',
  'disqus',
  'toolbar',
  'print',
  'credit',
  'credits',
  'copyright',
  'disclaimer',
  'cookie',
  'cookies',
  'consent',
  'gdpr',
  'paywall',
  'author',
  'authors',
  'bio',
  'pagination',
  'pager',
  'tooltip',
  'popover',
  'hovercard',
  'rollover',
  'nav',
  'navigation',
  'menu',
  'sidebar',
]);

/** Two-word names that are boilerplate only together ("read-more", "post-meta"). */
export const CLASS_PAIRS = [
  ['read', 'more'],
  ['also', 'read'],
  ['more', 'stories'],
  ['most', 'read'],
  ['most', 'popular'],
  ['post', 'meta'],
  ['entry', 'meta'],
  ['article', 'meta'],
  ['post', 'date'],
  ['entry', 'date'],
  ['publish', 'date'],
  ['published', 'date'],
  ['updated', 'date'],
  ['sign', 'up'],
  ['inline', 'cta'],
  ['call', 'to'],
  ['cat', 'links'],
  ['tag', 'links'],
  ['post', 'tags'],
  ['entry', 'tags'],
  ['about', 'author'],
  ['author', 'box'],
  ['author', 'info'],
  ['image', 'credit'],
  ['photo', 'credit'],
];
export const RECIRC_PAIRS = new Set(['more stories', 'most read', 'most popular', 'also read', 'read more']);

/** Class words that only mark boilerplate on small elements: the article wrapper may carry them too. */
export const WEAK_WORDS = new Set([
  'author',
  'authors',
  'bio',
  'widget',
  'print',
  'comment',
  'nav',
  'menu',
  'ad',
  'tags',
]);

export const RECIRC_PREFIX = /^(?:related|recommended|mostread|mostpopular|morestories)[a-z]{3,}$/;

export function classWords(el: Element): {
  strong: boolean;
  weak: boolean;
  recirc: boolean;
  author: boolean;
} {
  const attr = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase();
  if (attr.length < 2) return { strong: false, weak: false, recirc: false, author: false };
  let strong = false;
  let weak = false;
  let recirc = false;
  let author = false;
  for (const token of attr.split(/\s+/)) {
    if (!token) continue;
    // "vc_cta3": numbered variants of a name are the name.
    const parts = token
      .split(/[-_:]+/)
      .filter(Boolean)
      .map(p => p.replace(/(?<=[a-z])\d+$/, ''));
    for (const word of [token, ...parts]) {
      if (CLASS_WORDS.has(word)) {
        if (WEAK_WORDS.has(word)) weak = true;
        else strong = true;
      }
      if (RECIRC_WORDS.has(word) || RECIRC_PREFIX.test(word)) recirc = strong = true;
      if (word === 'author' || word === 'authors' || word === 'bio') author = true;
    }
    for (const [a, b] of CLASS_PAIRS) {
      const i = parts.indexOf(a as string);
      if (i >= 0 && parts[i + 1] === b) {
        strong = true;
        if (RECIRC_PAIRS.has(`${a} ${b}`)) recirc = true;
      }
    }
  }
  return { strong, weak, recirc, author };
}
