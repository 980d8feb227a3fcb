// Run by sitemap-source.test.ts under a small --max-old-space-size: walks one sitemap through the built
// fetcher (no Redis) and prints what it read. A walk that held more than it should runs out of heap here.
import process from 'node:process';
import { URL } from 'node:url';
import { createFetcher } from '../../../dist/src/fetch/fetcher.js';
import { walkSitemaps, POLL_CAPS } from '../../../dist/src/feeds/sitemap/walk.js';

const url = process.argv[2];
const port = Number(new URL(url).port);
const fetcher = createFetcher({
  userAgent: 'newsflow-test',
  timeoutMs: 20_000,
  maxRedirects: 5,
  maxBytes: { feed: 5 * 2 ** 20, page: 3 * 2 ** 20, robots: 500 * 1024, sitemap: 50 * 2 ** 20 },
  allowNetworks: ['127.0.0.0/8'],
  allowedPorts: [port],
});
let urls = 0;
const r = await walkSitemaps({
  fetcher,
  roots: [url],
  caps: POLL_CAPS,
  onUrls: batch => void (urls += batch.length),
});
await fetcher.close();
process.stdout.write(JSON.stringify({ urls, fetched: r.fetched, capped: r.capped, failure: r.rootFailure }));
