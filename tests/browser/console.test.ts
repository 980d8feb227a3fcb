import type { FastifyInstance } from 'fastify';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.js';
import { manualPollJob } from '../../src/pipeline/queues.js';
import {
  HOSTILE_TITLE,
  HOSTILE_TEXTS,
  publishConsoleSite,
  type ConsoleSite,
} from '../helpers/console-site.js';
import { testPrefix } from '../helpers/redis.js';

/**
 * The console in a real browser: Debian's chromium driven by playwright-core (nothing downloaded), against the
 * pipeline run on a local site. Every page loads with no console error and no failed request, hostile markup
 * stays text and runs nothing, axe-core finds nothing serious, and screenshots land in test-output/console/.
 */
const CHROMIUM = '/usr/bin/chromium';
const OUT = join(import.meta.dirname, '../../test-output/console');
const TOKEN = 'browser-admin-token-0123456789';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Problems {
  errors: string[];
  failed: string[];
}

function watch(page: Page): Problems {
  const p: Problems = { errors: [], failed: [] };
  page.on('console', m => {
    if (m.type() === 'error') p.errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', e => p.errors.push(`${page.url()}: ${e.message}`));
  page.on('requestfailed', r => p.failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));
  page.on('response', r => {
    if (r.status() >= 400) p.failed.push(`${r.url()}: HTTP ${r.status()}`);
  });
  return p;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown }[];
}

