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
 * The template vocabulary, by what a box is: parts of class/id names that page templates give their boxes.
 * Matched against the parts of each token ("share-buttons" → share, buttons) and whole tokens. The block
 * classifier's class features are these groups (block-model.json holds one weight per group name); the
 * boilerplate rules' CLASS_WORDS are drawn from them.
 */
export const CLASS_GROUPS: Readonly<Record<string, readonly string[]>> = {
  recirc: [...RECIRC_LIST, 'popular', 'more', 'teaser', 'teasers'],
  share: [
    'share',
    'sharing',
    'shares',
    'social',
    'socials',
    'sharebar',
    'sharedaddy',
    'addtoany',
    'a2a',
    'print',
  ],
  promo: [
    'newsletter',
    'newsletters',
    'subscribe',
    'subscription',
    'signup',
    'optin',
    'promo',
    'promotion',
    'cta',
    'paywall',
  ],
  ad: ['advert', 'advertisement', 'adsbygoogle', 'ads', 'ad', 'dfp', 'sponsor', 'sponsored', 'banner'],
  meta: [
    'byline',
    'bylines',
    'dateline',
    'timestamp',
    'meta',
    'date',
    'time',
    'posted',
    'published',
    'updated',
  ],
  author: ['author', 'authors', 'bio', 'avatar', 'profile', 'contributor'],
  tags: [
    'tags',
    'tag',
    'taglist',
    'categories',
    'category',
    'cat',
    'topics',
    'keywords',
    'breadcrumb',
    'breadcrumbs',
  ],
  comment: ['comment', 'comments', 'disqus', 'reply', 'respond', 'discussion'],
  nav: [
    'nav',
    'navigation',
    'menu',
    'sidebar',
    'pagination',
    'pager',
    'footer',
    'header',
    'widget',
    'toolbar',
  ],
  caption: [
    'caption',
    'figcaption',
    'credit',
    'credits',
    'copyright',
    'photo',
    'image',
    'img',
    'media',
    'gallery',
  ],
  legal: ['disclaimer', 'cookie', 'cookies', 'consent', 'gdpr', 'legal', 'notice'],
  content: ['content', 'body', 'article', 'entry', 'post', 'text', 'story', 'main', 'blog', 'prose'],
};

/** Group words too generic for a rule to remove a box on alone (a "date", "header" or "media" box can hold the article). */
const NOT_ALONE = new Set([
  'avatar',
  'banner',
  'caption',
  'cat',
  'categories',
  'category',
  'contributor',
  'cta',
  'date',
  'discussion',
  'figcaption',
  'footer',
  'gallery',
  'header',
  'image',
  'img',
  'keywords',
  'legal',
  'media',
  'meta',
  'more',
  'notice',
  'photo',
  'popular',
  'posted',
  'profile',
  'published',
  'reply',
  'respond',
  'tag',
  'teaser',
  'teasers',
  'time',
  'topics',
  'updated',
  'widget',
]);

/**
 * Class/id words that name boilerplate in page templates, for the rules: every group's words but the article's
 * own (`content`) and those NOT_ALONE, plus overlay names the classifier does not group. Matched against the
 * parts of each class token ("share-buttons" → share, buttons) and against whole tokens ("sharedaddy").
 */
export const CLASS_WORDS: ReadonlySet<string> = new Set([
  ...Object.entries(CLASS_GROUPS)
    .filter(([group]) => group !== 'content')
    .flatMap(([, words]) => words.filter(w => !NOT_ALONE.has(w))),
  'sociallinks',
  'tooltip',
  'popover',
  'hovercard',
  'rollover',
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
