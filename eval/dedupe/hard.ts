/**
 * The hard cases of syndication (issue 17), built on the easy corpus's originals and served from sites of
 * their own, so the easy figures stay comparable:
 *   link-credit   the first two paragraphs under a new headline, ending in a linked credit ("Continue reading
 *                 on <a>Publisher</a>", "Read the full story at …", German and French forms)
 *   text-credit   the whole text under a new headline, ending in a credit naming the publisher, no link
 *                 ("This article originally appeared on …", "Source: …", "Quelle: …")
 *   inserted      the whole text under a new headline with an advertisement and "Read also" lines inserted
 *   typography    the whole text with typographic quotes and dashes and every two paragraphs merged
 * and two kinds of negative that share most of their words:
 *   release       press releases of one issuer: distinct news, one long "About …" and forward-looking
 *                 statements boilerplate; a verbatim republication of one (release-copy) is a positive
 *   report        templated market reports differing in company and figures; a verbatim copy of one
 *                 (report-copy) is a positive
 *   notice        templated dividend notices with the same figures and many shared names, differing only in
 *                 the company; a copy of one with typographic quotes (notice-copy) is a positive
 *   update        one company's templated updates, the same long text with other figures; a verbatim copy of
 *                 one (update-copy) is a positive
 * Synthetic texts draw their words from the negatives' vocabulary with a seeded generator.
 */
import {
  copyPage,
  editHeadline,
  esc,
  paragraphsOf,
  rng,
  rssFeed,
  slug,
  type BuiltCorpus,
  type CorpusItem,
  type FeedItemSpec,
  type HardKind,
} from './corpus.js';
import type { LocalSite } from './sites.js';

const LINK_CREDITS = [
  (a: string) => `Continue reading on ${a}`,
  (a: string) => `Read the full story at ${a}.`,
  (a: string) => `Read the full article on ${a}`,
  (a: string) => `Weiterlesen auf ${a}`,
  (a: string) => `Lire la suite sur ${a}`,
];
const TEXT_CREDITS = [
  (p: string) => `This article originally appeared on ${p}.`,
  (p: string) => `Source: ${p}`,
  (p: string) => `This story was first published by ${p}.`,
  (p: string) => `Quelle: ${p}`,
];

const ISSUERS = ['Calder Port Holdings', 'Vell Valley Energy'];
const COMPANIES = [
  ['Northwind Logistics', 'NWL'],
  ['Harborline Shipping', 'HBL'],
  ['Quayside Cranes', 'QSC'],
  ['Tidewater Foods', 'TWF'],
  ['Ironbridge Metals', 'IBM'],
  ['Saltmarsh Energy', 'SME'],
] as const;

function words(pool: readonly string[], n: number, rand: () => number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(pool[Math.floor(rand() * pool.length)]!);
  return out.join(' ');
}

/** Sentences of 12–20 pool words, capitalized and closed with a period. */
function prose(pool: readonly string[], sentences: number, rand: () => number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const s = words(pool, 12 + Math.floor(rand() * 9), rand);
    out.push(`${s.charAt(0).toUpperCase()}${s.slice(1)}.`);
  }
  return out.join(' ');
}

function typographic(text: string): string {
  return text
    .replace(/"([^"]*)"/g, '“$1”')
    .replace(/'/g, '’')
    .replace(/ - /g, ' — ');
}

