import type { StoryRelation } from '../../dedupe/story.js';
import type { FeedView, FailureRow, QueueCounts, SystemStatus } from '../../metrics/status.js';
import { QUEUE_STATES } from '../../metrics/status.js';
import { extLink, html, raw, type HtmlValue, type SafeHtml } from './html.js';

/**
 * The console's pages as pure functions: data in, SafeHtml out. Routes (routes.ts) read and call these; nothing
 * here does IO, so a page can be tested from a literal. No page carries a script: everything works as links and
 * forms, and the CSP forbids scripts anyway.
 */

export const CONSOLE_CSS_PATH = '/console/console.css';

type Section = 'stories' | 'feeds' | 'failures' | 'consumers';

const NAV: { id: Section; href: string; label: string }[] = [
  { id: 'stories', href: '/', label: 'Stories' },
  { id: 'feeds', href: '/console/feeds', label: 'Feeds' },
  { id: 'failures', href: '/console/failures', label: 'Failures' },
  { id: 'consumers', href: '/console/consumers', label: 'Consumers & queues' },
];

/** Whether rendering `v` gives no rows (an empty list, or lists of empty lists). */
function noRows(v: HtmlValue): boolean {
  return Array.isArray(v)
    ? (v as readonly HtmlValue[]).every(noRows)
    : v === null || v === undefined || v === false;
}

/**
 * Every table of the console: a caption (what the rows are, for screen readers too), one row of column headers,
 * and the rows — or, with none, one cell across all columns saying so.
 */
function dataTable(t: {
  caption: SafeHtml;
  headers: readonly string[];
  rows: HtmlValue;
  empty?: SafeHtml | string;
}): SafeHtml {
  return html`<table>
    <caption>
      ${t.caption}
    </caption>
    <thead>
      <tr>
        ${t.headers.map(h => html`<th scope="col">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${
        t.empty !== undefined && noRows(t.rows)
          ? html`<tr>
              <td colspan="${t.headers.length}">${t.empty}</td>
            </tr>`
          : t.rows
      }
    </tbody>
  </table>`;
}

export function layout(p: { title: string; section: Section | null; body: SafeHtml }): SafeHtml {
  const nav = NAV.map(
    n =>
      html`<li>
        <a href="${n.href}" ${n.id === p.section ? raw(' aria-current="page"') : ''}>${n.label}</a>
      </li>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>${p.title} — newsflow console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${CONSOLE_CSS_PATH}" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">newsflow</span>
          <nav aria-label="Console sections">
            <ul>
              ${nav}
            </ul>
          </nav>
        </header>
        <main id="main" tabindex="-1">${p.body}</main>
      </body>
    </html> `;
}

/** An ISO time as a short UTC reading, in a <time> element; a dash when absent. */
export function when(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="none">—</span>`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return html`${iso}`;
  const text = new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d+Z$/, 'Z');
  return html`<time datetime="${new Date(t).toISOString()}">${text}</time>`;
}

function dash(v: HtmlValue): HtmlValue {
  return v === null || v === undefined || v === '' ? html`<span class="none">—</span>` : v;
}

export function humanDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${ms} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 6) / 10;
  return h < 48 ? `${h} h` : `${Math.round(h / 2.4) / 10} d`;
}