describe.skipIf(!existsSync(CHROMIUM))('operator console in Chromium', () => {
  let pub: ConsoleSite;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let plain: BrowserContext;
  let axeContext: BrowserContext;
  const pages: { name: string; path: string }[] = [];
  let copyStory = '';
  let seededStory = '';
  let fetchedHostileStory = '';

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    pub = await publishConsoleSite(testPrefix('browser'));
    const rt = pub.rt;
    app = buildApi({
      redis: rt.producer,
      keys: rt.keys,
      feeds: () => rt.config.feeds,
      queues: [rt.pollQueue, rt.articleQueue],
      adminToken: TOKEN,
      isReady: () => true,
      store: rt.store,
      pollNow: async feedId => {
        const job = manualPollJob(feedId, 'browser');
        await rt.pollQueue.add(job.name, job.data, job.opts);
      },
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const id of await rt.redis.zrange(rt.keys.storiesByTime, 0, -1)) {
      const s = await rt.store.readStory(id);
      if (s?.members.some(m => m.relation === 'syndicated-copy')) copyStory = id;
      if (s?.members.some(m => m.title === HOSTILE_TITLE)) seededStory = id;
      if (s?.members.some(m => m.title?.startsWith('Council vote'))) fetchedHostileStory = id;
    }
    expect([copyStory, seededStory, fetchedHostileStory].every(Boolean)).toBe(true);
    pages.push(
      { name: 'stories', path: '/' },
      { name: 'story-syndicated', path: `/console/stories/${copyStory}` },
      { name: 'story-hostile', path: `/console/stories/${fetchedHostileStory}` },
      { name: 'story-seeded', path: `/console/stories/${seededStory}` },
      { name: 'feeds', path: '/console/feeds' },
      { name: 'feed', path: '/console/feeds/daily-market-hub' },
      { name: 'failures', path: '/console/failures' },
      { name: 'consumers', path: '/console/consumers' },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    plain = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    // Only for axe: its script is injected inline, which the console's CSP (rightly) forbids.
    axeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await pub?.close();
  });

  it('every page loads with no console error and no failed request; screenshots written', async () => {
    // One page visits them all (a new page per visit costs more than the visit); its watchers see every one.
    const page = await plain.newPage();
    const problems = watch(page);
    for (const { name, path } of pages) {
      const res = await page.goto(`${base}${path}`, { waitUntil: 'load' });
      expect(res?.status(), path).toBe(200);
      expect(await page.locator('h1').first().isVisible()).toBe(true);
      if (path.startsWith('/console/stories/')) {
        await page.frameLocator('iframe.body').locator('h1').waitFor();
      }
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    }
    await page.close();
    // The README's picture: the stories page, 900 px wide, the first screen only; and the dark scheme.
    const small = await browser.newContext({ viewport: { width: 900, height: 560 }, colorScheme: 'light' });
    const shot = await small.newPage();
    await shot.goto(`${base}/?tag=ports`);
    await shot.screenshot({ path: join(OUT, 'readme-stories.png') });
    await small.close();
    const dark = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const darkPage = await dark.newPage();
    const p = watch(darkPage);
    await darkPage.goto(`${base}/`);
    const bg = await darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(22, 22, 22)');
    await darkPage.screenshot({ path: join(OUT, 'stories-dark.png'), fullPage: true });
    problems.errors.push(...p.errors);
    problems.failed.push(...p.failed);
    await dark.close();
    expect(problems).toEqual({ errors: [], failed: [] });
    for (const { name } of pages) expect(existsSync(join(OUT, `${name}.png`))).toBe(true);
  });

  it('the syndicated copy’s story shows its credit method, credited publisher and original URL', async () => {
    const page = await plain.newPage();
    await page.goto(`${base}/console/stories/${copyStory}`);
    const story = await pub.rt.store.readStory(copyStory);
    const copy = story!.members.find(m => m.relation === 'syndicated-copy')!;
    const row = page.locator('table').first().locator('tbody tr', { hasText: 'syndicated-copy' });
    await expect.poll(() => row.count()).toBe(1);
    const text = await row.innerText();
    expect(text).toContain(copy.attribution!.method);
    expect(text).toContain('Harbor Ledger');
    expect(await row.locator(`a[href="${copy.attribution!.originalUrl!}"]`).count()).toBe(1);
    await page.close();
  });

  it('hostile title and body show as text and run nothing, in the page and in the body frame', async () => {
    const page = await plain.newPage();
    const p = watch(page);
    await page.goto(`${base}/console/stories/${seededStory}`);
    expect(await page.locator('h1').innerText()).toBe(HOSTILE_TITLE);
    await page.goto(`${base}/`);
    expect(await page.getByRole('link', { name: HOSTILE_TITLE }).count()).toBe(1);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();

    await page.goto(`${base}/console/stories/${fetchedHostileStory}`);
    const frameEl = page.locator('iframe.body');
    expect(await frameEl.getAttribute('sandbox')).toBe('');
    const frame = page.frameLocator('iframe.body');
    const bodyText = await frame.locator('body').innerText();
    for (const t of HOSTILE_TEXTS.slice(0, 2)) expect(bodyText).toContain(t);
    expect(bodyText).toContain('href="javascript:window.__pwned=1"');
    // The link whose href was javascript: lost it; clicking it does nothing.
    const minutes = frame.getByText('Read the full minutes');
    expect(await minutes.evaluate(el => el.closest('a')?.getAttribute('href') ?? null)).toBeNull();
    const inner = page.frames().find(f => f.url().endsWith('/body'))!;
    expect(await inner.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(p).toEqual({ errors: [], failed: [] });
    await page.close();
  });

  it('axe-core finds no serious or critical violation on any page (nor in the body document)', async () => {
    const found: string[] = [];
    const targets = [...pages.map(p => p.path), `/console/stories/${copyStory}/body`];
    // One page for every run: a new page per document costs more than axe itself.
    const page = await axeContext.newPage();
    for (const path of targets) {
      // Dark on two pages: the schemes share every rule but colour.
      const schemes =
        path === '/' || path.endsWith(copyStory) ? (['light', 'dark'] as const) : (['light'] as const);
      for (const scheme of schemes) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${base}${path}`);
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> };
            }
          ).axe;
          // The body frame is checked as its own document (a target here): sandboxed, it cannot answer axe.
          const r = await axe.run(document, { iframes: false, resultTypes: ['violations'] });
          return r.violations.map(v => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map(n => n.target),
          }));
        });
        for (const v of violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            found.push(
              `${path} (${scheme}): ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.slice(0, 3))}`,
            );
          }
        }
      }
    }
    await page.close();
    expect(found).toEqual([]);
  });

  it('is keyboard reachable: the skip link first, then focus reaches the first story link', async () => {
    const page = await plain.newPage();
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const firstStory = await page.locator('tbody a[href^="/console/stories/"]').first().getAttribute('href');
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(h => document.activeElement?.getAttribute('href') === h, firstStory);
    }
    expect(reached).toBe(true);
    // Focus is visible: the focused link has an outline.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.close();
  });

  it('reads without JavaScript, and the admin actions work from a signed-in browser', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const page = await noJs.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    await noJs.close();

    // The sign-in link answers 401 with a Basic challenge; the browser then sends the credentials with every
    // request under /console/, so the feed page shows its forms.
    const admin = await browser.newContext({ httpCredentials: { username: 'admin', password: TOKEN } });
    const a = await admin.newPage();
    const p = watch(a);
    await a.goto(`${base}/console/feeds/harbor-ledger`);
    expect(await a.getByRole('button', { name: 'Poll now' }).count()).toBe(0);
    await a.getByRole('link', { name: 'Sign in with the admin token' }).click();
    await a.waitForURL(`${base}/console/feeds/harbor-ledger`);
    await a.getByRole('button', { name: 'Poll now' }).click();
    await a.waitForURL(/done=polled/);
    expect(await a.getByRole('status').innerText()).toContain('queued');
    expect(await pub.rt.pollQueue.getJob('once-browser-harbor-ledger')).toBeTruthy();
    // The challenge itself is the one expected 401 (the browser logs it as a failed resource).
    const unexpected = (xs: string[]): string[] =>
      xs.filter(x => !/\/console\/login\?next=.*(401|HTTP 401)/.test(x));
    expect({ errors: unexpected(p.errors), failed: unexpected(p.failed) }).toEqual({
      errors: [],
      failed: [],
    });
    await admin.close();
  });
});