export function buildHardCases(opts: {
  easy: BuiltCorpus;
  /** Sites for the copies; one more for the issuer, one more for the market reports. */
  copiers: LocalSite[];
  issuer: LocalSite;
  markets: LocalSite;
  pool: readonly string[];
  seed: number;
}): BuiltCorpus {
  const rand = rng(opts.seed + 17);
  const items: CorpusItem[] = [];
  const feedItems = new Map<LocalSite, FeedItemSpec[]>();
  const add = (site: LocalSite, path: string, html: string, feed: FeedItemSpec, item: CorpusItem): void => {
    site.pages.set(path, { type: 'text/html; charset=utf-8', body: html });
    feedItems.set(site, [...(feedItems.get(site) ?? []), feed]);
    items.push({ ...item, hard: true });
  };
  const base = Date.parse('2026-11-21T06:00:00Z');
  const at = (n: number): string => new Date(base + n * 60_000).toISOString();
  let n = 0;
  /** Serves one page at `path` of `site` in aggregator look `look`, lists it in the site's feed, records it. */
  const publish = (
    site: LocalSite,
    path: string,
    page: { look: number; title: string; html: string },
    item: Pick<CorpusItem, 'kind' | 'group' | 'expect'>,
  ): void => {
    const url = `${site.origin}${path}`;
    const publishedAt = at(n++);
    const { look, title, html } = page;
    add(
      site,
      path,
      copyPage({ look, title, bodyHtml: html, publishedAt }),
      { title, link: url, publishedAt },
      { url, ...item },
    );
  };

  const kinds = [
    'link-credit',
    'text-credit',
    'inserted',
    'typography',
  ] as const satisfies readonly HardKind[];
  opts.easy.originals.forEach(({ page, url: origUrl, publisher }, g) => {
    const paras = paragraphsOf(page.body);
    if (paras.length < 3) return;
    kinds.forEach((kind, k) => {
      const look = (g + k) % opts.copiers.length;
      const site = opts.copiers[look]!;
      const path = `/${kind}/${slug(page.title, g)}/`;
      const title = editHeadline(page.title, opts.pool, rand);
      let body: string;
      let expect: CorpusItem['expect'] = null;
      switch (kind) {
        case 'link-credit': {
          const credit = LINK_CREDITS[g % LINK_CREDITS.length]!(
            `<a href="${esc(origUrl)}">${esc(publisher)}</a>`,
          );
          body = `${paras
            .slice(0, 2)
            .map(p => `<p>${esc(p)}</p>`)
            .join('\n')}\n<p>${credit}</p>`;
          expect = { originalUrl: origUrl, publisher };
          break;
        }
        case 'text-credit':
          body = `${paras.map(p => `<p>${esc(p)}</p>`).join('\n')}\n<p>${esc(TEXT_CREDITS[g % TEXT_CREDITS.length]!(publisher))}</p>`;
          expect = { originalUrl: null, publisher };
          break;
        case 'inserted': {
          const mid = Math.floor(paras.length / 2);
          const inserted = [
            `<p><strong>Read also:</strong> <a href="/news/${g}-other/">${esc(editHeadline('Markets wait for the central bank', opts.pool, rand))}</a></p>`,
            `<div class="ad"><p>Advertisement</p><p>${esc(prose(opts.pool, 2, rand))}</p></div>`,
          ];
          body = [
            ...paras.slice(0, mid).map(p => `<p>${esc(p)}</p>`),
            ...inserted,
            ...paras.slice(mid).map(p => `<p>${esc(p)}</p>`),
          ].join('\n');
          break;
        }
        case 'typography': {
          const merged: string[] = [];
          for (let i = 0; i < paras.length; i += 2) merged.push(paras.slice(i, i + 2).join(' '));
          body = merged.map(p => `<p>${esc(typographic(p))}</p>`).join('\n');
          break;
        }
      }
      publish(site, path, { look, title, html: body }, { kind, group: page.id, expect });
    });
  });

  // Press releases of one issuer: distinct news, one long boilerplate.
  opts.copiers.slice(0, 1).forEach(copier => {
    for (const [s, issuer] of ISSUERS.entries()) {
      const about = `About ${issuer}. ${prose(opts.pool, 6, rand)} Forward-looking statements: ${prose(opts.pool, 8, rand)}`;
      for (let r = 0; r < 6; r++) {
        const title = `${issuer} ${words(opts.pool, 5, rand)}`;
        const news = [prose(opts.pool, 4, rand), prose(opts.pool, 3, rand)];
        const html = [...news, about].map(p => `<p>${esc(p)}</p>`).join('\n');
        const group = `release:${s}:${r}`;
        publish(
          opts.issuer,
          `/releases/${s}-${r}/`,
          { look: 3, title, html },
          { kind: 'release', group, expect: null },
        );
        // One release republished verbatim on another site: a positive.
        if (r === 0) {
          publish(
            copier,
            `/wire/${s}-${r}/`,
            { look: 0, title, html },
            { kind: 'release-copy', group, expect: null },
          );
        }
      }
    }
  });

  // Templated market reports: the same sentences, other companies and figures.
  const template = [prose(opts.pool, 3, rand), prose(opts.pool, 3, rand), prose(opts.pool, 2, rand)];
  COMPANIES.forEach(([company, ticker], c) => {
    const fig = (): string => (rand() * 200).toFixed(2);
    const [price, change, volume, high, low, cap] = [fig(), fig(), fig(), fig(), fig(), fig()];
    const paras = [
      `Shares of ${company} (${ticker}) closed at ${price} dollars on Friday, a change of ${change} percent. ${template[0]}`,
      `Trading volume reached ${volume} thousand shares. ${template[1]} The stock ranged between ${low} and ${high}.`,
      `${company} has a market value of ${cap} million dollars. ${template[2]}`,
    ];
    const title = `${company} (${ticker}) stock closes at ${price}`;
    const html = paras.map(p => `<p>${esc(p)}</p>`).join('\n');
    const group = `report:${c}`;
    publish(
      opts.markets,
      `/reports/${ticker.toLowerCase()}/`,
      { look: 2, title, html },
      { kind: 'report', group, expect: null },
    );
    if (c === 0) {
      const copier = opts.copiers[opts.copiers.length - 1]!;
      publish(
        copier,
        `/stocks/${ticker.toLowerCase()}/`,
        { look: 1, title, html },
        { kind: 'report-copy', group, expect: null },
      );
    }
  });

  // Templated notices: one long text rich in shared names (exchange, board, regulator, month) and the same
  // figures, differing only in the company — the names are the facts that keep them apart.
  const notice = [prose(opts.pool, 4, rand), prose(opts.pool, 4, rand), prose(opts.pool, 3, rand)];
  COMPANIES.slice(0, 4).forEach(([company, ticker], c) => {
    const paras = [
      `${company} (Nasdaq: ${ticker}) announced on Monday that its Board of Directors declared a quarterly cash dividend of 0.24 dollars per share, payable on March 16, 2026 to shareholders of record at the close of business on March 2, 2026. ${notice[0]}`,
      `${notice[1]} The increase is the twelfth in a row for ${company}, the company said in a filing with the Securities and Exchange Commission.`,
      `${notice[2]} The announcement is on the ${company} investor relations website.`,
    ];
    const title = `${company} declares quarterly dividend`;
    const html = paras.map(p => `<p>${esc(p)}</p>`).join('\n');
    const group = `notice:${c}`;
    publish(
      opts.markets,
      `/notices/${ticker.toLowerCase()}/`,
      { look: 2, title, html },
      { kind: 'notice', group, expect: null },
    );
    if (c === 1) {
      publish(
        opts.copiers[0]!,
        `/dividends/${ticker.toLowerCase()}/`,
        { look: 0, title: `Dividend: ${title}`, html: html.replace(/"/g, '“') },
        { kind: 'notice-copy', group, expect: null },
      );
    }
  });

  // Templated updates of one company: the same long text, other figures (a price and a change each day).
  const update = [prose(opts.pool, 5, rand), prose(opts.pool, 5, rand)];
  const [uCompany, uTicker] = COMPANIES[5];
  for (let d = 0; d < 4; d++) {
    const price = (40 + rand() * 20).toFixed(2);
    const change = (rand() * 5).toFixed(1);
    const paras = [
      `Shares of ${uCompany} traded at ${price} dollars at noon, ${d % 2 ? 'down' : 'up'} ${change} percent from the open. ${update[0]}`,
      `${update[1]}`,
    ];
    const title = `${uCompany} (${uTicker}) shares at ${price} at noon`;
    const html = paras.map(p => `<p>${esc(p)}</p>`).join('\n');
    const group = `update:${d}`;
    publish(
      opts.markets,
      `/updates/${d}/`,
      { look: 2, title, html },
      { kind: 'update', group, expect: null },
    );
    if (d === 2) {
      publish(
        opts.copiers[1 % opts.copiers.length]!,
        `/markets/${uTicker.toLowerCase()}-${d}/`,
        { look: 1, title, html },
        { kind: 'update-copy', group, expect: null },
      );
    }
  }

  const feeds: BuiltCorpus['feeds'] = [];
  let f = 0;
  for (const [site, list] of feedItems) {
    site.pages.set('/feed.xml', {
      type: 'application/rss+xml; charset=utf-8',
      body: rssFeed(`hard site ${f}`, `${site.origin}/`, list),
    });
    feeds.push({ id: `hard-${f++}`, url: `${site.origin}/feed.xml` });
  }
  return { items, feeds, originals: [] };
}
