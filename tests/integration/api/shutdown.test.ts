import { createServer, type Server, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createRuntime } from '../../../src/pipeline/runtime.js';
import { startService } from '../../../src/pipeline/service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { spawnCli, writeConfigDir } from '../../helpers/cli.js';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../helpers/redis.js';

const PARAGRAPH =
  'The river authority opened the new flood gates on Tuesday after three years of work, and engineers said ' +
  'the barrier would protect about four thousand homes in the lower valley from the kind of storm surge that ' +
  'swamped the old town quay twice in the last decade. ';

/** A feed with one item whose page answers only when the test says so. */
async function slowSite(): Promise<{
  origin: string;
  port: number;
  pageRequested: Promise<void>;
  release(): void;
  close(): Promise<void>;
}> {
  let pageRequested!: () => void;
  const requested = new Promise<void>(r => (pageRequested = r));
  const held: ServerResponse[] = [];
  let released = false;
  const page = `<!doctype html><html lang="en"><head><title>Flood gates open</title></head><body><article>
    <h1>Flood gates open on the lower valley</h1>${`<p>${PARAGRAPH}</p>`.repeat(8)}</article></body></html>`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/feed.xml') {
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>Valley</title><link>${origin}/</link>` +
            `<item><title>Flood gates open</title><link>${origin}/news/flood-gates</link>` +
            `<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>`,
        );
    } else if (path === '/news/flood-gates') {
      pageRequested();
      if (released) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      else held.push(res);
    } else res.writeHead(404).end();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    pageRequested: requested,
    release() {
      released = true;
      for (const res of held.splice(0)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      }
    },
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('service shutdown', () => {
  it(
    'SIGTERM: readiness 503 at once, the running job drains and completes, exit 0',
    { timeout: 180_000 },
    async () => {
      const site = await slowSite();
      cleanups.push(() => site.close());
      const prefix = testPrefix('sigterm');
      const redis = testRedis();
      cleanups.push(async () => {
        await cleanupPrefix(redis, prefix);
        redis.disconnect();
      });
      const dir = writeConfigDir(
        {
          redis: { url: testRedisUrl(), keyPrefix: prefix },
          log: { level: 'info' },
          fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [site.port] },
          api: { host: '127.0.0.1', port: 0 },
          shutdown: { grace: '60s' },
        },
        [{ id: 'valley', url: `${site.origin}/feed.xml` }],
      );
      const child = spawnCli(['start', '--role', 'all', '--config', dir]);
      cleanups.push(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
        return Promise.resolve();
      });
      const exited = new Promise<number | null>(r => child.on('exit', code => r(code)));
      const logs: Record<string, unknown>[] = [];
      let address = '';
      createInterface({ input: child.stdout! }).on('line', line => {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'api listening') address = String(entry.address);
        } catch {
          // not a log line
        }
      });

      await site.pageRequested; // the article job is running, its fetch held open by the site
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${address}/readyz`)).status).toBe(200);

      child.kill('SIGTERM');
      let readyAfterTerm = 0;
      for (let i = 0; i < 100 && readyAfterTerm !== 503; i++) {
        readyAfterTerm = (await fetch(`${address}/readyz`)).status;
        if (readyAfterTerm !== 503) await new Promise(r => setTimeout(r, 20));
      }
      expect(readyAfterTerm).toBe(503);
      expect(child.exitCode).toBeNull(); // still draining

      site.release();
      expect(await exited).toBe(0);
      expect(logs.some(l => l.msg === 'grace period over: cancelling running jobs')).toBe(false);
      expect(logs.some(l => l.msg === 'stopped')).toBe(true);
      // Drained, not cancelled: the article was stored and published.
      expect(await redis.xlen(`${prefix}:{stories}:articles`)).toBe(1);
    },
  );

  it(
    'a job still running when the grace period ends is cancelled and shutdown returns',
    { timeout: 120_000 },
    async () => {
      const site = await slowSite();
      cleanups.push(() => site.close());
      const prefix = testPrefix('grace');
      // The poller reloads feeds.yaml from the config folder, so the feed must be in a real file.
      const config = loadConfig(
        writeConfigDir(
          {
            redis: { keyPrefix: prefix },
            log: { level: 'silent' },
            fetch: { allowNetworks: ['127.0.0.0/8'], allowedPorts: [site.port] },
          },
          [{ id: 'valley', url: `${site.origin}/feed.xml` }],
        ),
      );
      const rt = await createRuntime(config, testRedisUrl(), createLogger('silent'));
      cleanups.push(async () => {
        await cleanupPrefix(rt.redis, prefix);
        await rt.close();
      });
      const service = await startService(rt, ['poller', 'extractor']);
      await site.pageRequested;
      expect(service.isReady()).toBe(true);
      const t0 = Date.now();
      await service.shutdown(500);
      expect(service.isReady()).toBe(false);
      // Grace (0.5 s) plus the time the cancelled fetch takes to unwind — far less than the 20 s fetch deadline.
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await rt.redis.xlen(rt.keys.stream)).toBe(0);
    },
  );
});
