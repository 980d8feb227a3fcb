/** The DOMs extraction can run on (setting `extract.dom`), apart from the DOMs themselves: cheap to import. */
export const DOM_KINDS = ['lite', 'jsdom', 'linkedom'] as const;
export type DomKind = (typeof DOM_KINDS)[number];