/** A link built from a path and query parameters (empty ones left out). */
export function href(path: string, query: Record<string, string | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

function pager(links: { first?: string | null; next?: string | null }, label: string): SafeHtml {
  if (!links.first && !links.next) return html``;
  return html`<nav class="pager" aria-label="${label}">
    <ul>
      ${links.first ? html`<li><a href="${links.first}">First page</a></li>` : ''}
      ${links.next ? html`<li><a href="${links.next}" rel="next">Next page</a></li>` : ''}
    </ul>
  </nav>`;
}

function select(
  name: string,
  label: string,
  options: readonly string[],
  value: string | undefined,
): SafeHtml {
  const opts = ['', ...options].map(
    o =>
      html`<option value="${o}" ${o === (value ?? '') ? raw(' selected') : ''}>
        ${o === '' ? 'any' : o}
      </option>`,
  );
  return html`<label
    >${label}
    <select name="${name}" id="f-${name}">
      ${opts}
    </select></label
  >`;
}

// ---------------------------------------------------------------- stories

export const RELATIONS: readonly StoryRelation[] = [
  'original',
  'syndicated-copy',
  'excerpt-copy',
  'near-duplicate',
  'same-url',
];

export interface StoryFilters {
  feed?: string | undefined;
  tag?: string | undefined;
  relation?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  q?: string | undefined;
}

export interface StoryRow {
  storyId: string;
  title: string | null;
  url: string;
  siteName: string | null;
  wordCount: number;
  members: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoriesData {
  rows: StoryRow[];
  filters: StoryFilters;
  /** Cursor of the next page, null when the list ends here. */
  next: string | null;
  /** Stories examined for this page, and whether the scan stopped at its bound before the page filled. */
  scanned: number;
  boundHit: boolean;
  scanBound: number;
  feedIds: readonly string[];
  tags: readonly string[];
  /** This page was reached through a cursor (a "First page" link makes sense). */
  paged: boolean;
}

export function storiesPage(d: StoriesData): SafeHtml {
  const f = d.filters;
  const filtered = Object.values(f).some(Boolean);
  const rows = d.rows.map(
    r =>
      html`<tr>
        <th scope="row"><a href="/console/stories/${r.storyId}">${r.title ?? '(untitled)'}</a></th>
        <td>${dash(r.siteName)}</td>
        <td class="num">${r.wordCount}</td>
        <td class="num">${r.members}</td>
        <td>${when(r.createdAt)}</td>
        <td>${when(r.updatedAt)}</td>
      </tr>`,
  );
  const body = html`<h1>Stories</h1>
    <form class="filters" method="get" action="/" role="search" aria-label="Filter stories">
      ${select('feed', 'Feed', d.feedIds, f.feed)} ${select('tag', 'Tag', d.tags, f.tag)}
      ${select('relation', 'Relation', RELATIONS, f.relation)}
      <label
        >Since
        <input
          type="text"
          name="since"
          id="f-since"
          value="${f.since ?? ''}"
          placeholder="2026-12-01"
          size="12"
      /></label>
      <label
        >Until
        <input
          type="text"
          name="until"
          id="f-until"
          value="${f.until ?? ''}"
          placeholder="2026-12-31T12:00Z"
          size="12"
      /></label>
      <label>Title <input type="search" name="q" id="f-q" value="${f.q ?? ''}" size="18" /></label>
      <button type="submit">Filter</button>
      ${filtered ? html`<a href="/">Clear filters</a>` : ''}
    </form>
    ${
      d.boundHit
        ? html`<p class="note" role="status">
            This page examined ${d.scanBound} stories (the bound per page) before it filled; “Next page” goes
            on from there.
          </p>`
        : ''
    }
    ${dataTable({
      caption: html`Stories, newest first${filtered ? ' (filtered)' : ''}`,
      headers: ['Representative', 'Site', 'Words', 'Members', 'Created', 'Updated'],
      rows: rows,
      empty: html`No story${filtered ? ' matches these filters' : ' yet'}.`,
    })}
    ${pager(
      {
        first: d.paged ? href('/', { ...f }) : null,
        next: d.next ? href('/', { ...f, cursor: d.next }) : null,
      },
      'Story pages',
    )}`;
  return layout({ title: 'Stories', section: 'stories', body });
}

// ---------------------------------------------------------------- one story

export interface MemberRow {
  articleId: string;
  representative: boolean;
  siteName: string | null;
  title: string | null;
  url: string;
  urlKey: string;
  feedId: string;
  relation: StoryRelation;
  credit: { method: string; originalUrl: string | null; originalPublisher: string | null } | null;
  /** The evidence the decision script stored; null for records written before it did. */
  via: string | null;
  matched: { articleId: string; url: string | null } | null;
  similarity: number | null;
  wordCount: number;
  publishedAt: string | null;
  fetchedAt: string;
}

export interface StoryEventRow {
  id: string;
  type: string;
  articleId: string;
  url: string;
  at: string;
}

export interface StoryData {
  storyId: string;
  title: string | null;
  representativeUrl: string;
  createdAt: string;
  updatedAt: string;
  hasBody: boolean;
  members: MemberRow[];
  events: StoryEventRow[];
  /** Stream entries examined for events (the newest ones), and whether the stream holds more. */
  eventsScanned: number;
  eventsBoundHit: boolean;
}

/** What each decision key means, in the words of docs/ARCHITECTURE.md ("Dedupe & stories"). */
const VIA: Record<string, string> = {
  new: 'founded the story',
  url: 'URL key (another address of a stored page)',
  attribution: 'credit (it names the original)',
  body: 'body hash (the same text)',
  lead: 'lead (the same opening)',
  minhash: 'MinHash similarity',
};

export function storyPage(d: StoryData): SafeHtml {
  const titleOf = (id: string): string => d.members.find(m => m.articleId === id)?.siteName ?? id;
  const members = d.members.map(
    m =>
      html`<tr>
        <th scope="row">
          ${dash(m.siteName)}${m.representative ? html` <span class="badge">representative</span>` : ''}
        </th>
        <td class="url">${extLink(m.url)}</td>
        <td>${m.relation}</td>
        <td>${dash(m.credit?.method)}</td>
        <td>${dash(m.credit?.originalPublisher)}</td>
        <td class="url">${m.credit?.originalUrl ? extLink(m.credit.originalUrl) : dash(null)}</td>
        <td><a href="/console/feeds/${m.feedId}">${m.feedId}</a></td>
      </tr>`,
  );
  const evidence = d.members.map(
    m =>
      html`<tr>
        <th scope="row">${dash(m.siteName)} <span class="id">${m.articleId}</span></th>
        <td>${m.via ? (VIA[m.via] ?? m.via) : dash(null)}</td>
        <td>
          ${m.matched ? html`${titleOf(m.matched.articleId)} <span class="id">${m.matched.articleId}</span>` : dash(null)}
        </td>
        <td class="num">${m.similarity === null ? dash(null) : m.similarity.toFixed(3)}</td>
        <td class="url"><code>${m.urlKey}</code></td>
        <td>
          ${m.credit ? html`${m.credit.method}${m.credit.originalUrl ? html` → <code>${m.credit.originalUrl}</code>` : ''}` : dash(null)}
        </td>
      </tr>`,
  );
  const events = d.events.map(
    e =>
      html`<tr>
        <td><code>${e.id}</code></td>
        <th scope="row">${e.type}</th>
        <td><span class="id">${e.articleId}</span></td>
        <td>${when(e.at)}</td>
      </tr>`,
  );
  const body = html`<p class="crumbs"><a href="/">Stories</a> › story <code>${d.storyId}</code></p>
    <h1>${d.title ?? '(untitled)'}</h1>
    <dl class="facts">
      <dt>Representative</dt>
      <dd>${extLink(d.representativeUrl)}</dd>
      <dt>Created</dt>
      <dd>${when(d.createdAt)}</dd>
      <dt>Updated</dt>
      <dd>${when(d.updatedAt)}</dd>
      <dt>Members</dt>
      <dd>${d.members.length}</dd>
      <dt>JSON</dt>
      <dd><a href="/stories/${d.storyId}">/stories/${d.storyId}</a></dd>
    </dl>
    <section aria-labelledby="h-body">
      <h2 id="h-body">Body</h2>
      ${
        d.hasBody
          ? html`<p class="note">
                The sanitized body, in a sandboxed frame: no scripts, no same-origin access.
              </p>
              <iframe
                class="body"
                sandbox
                src="/console/stories/${d.storyId}/body"
                title="Sanitized body of the story"
              ></iframe>`
          : html`<p>No body stored for this story.</p>`
      }
    </section>
    <section aria-labelledby="h-members">
      <h2 id="h-members">Members</h2>
      ${dataTable({
        caption: html`Members of the story, in join order`,
        headers: ['Site', 'URL', 'Relation', 'Credit method', 'Credited publisher', 'Original', 'Feed'],
        rows: members,
      })}
    </section>
    <section aria-labelledby="h-evidence">
      <h2 id="h-evidence">Evidence</h2>
      ${dataTable({
        caption: html`Why each member is in the story`,
        headers: ['Member', 'Matched by', 'Matched member', 'MinHash similarity', 'URL key', 'Credit'],
        rows: evidence,
      })}
    </section>
    <section aria-labelledby="h-events">
      <h2 id="h-events">Stream events</h2>
      ${dataTable({
        caption: html`Events of this story among the newest ${d.eventsScanned} stream
        entries${d.eventsBoundHit ? ' (older entries not examined)' : ''}`,
        headers: ['Entry', 'Type', 'Article', 'At'],
        rows: events,
        empty: 'None found.',
      })}
    </section>`;
  return layout({ title: `Story ${d.title ?? d.storyId}`, section: 'stories', body });
}

const LANG_RE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/**
 * The story's sanitized body as a document of its own, shown in `<iframe sandbox>` and served with a sandboxing
 * CSP: the sanitizer already removed scripts; the frame and the CSP make sure nothing it missed can run.
 */
export function bodyDocument(a: {
  title: string | null;
  lang: string | null;
  contentHtml: string;
}): SafeHtml {
  const lang = a.lang && LANG_RE.test(a.lang) ? a.lang : 'en';
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="color-scheme" content="light dark" />
        <title>${a.title ?? 'Story body'}</title>
        <style>
          body {
            font:
              16px/1.5 Georgia,
              serif;
            margin: 1rem;
            max-width: 42rem;
            color: #1b1b1b;
            background: #fff;
          }
          img,
          video,
          figure {
            max-width: 100%;
            height: auto;
          }
          a {
            color: #0b57d0;
          }
          @media (prefers-color-scheme: dark) {
            body {
              color: #e8e8e8;
              background: #161616;
            }
            a {
              color: #8ab4f8;
            }
          }
        </style>
      </head>
      <body>
        <h1>${a.title ?? ''}</h1>
        ${raw(a.contentHtml)}
      </body>
    </html> `;
}

// ---------------------------------------------------------------- feeds

export function feedsPage(d: { feeds: FeedView[]; page: number; pages: number; total: number }): SafeHtml {
  const rows = d.feeds.map(
    f =>
      html`<tr>
        <th scope="row">
          <a href="/console/feeds/${f.id}">${f.id}</a
          >${f.title ? html`<br /><span class="sub">${f.title}</span>` : ''}
        </th>
        <td><span class="health health-${f.health}">${f.health}</span></td>
        <td>${when(f.lastPolledAt)}</td>
        <td class="num">${dash(f.lastStatus)}</td>
        <td>${f.health === 'disabled' ? dash(null) : when(f.nextPollAt)}</td>
        <td>
          ${f.intervalMs === null ? dash(null) : html`${humanDuration(f.intervalMs)} <span class="sub">(${f.intervalReason ?? '?'})</span>`}
        </td>
        <td class="num">${f.consecutiveErrors}</td>
        <td>${dash(f.disabledReason)}</td>
      </tr>`,
  );
  const body = html`<h1>Feeds</h1>
    ${dataTable({
      caption: html`${d.total} feeds${d.pages > 1 ? `, page ${d.page} of ${d.pages}` : ''}`,
      headers: [
        'Feed',
        'Status',
        'Last poll',
        'Status code',
        'Next poll',
        'Interval (reason)',
        'Errors',
        'Disabled reason',
      ],
      rows: rows,
      empty: 'No feeds in feeds.yaml.',
    })}
    ${pager(
      {
        first: d.page > 1 ? '/console/feeds' : null,
        next: d.page < d.pages ? href('/console/feeds', { page: String(d.page + 1) }) : null,
      },
      'Feed pages',
    )}`;
  return layout({ title: 'Feeds', section: 'feeds', body });
}

export interface FeedItemRow {
  articleId: string;
  storyId: string;
  title: string | null;
  url: string;
  relation: StoryRelation;
  isRepresentative: boolean;
  storedAt: string;
}

/** What the viewer may do on a feed page. */
export type FeedActions =
  | { kind: 'off' }
  | { kind: 'sign-in'; href: string }
  | { kind: 'allowed'; csrf: string; canPoll: boolean; notice: string | null };

export interface FeedData {
  feed: FeedView;
  tags: readonly string[];
  items: FeedItemRow[];
  itemsNext: string | null;
  itemsPaged: boolean;
  /** The feed's items that were not stored — skipped or failed as articles — newest first. */
  notStored: FailureRow[];
  notStoredBoundHit: boolean;
  failures: FailureRow[];
  failuresBoundHit: boolean;
  actions: FeedActions;
}

function failureRows(rows: FailureRow[], showScope: boolean): SafeHtml[] {
  return rows.map(
    r =>
      html`<tr>
        <td>${when(r.at)}</td>
        ${
          showScope
            ? html`<td>${r.scope}</td>
                <td>
                  ${r.scope === 'feed' ? html`<a href="/console/feeds/${r.feedOrArticle}">${r.feedOrArticle}</a>` : html`<span class="id">${r.feedOrArticle}</span>`}
                </td>`
            : ''
        }
        <th scope="row"><a href="${href('/console/failures', { class: r.class })}">${r.class}</a></th>
        <td>${r.reason}</td>
        <td class="url">${extLink(r.url)}</td>
      </tr>`,
  );
}

/** A feed page's table of failure records (of its polls, or of its items), newest first. */
function feedFailureTable(rows: FailureRow[], what: string, boundHit: boolean): SafeHtml {
  return dataTable({
    caption: html`${what}, newest first${boundHit ? ' (among the newest failures recorded)' : ''}`,
    headers: ['At', 'Class', 'Reason', 'URL'],
    rows: failureRows(rows, false),
    empty: 'None recorded.',
  });
}

export function feedPage(d: FeedData): SafeHtml {
  const f = d.feed;
  const a = d.actions;
  const actions =
    a.kind === 'off'
      ? html`<p class="note">
          Actions are off: set <code>api.adminToken</code> to enable and poll feeds from here.
        </p>`
      : a.kind === 'sign-in'
        ? html`<p><a href="${a.href}">Sign in with the admin token</a> to enable or poll this feed.</p>`
        : html`${a.notice ? html`<p class="notice" role="status">${a.notice}</p>` : ''}
            <div class="actions">
              ${
                f.health === 'disabled' && f.enabled
                  ? html`<form method="post" action="/console/feeds/${f.id}/enable">
                      <input type="hidden" name="csrf" value="${a.csrf}" /><button type="submit">
                        Enable feed
                      </button>
                    </form>`
                  : ''
              }
              ${
                a.canPoll && f.health !== 'disabled'
                  ? html`<form method="post" action="/console/feeds/${f.id}/poll">
                      <input type="hidden" name="csrf" value="${a.csrf}" /><button type="submit">
                        Poll now
                      </button>
                    </form>`
                  : ''
              }
            </div>`;
  const items = d.items.map(
    i =>
      html`<tr>
        <th scope="row"><a href="/console/stories/${i.storyId}">${i.title ?? '(untitled)'}</a></th>
        <td>${i.relation}${i.isRepresentative ? html` <span class="badge">representative</span>` : ''}</td>
        <td>${when(i.storedAt)}</td>
        <td class="url">${extLink(i.url)}</td>
      </tr>`,
  );
  const body = html`<p class="crumbs"><a href="/console/feeds">Feeds</a> › <code>${f.id}</code></p>
    <h1>Feed ${f.title ?? f.id}</h1>
    <dl class="facts">
      <dt>URL</dt>
      <dd class="url">${extLink(f.url)}</dd>
      <dt>Status</dt>
      <dd><span class="health health-${f.health}">${f.health}</span></dd>
      <dt>Tags</dt>
      <dd>${d.tags.length > 0 ? d.tags.join(', ') : dash(null)}</dd>
      <dt>Last poll</dt>
      <dd>${when(f.lastPolledAt)} ${f.lastStatus !== null ? html`(status ${f.lastStatus})` : ''}</dd>
      <dt>Last success</dt>
      <dd>${when(f.lastSuccessAt)}</dd>
      <dt>Next poll</dt>
      <dd>${f.health === 'disabled' ? dash(null) : when(f.nextPollAt)}</dd>
      <dt>Interval</dt>
      <dd>${humanDuration(f.intervalMs)}${f.intervalReason ? ` (${f.intervalReason})` : ''}</dd>
      <dt>Overflows</dt>
      <dd>
        ${f.state.overflows ?? '0'}${f.state.lastOverflowAt ? html` (last ${when(f.state.lastOverflowAt)}, ${f.state.lastOverflowFilled ?? '0'} filled from the news sitemap)` : ''}
      </dd>
      <dt>Consecutive errors</dt>
      <dd>${f.consecutiveErrors}</dd>
      <dt>Last error</dt>
      <dd>
        ${f.lastError ? html`${f.lastError.class}: ${f.lastError.reason} (${when(f.lastError.at)})` : dash(null)}
      </dd>
      <dt>Disabled reason</dt>
      <dd>${dash(f.disabledReason)}</dd>
    </dl>
    <section aria-labelledby="h-actions">
      <h2 id="h-actions">Actions</h2>
      ${actions}
    </section>
    <section aria-labelledby="h-items">
      <h2 id="h-items">Recent items</h2>
      ${dataTable({
        caption: html`Articles stored from this feed, newest first, and what became of each`,
        headers: ['Title', 'Became', 'Stored', 'URL'],
        rows: items,
        empty: html`No article stored from this feed${d.itemsPaged ? ' on this page' : ''}.`,
      })}
      ${pager(
        {
          first: d.itemsPaged ? `/console/feeds/${f.id}` : null,
          next: d.itemsNext ? href(`/console/feeds/${f.id}`, { cursor: d.itemsNext }) : null,
        },
        'Item pages',
      )}
    </section>
    <section aria-labelledby="h-not-stored">
      <h2 id="h-not-stored">Items not stored</h2>
      ${feedFailureTable(d.notStored, 'Items of this feed skipped or failed as articles', d.notStoredBoundHit)}
    </section>
    <section aria-labelledby="h-failures">
      <h2 id="h-failures">Recent poll failures</h2>
      ${feedFailureTable(d.failures, 'Failures of polls of this feed', d.failuresBoundHit)}
      <p>
        <a href="${href('/console/failures', { feed: f.id })}">All failures of this feed and its items</a>
      </p>
    </section>`;
  return layout({ title: `Feed ${f.id}`, section: 'feeds', body });
}

// ---------------------------------------------------------------- failures

export interface FailuresData {
  counts: Record<string, Record<string, number>>;
  rows: FailureRow[];
  filter: {
    class?: string | undefined;
    scope?: string | undefined;
    id?: string | undefined;
    feed?: string | undefined;
  };
  next: string | null;
  paged: boolean;
  scanned: number;
  boundHit: boolean;
}

export function failuresPage(d: FailuresData): SafeHtml {
  const classes = [...new Set(Object.values(d.counts).flatMap(c => Object.keys(c)))].sort();
  const counts = Object.entries(d.counts).flatMap(([scope, byClass]) =>
    Object.entries(byClass)
      .sort((x, y) => y[1] - x[1])
      .map(
        ([cls, n]) =>
          html`<tr>
            <td>${scope}</td>
            <th scope="row"><a href="${href('/console/failures', { class: cls })}">${cls}</a></th>
            <td class="num">${n}</td>
          </tr>`,
      ),
  );
  const filtered = Object.values(d.filter).some(Boolean);
  const body = html`<h1>Failures</h1>
    <form class="filters" method="get" action="/console/failures" role="search" aria-label="Filter failures">
      ${select('class', 'Class', classes, d.filter.class)}
      ${d.filter.scope ? html`<input type="hidden" name="scope" value="${d.filter.scope}" />` : ''}
      ${d.filter.id ? html`<input type="hidden" name="id" value="${d.filter.id}" />` : ''}
      ${d.filter.feed ? html`<input type="hidden" name="feed" value="${d.filter.feed}" />` : ''}
      <button type="submit">Filter</button>
      ${filtered ? html`<a href="/console/failures">Clear filters</a>` : ''}
    </form>
    ${d.boundHit ? html`<p class="note" role="status">This page examined ${d.scanned} failure records (the bound per page) before it filled; “Next page” goes on from there.</p>` : ''}
    ${dataTable({
      caption: html`Failure
      records${d.filter.class ? ` of class ${d.filter.class}` : ''}${d.filter.id ? ` of ${d.filter.id}` : ''}${d.filter.feed ? ` of feed ${d.filter.feed} and its items` : ''},
      newest first`,
      headers: ['At', 'Scope', 'Feed or article', 'Class', 'Reason', 'URL'],
      rows: failureRows(d.rows, true),
      empty: 'None recorded.',
    })}
    ${pager(
      {
        first: d.paged ? href('/console/failures', { ...d.filter }) : null,
        next: d.next ? href('/console/failures', { ...d.filter, before: d.next }) : null,
      },
      'Failure pages',
    )}
    ${dataTable({
      caption: html`Failures counted since the counters began, by scope and class`,
      headers: ['Scope', 'Class', 'Count'],
      rows: counts,
      empty: 'None.',
    })}`;
  return layout({
    title: d.filter.class ? `Failures: ${d.filter.class}` : 'Failures',
    section: 'failures',
    body,
  });
}

// ---------------------------------------------------------------- consumers and queues

function queueRow(name: string, c: QueueCounts): SafeHtml {
  return html`<tr>
    <th scope="row">${name}</th>
    ${QUEUE_STATES.map(s => html`<td class="num">${c[s]}</td>`)}
  </tr>`;
}

export function consumersPage(s: SystemStatus): SafeHtml {
  const groups = s.stream.groups.map(
    g =>
      html`<tr>
        <th scope="row">${g.name}</th>
        <td class="num">${g.consumers}</td>
        <td class="num">${g.pending}</td>
        <td class="num">${dash(g.lag)}</td>
        <td><code>${g.lastDeliveredId}</code></td>
        <td>${humanDuration(g.oldestAgeMs)}</td>
        <td>${g.behindRetention ? html`<strong>yes</strong>` : 'no'}</td>
      </tr>`,
  );
  const tally = (m: Record<string, number>, what: string): SafeHtml[] =>
    Object.entries(m)
      .sort((x, y) => y[1] - x[1])
      .map(
        ([k, n]) =>
          html`<tr>
            <th scope="row">${what} ${k}</th>
            <td class="num">${n}</td>
          </tr>`,
      );
  const counters = Object.entries(s.counters)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([k, n]) =>
        html`<tr>
          <th scope="row"><code>${k}</code></th>
          <td class="num">${n}</td>
        </tr>`,
    );
  const body = html`<h1>Consumers &amp; queues</h1>
    <p>
      Read at ${when(s.at)}, from the same readers as <code>newsflow status</code> and <code>/metrics</code>.
      Redis memory:
      ${s.memory.state}${s.memory.max > 0 ? ` (${Math.round(s.memory.ratio * 100)} % of maxmemory)` : ''}.
    </p>
    <section aria-labelledby="h-groups">
      <h2 id="h-groups">Consumer groups</h2>
      <p>Stream <code>${s.stream.key}</code>: ${s.stream.length} entries.</p>
      ${dataTable({
        caption: html`Consumer groups of the story stream`,
        headers: [
          'Group',
          'Consumers',
          'Pending',
          'Lag',
          'Last delivered',
          'Oldest owed',
          'Behind retention',
        ],
        rows: groups,
        empty: 'No consumer group.',
      })}
    </section>
    <section aria-labelledby="h-dlq">
      <h2 id="h-dlq">Dead letters</h2>
      ${dataTable({
        caption: html`${s.deadLetters.total} dead letters (counts over the newest ${s.deadLetters.scanned})`,
        headers: ['Reason or group', 'Entries'],
        rows: [tally(s.deadLetters.byReason, 'reason'), tally(s.deadLetters.byGroup, 'group')],
        empty: 'None.',
      })}
    </section>
    <section aria-labelledby="h-queues">
      <h2 id="h-queues">Queues</h2>
      ${dataTable({
        caption: html`Jobs per queue and state`,
        headers: ['Queue', ...QUEUE_STATES],
        rows: Object.entries(s.queues).map(([n, c]) => queueRow(n, c)),
      })}
    </section>
    <section aria-labelledby="h-counters">
      <h2 id="h-counters">Throughput counters</h2>
      ${dataTable({
        caption: html`Counters since the deployment began (what /metrics exports as totals)`,
        headers: ['Counter', 'Value'],
        rows: counters,
        empty: 'None yet.',
      })}
    </section>`;
  return layout({ title: 'Consumers & queues', section: 'consumers', body });
}

export function errorPage(status: number, message: string): SafeHtml {
  const title = status === 404 ? 'Not found' : status === 401 ? 'Sign-in needed' : `Error ${status}`;
  return layout({
    title,
    section: null,
    body: html`<h1>${title}</h1>
      <p>${message}</p>
      <p><a href="/">Back to the stories</a></p>`,
  });
}
