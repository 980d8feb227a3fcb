/**
 * Who may answer to a publisher name. A credit naming only a site ("… appeared first on Invezz") is resolved
 * through a table of publisher name → domain that pages teach by declaring their own name (og:site_name,
 * JSON-LD publisher). A page's word alone is not enough — any page can say it is Reuters — so each claim is
 * graded by what corroborates it, and the table (decide-article-4.lua) only lets a stronger claim replace a
 * learned one; operators can pin names in config (`dedupe.publishers`).
 */
import { siteLabel, siteOf, siteOfHost } from '../../shared/site.js';

/**
 * 0: the page's word only (counts towards "several pages of that domain");
 * 1: several pages of the domain said so (granted by the table, never here);
 * 2: the page's JSON-LD publisher has its address on the page's own site;
 * 3: the name is the domain ("Invezz" on invezz.com, "The Guardian" on theguardian.com).
 */
export type ClaimStrength = 0 | 1 | 2 | 3;
export const SEVERAL_PAGES: ClaimStrength = 1;

/** How strongly a page's own evidence ties its declared name to its site. */
export function publisherClaimStrength(input: {
  name: string | null | undefined;
  /** The page's address (its URL key). */
  pageUrl: string;
  /** The page's JSON-LD publisher address, when it states one. */
  publisherUrl?: string | null | undefined;
}): ClaimStrength {
  const site = siteOf(input.pageUrl);
  if (!input.name || !site) return 0;
  if (nameIsDomain(input.name, site)) return 3;
  if (input.publisherUrl && siteOf(input.publisherUrl) === site) return 2;
  return 0;
}

/**
 * The name spells the site's registrable domain, or the domain without its suffix — letters, digits and
 * hyphens, case and accents aside ("Live Science" = livescience.com, "e-flux" = e-flux.com) — give or take a
 * leading "The". Looser forms ("Reuters" on reuters-news.example or reu-ters.example) are not corroboration:
 * anyone can register them.
 */
export function nameIsDomain(name: string, site: string): boolean {
  if (name.trim().toLowerCase() === site) return true;
  const n = fold(name).replace(/[^\p{L}\p{N}-]/gu, '');
  const core = fold(siteLabel(site) ?? '');
  if (core.length < 3 || !n) return false;
  return n === core || n === `the${core}` || `the${n}` === core;
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** A configured domain ("invezz.com", "https://www.invezz.com/") as the site it names; null if none. */
export function configuredSite(value: string): string | null {
  const v = value.trim();
  return /^https?:\/\//i.test(v) ? siteOf(v) : siteOfHost(v.replace(/\/.*$/, ''));
}
