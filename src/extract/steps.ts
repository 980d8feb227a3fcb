/**
 * The names of the extraction steps that remove content, as `trace` reports a removal (content/boilerplate.ts's
 * rules, the block classifier, the story-container fallback). `newsflow extract --without` leaves steps out,
 * so what each adds can be measured on a corpus (`npm run eval:extract -- --without …`). Kept apart from the
 * extractor so the CLI's main thread can check names without loading it.
 */
/** Every boilerplate rule's name. */
export const BOILERPLATE_RULES = [
  'class',
  'class-weak',
  'class-empty',
  'nav',
  'teaser-run',
  'shortcode',
  'link-paragraph',
  'headline-list',
  'list-title',
  'link-ul',
  'link-div',
  'link-section',
  'link-dl',
  'tail-heading',
  'tail-section',
  'trailing-heading',
  'author-bio',
  'byline-date',
  'call-to-action',
  'copyright',
  'credit-label',
  'label',
  'picture-credit',
  'teaser',
  'title-repeat',
] as const;

/** Every step `ExtractOptions.without` can leave out. */
export const EXTRACT_STEPS: readonly string[] = [...BOILERPLATE_RULES, 'block-model', 'story-container'];
