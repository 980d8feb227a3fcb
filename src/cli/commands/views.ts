import { formatBytes } from '../../store/memory.js';
import type { ArticleView, StoryView } from '../../consumer/reader.js';
import type { FeedView, SystemStatus } from '../../metrics/status.js';

/** Plain-text renderings for the terminal; every command also has `--json` for scripts. */

function attributionText(a: ArticleView['attribution']): string {
  if (!a) return 'none';
  return `${a.originalPublisher ?? '?'} <${a.originalUrl ?? '?'}> (${a.method})`;
}

export function formatArticleView(a: ArticleView): string {
  const role = a.isRepresentative ? 'representative' : `copy; representative ${a.representativeId}`;
  const lines = [
    `article ${a.id}`,
    `  story:       ${a.storyId} (${a.relation}, ${role})`,
    `  title:       ${a.title ?? '(untitled)'}`,
    `  url:         ${a.url}`,
    `  canonical:   ${a.canonicalUrl}`,
    `  feed:        ${a.feed.id}${a.siteName ? `   site: ${a.siteName}` : ''}`,
    `  published:   ${a.publishedAt ?? '?'}   fetched: ${a.fetchedAt}`,
    `  words:       ${a.wordCount}`,
    `  attribution: ${attributionText(a.attribution)}`,
  ];
  if (a.body) {
    const text = a.body.contentText.replace(/\s+/g, ' ').trim();
    lines.push(
      `  body:        ${a.isRepresentative ? 'this article' : `the representative's (${a.body.url})`}`,
      `    ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`,
    );
  }
  return lines.join('\n');
}

export function formatStoryView(s: StoryView): string {
  const rep = s.members.find(m => m.articleId === s.representativeId);
  const lines = [
    `story ${s.storyId} — ${s.members.length} member${s.members.length === 1 ? '' : 's'}`,
    `  created ${s.createdAt}, updated ${s.updatedAt}`,
    `  representative: ${rep?.title ?? s.body?.title ?? '(untitled)'}`,
    `                  ${s.representativeUrl}`,
    '  members:',
  ];
  const w = Math.max(...s.members.map(m => m.relation.length), 8);
  const f = Math.max(...s.members.map(m => m.feed.id.length), 4);
  for (const m of s.members) {
    lines.push(
      `    ${m.relation.padEnd(w)}  ${m.feed.id.padEnd(f)}  ${m.url}` +
        (m.attribution ? `\n    ${' '.repeat(w + f + 4)}credits ${attributionText(m.attribution)}` : ''),
    );
  }
  return lines.join('\n');
}

