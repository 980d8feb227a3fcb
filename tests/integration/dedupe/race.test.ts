import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalUrlKey, hashKey } from '../../../src/dedupe/url-key.js';
import { articleJobId, articleJobOptions, type ArticleJobData } from '../../../src/pipeline/queues.js';
import { keysFor, QUEUE } from '../../../src/store/keys.js';
import { createStoryStore } from '../../../src/store/story-store.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';
import { bodyKeys, edit, streamEvents, text } from './helpers.js';
import { articlePage, paragraphs, startSite, yoastFooterHtml, type Site } from './web.js';

const RUN_TS = fileURLToPath(new URL('./child/run-ts.mjs', import.meta.url));
const EXTRACTOR = fileURLToPath(new URL('./child/extractor.ts', import.meta.url));
const COPIES = 50;

interface Extractor {
  child: ChildProcess;
  /** Resolves with the number of jobs the process completed, once it has exited. */
  completed: Promise<number>;
}

function startExtractor(prefix: string, ports: number[]): Promise<Extractor> {
  const child = spawn(process.execPath, [RUN_TS, EXTRACTOR, testRedisUrl(), prefix, ports.join(',')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let count = -1;
  const completed = new Promise<number>(done => child.once('exit', () => done(count)));
  return new Promise((resolveReady, reject) => {
    child.once('exit', code => reject(new Error(`extractor exited early (${code})`)));
    createInterface({ input: child.stdout }).on('line', line => {
      if (line === 'ready') resolveReady({ child, completed });
      const m = /^completed (\d+)$/.exec(line);
      if (m) count = Number(m[1]);
    });
  });
}

describe('two extractor processes racing on copies of one story', () => {
  const redis: Redis = testRedis();
  const prefix = testPrefix('dd-race');
  const sites: Site[] = [];
  const children: Extractor[] = [];

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(sites.map(s => s.close()));
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  it(`${COPIES} copies (exact, footer-linked, excerpt, edited) on ${COPIES} sites end as one story with one body`, async () => {
    const story = text(900, 420);
    const title = 'Port of Calder approves electric crane fleet';
    // The original publisher and one site per copy: content matches inside one site are held to the title.
    for (let i = 0; i <= COPIES; i++) sites.push(await startSite());
    const [ledger, ...copiers] = sites;
    const origUrl = `${ledger!.origin}/2026/11/20/cranes/`;
    ledger!.pages.set('/2026/11/20/cranes', {
      type: 'text/html',
      body: articlePage({
        title,
        siteName: 'Harbor Ledger',
        paragraphs: paragraphs(story),
        canonical: origUrl,
        publishedAt: '2026-11-20T10:00:00Z',
      }),
    });
    const footerHtml = yoastFooterHtml(origUrl, title, `${ledger!.origin}/`, 'Harbor Ledger');
    const footerText = `The post ${title} appeared first on Harbor Ledger.`;

    const jobs: ArticleJobData[] = copiers.map((site, i) => {
      const kind = i % 4;
      const body =
        kind === 3
          ? edit(story, 20, i)
          : kind === 2
            ? `${story.split(' ').slice(0, 55).join(' ')} […]`
            : story;
      site.pages.set('/story', {
        type: 'text/html',
        body: articlePage({
          title,
          siteName: `Copier ${i}`,
          paragraphs: kind === 2 ? [body] : paragraphs(body, 40 + i),
          tail: kind === 1 ? `<p>${footerText}</p>` : kind === 2 ? footerHtml : '',
          publishedAt: new Date(Date.parse('2026-11-20T11:00:00Z') + i * 60_000).toISOString(),
        }),
      });
      const url = `${site.origin}/story?utm_source=feed`;
      const urlKey = canonicalUrlKey(url)!;
      return {
        url,
        urlKey,
        urlHash: hashKey(urlKey),
        feed: { id: `copier-${i}`, url: `${site.origin}/feed.xml` },
        item: { title, contentHtml: kind === 1 ? `<p>${body}</p>${footerHtml}` : null },
        enqueuedAt: new Date().toISOString(),
      };
    });

    const ports = sites.map(s => s.port);
    children.push(...(await Promise.all([startExtractor(prefix, ports), startExtractor(prefix, ports)])));

    const keys = keysFor(prefix);
    const queue = new Queue<ArticleJobData>(QUEUE.extract, { connection: redis, prefix: keys.bullPrefix });
    try {
      await queue.addBulk(
        jobs.map(data => ({
          name: 'article',
          data,
          opts: { ...articleJobOptions(2), jobId: articleJobId(data.urlHash) },
        })),
      );
      // The footer copies enqueue the original; wait for it as well.
      const waitFor = [
        ...jobs.map(j => articleJobId(j.urlHash)),
        articleJobId(hashKey(canonicalUrlKey(origUrl)!)),
      ];
      const until = Date.now() + 120_000;
      for (;;) {
        const states = await Promise.all(waitFor.map(id => queue.getJobState(id)));
        if (states.every(s => s === 'completed' || s === 'failed')) {
          expect(states.filter(s => s === 'failed')).toEqual([]);
          break;
        }
        if (Date.now() > until) throw new Error(`jobs still running: ${states.join(',')}`);
        await new Promise(r => setTimeout(r, 100));
      }
    } finally {
      await queue.close();
    }
    for (const { child } of children) child.stdin!.end();
    const perProcess = await Promise.all(children.map(c => c.completed));
    // Both processes took part: the race happened.
    expect(perProcess.every(n => n > 0)).toBe(true);
    expect(perProcess.reduce((a, b) => a + b, 0)).toBe(COPIES + 1);

    const storyIds = await redis.zrange(keys.storiesByTime, 0, -1);
    expect(storyIds).toHaveLength(1);
    expect(await bodyKeys(redis, prefix)).toHaveLength(1);
    const store = createStoryStore(redis, keys, { streamMaxLen: 10_000 });
    const record = await store.readStory(storyIds[0]!);
    expect(record?.members).toHaveLength(COPIES + 1);
    expect(record?.members.find(m => m.articleId === record.representativeId)?.url).toBe(origUrl);
    const events = await streamEvents(redis, keys.stream);
    // Which copy is decided first depends on the race: an excerpt and an edited copy share no content key, so
    // each may found a story before a full copy bridges them and merges the two. Every story ever announced
    // must resolve to the one survivor.
    const created = events.filter(e => e.type === 'story.created');
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const e of created) expect((await store.readStory(e.storyId!))?.storyId).toBe(storyIds[0]);
    expect(new Set(events.map(e => e.articleId)).size).toBe(COPIES + 1);
  }, 240_000);
});