function table(headers: string[], rows: (string | number)[][], indent = '  '): string[] {
  const cells = [headers, ...rows.map(r => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)));
  return cells.map(
    r =>
      indent +
      r
        .map((c, i) => (i === 0 ? (c ?? '').padEnd(widths[i]!) : (c ?? '').padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

const HEALTH_TEXT: Record<FeedView['health'], string> = {
  ok: 'ok',
  'backing-off': 'backing off',
  disabled: 'disabled',
  'never-polled': 'never polled',
};

function feedLine(f: FeedView, idWidth: number): string {
  let detail = '';
  if (f.health === 'disabled') detail = f.disabledReason ?? f.lastError?.reason ?? '';
  else if (f.health === 'backing-off') {
    detail =
      `${f.consecutiveErrors} error${f.consecutiveErrors === 1 ? '' : 's'} in a row; ` +
      `${f.lastError?.class ?? '?'}: ${f.lastError?.reason ?? '?'}` +
      (f.nextPollAt ? `; next poll ${f.nextPollAt}` : '');
  } else if (f.health === 'ok') {
    detail = `last ${f.lastStatus ?? '?'} at ${f.lastPolledAt ?? '?'}`;
    if (f.state.overflows && f.state.overflows !== '0') {
      detail += `; overflowed ${f.state.overflows}×, last at ${f.state.lastOverflowAt ?? '?'}`;
    }
  }
  return `  ${f.id.padEnd(idWidth)}  ${HEALTH_TEXT[f.health].padEnd(12)}  ${detail}`.trimEnd();
}

export function formatStatus(s: SystemStatus, prefix: string): string {
  const out: string[] = [`newsflow status — ${s.at} (key prefix "${prefix}")`, ''];

  const m = s.memory;
  out.push(
    m.state === 'unlimited'
      ? `memory: ${formatBytes(m.used)} used, no maxmemory (no back-pressure)`
      : `memory: ${formatBytes(m.used)} of ${formatBytes(m.max)} (${(100 * m.ratio).toFixed(1)} %), ${m.state}` +
          ` — pause at ${Math.round(100 * m.highWatermark)} %, resume below ${Math.round(100 * m.lowWatermark)} %` +
          (m.state === 'high' ? ': pollers and extractors paused' : ''),
  );
  out.push('');

  out.push('queues');
  out.push(
    ...table(
      ['', 'waiting', 'active', 'delayed', 'failed', 'completed'],
      Object.entries(s.queues).map(([name, c]) => [
        name,
        c.waiting + c.prioritized,
        c.active,
        c.delayed,
        c.failed,
        c.completed,
      ]),
    ),
  );
  out.push('');

  const by = (h: FeedView['health']): number => s.feeds.filter(f => f.health === h).length;
  out.push(
    `feeds (${s.feeds.length}): ${by('ok')} ok, ${by('backing-off')} backing off, ${by('disabled')} disabled` +
      (by('never-polled') ? `, ${by('never-polled')} never polled` : '') +
      (s.counters['feed.overflow']
        ? `; ${s.counters['feed.overflow']} overflowing polls (every item new), ` +
          `${s.counters['feed.overflow.filled'] ?? 0} URLs filled from news sitemaps`
        : ''),
  );
  const idWidth = Math.max(0, ...s.feeds.map(f => f.id.length));
  // Problems first: that is what an operator looks for.
  const order: FeedView['health'][] = ['backing-off', 'disabled', 'never-polled', 'ok'];
  for (const h of order) for (const f of s.feeds.filter(x => x.health === h)) out.push(feedLine(f, idWidth));
  out.push('');

  const st = s.stream;
  out.push(
    `stream ${st.key}: ${st.length} entr${st.length === 1 ? 'y' : 'ies'}` +
      (st.firstId ? ` (first ${st.firstId}, last ${st.lastId})` : ''),
  );
  if (st.groups.length === 0) out.push('  no consumer groups');
  else {
    out.push(
      ...table(
        ['group', 'consumers', 'pending', 'lag', 'oldest owed'],
        st.groups.map(g => [
          g.name,
          g.consumers,
          g.pending,
          g.lag ?? '?',
          (g.oldestAt ?? '-') +
            (g.behindRetention ? '  BEHIND RETENTION: stories it points at may be gone' : ''),
        ]),
      ),
    );
  }
  out.push('');

  const dl = s.deadLetters;
  const reasons = Object.entries(dl.byReason).sort((a, b) => b[1] - a[1]);
  out.push(
    `dead letters ${dl.key}: ${dl.total}` +
      (reasons.length ? ` — ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}` : '') +
      (dl.scanned < dl.total ? ` (newest ${dl.scanned} counted)` : ''),
  );
  out.push('');

  const failures = Object.entries(s.failures.counts).flatMap(([scope, classes]) =>
    Object.entries(classes).map(([cls, n]) => `${scope} ${cls} ${n}`),
  );
  out.push(`failures (all time): ${failures.length ? failures.join(', ') : 'none'}`);
  for (const f of s.failures.recent) {
    out.push(`  ${f.at}  ${f.scope} ${f.feedOrArticle}  ${f.class}: ${f.reason}`);
  }
  return out.join('\n');
}
