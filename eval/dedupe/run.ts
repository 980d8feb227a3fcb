/**
 * `npm run eval:dedupe [-- --corpora DIR --out FILE --seed N]`
 *
 * Builds a syndication corpus from ../shared/corpora/aeb-dev at run time (see corpus.ts), serves it from
 * local sites on 127.0.0.1 (one port per "domain"), runs the real pipeline once (runOnce on a config built
 * in memory, its own Redis key prefix) and scores the stories: pairwise precision and recall, attribution
 * accuracy (original URL and publisher) where a footer or a canonical exists, and bodies stored per story.
 * Skips cleanly when the corpus is absent. Exit code 1 when a target is missed.
 */
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildConfig } from '../../src/config/load.js';
import { normalizeName } from '../../src/dedupe/normalize.js';
import { toExportLine, type StoryExportLine } from '../../src/dedupe/story.js';
import { canonicalUrlKey } from '../../src/dedupe/url-key.js';
import { createRuntime } from '../../src/pipeline/runtime.js';
import { runOnce } from '../../src/pipeline/run-once.js';
import { deleteByPattern, primaries, redisTargetFromEnv, scanKeys } from '../../src/store/redis.js';
import { resolveRedis } from '../../src/store/redis-server.js';
import { createLogger } from '../../src/shared/logger.js';
import { buildCorpus, loadAebPages, rng, type CorpusItem, type ItemKind } from './corpus.js';
import { buildHardCases } from './hard.js';
import { pairwiseScores } from './score.js';
import { startLocalSite, type LocalSite } from './sites.js';

const TARGETS = { precision: 0.995, recall: 0.98, attribution: 1 };
/** Hard-case negatives: pages that share most of their words with others and must keep stories of their own. */
const NEGATIVE_KINDS: ReadonlySet<ItemKind> = new Set(['release', 'report', 'notice', 'update']);

interface Args {
  corpora: string;
  out: string;
  seed: number;
  /** Leave the run's Redis keys in place for inspection. */
  keep: boolean;
  /** Overrides of the `dedupe` config section, for comparisons (e.g. the issue's 20 × 6 layout). */
  dedupe: { lsh?: { bands?: number; rows?: number }; confirm?: { editedJaccard?: number } };
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    corpora: resolve('../shared/corpora'),
    out: resolve('.eval/dedupe/result.json'),
    seed: 6,
    keep: false,
    dedupe: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--corpora' && v) args.corpora = resolve(argv[++i]!);
    else if (argv[i] === '--out' && v) args.out = resolve(argv[++i]!);
    else if (argv[i] === '--seed' && v) args.seed = Number(argv[++i]);
    else if (argv[i] === '--keep') args.keep = true;
    else if (argv[i] === '--lsh' && v) {
      const [bands, rows] = argv[++i]!.split('x').map(Number);
      args.dedupe.lsh = { bands, rows };
    } else if (argv[i] === '--edited-jaccard' && v) {
      args.dedupe.confirm = { editedJaccard: Number(argv[++i]) };
    }
  }
  return args;
}

function key(url: string | null | undefined): string {
  return (url && canonicalUrlKey(url)) || `invalid:${url ?? ''}`;
}

function shuffle<T>(list: T[], rand: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const dir = join(args.corpora, 'aeb-dev');
  if (!existsSync(join(dir, 'ground-truth.json'))) {
    process.stdout.write(`eval:dedupe skipped: no corpus at ${dir}\n`);
    return 0;
  }
  const pages = loadAebPages(dir);
  // Copies need text to copy: an excerpt is 55 words, so originals have at least 150.
  const eligible = shuffle(
    pages.filter(p => p.words >= 150),
    rng(args.seed),
  );
  const cut = Math.round((eligible.length * 2) / 3);
  const originals = eligible.slice(0, cut);
  const negatives = [...eligible.slice(cut), ...pages.filter(p => p.words < 150)];

  const sites: LocalSite[] = [];
  const publishers = new Map<string, LocalSite>();
  for (const p of [...originals, ...negatives]) {
    const host = new URL(p.realUrl).host.replace(/^www\./, '');
    if (!publishers.has(host)) {
      const site = await startLocalSite();
      publishers.set(host, site);
      sites.push(site);
    }
  }
  const copiers: LocalSite[] = [];
  for (let i = 0; i < 4; i++) copiers.push(await startLocalSite());
  sites.push(...copiers);
  const easy = buildCorpus({
    originals,
    negatives,
    publisherFor: host => publishers.get(host)!,
    copiers,
    seed: args.seed,
  });
  // The hard cases on sites of their own (hard.ts), scored apart so the easy figures stay comparable.
  const hardCopiers: LocalSite[] = [];
  for (let i = 0; i < 3; i++) hardCopiers.push(await startLocalSite());
  const [issuer, markets] = [await startLocalSite(), await startLocalSite()];
  sites.push(...hardCopiers, issuer, markets);
  const pool = [
    ...new Set(
      negatives
        .flatMap(p => p.body.split(/\s+/))
        .map(w => w.replace(/[^\p{L}]/gu, '').toLowerCase())
        .filter(w => w.length >= 3),
    ),
  ].sort();
  const hard = buildHardCases({ easy, copiers: hardCopiers, issuer, markets, pool, seed: args.seed });
  const corpus = { items: [...easy.items, ...hard.items], feeds: [...easy.feeds, ...hard.feeds] };

  const prefix = `newsflow-eval-dedupe-${process.pid}`;
  const config = buildConfig(
    'config',
    {
      log: { level: 'error' },
      redis: { keyPrefix: prefix },
      extractor: { concurrency: 4 },
      dedupe: args.dedupe,
      fetch: {
        allowNetworks: ['127.0.0.0/8'],
        allowedPorts: sites.map(s => s.port),
        politeness: { interval: 0, maxInFlight: 4 },
      },
    },
    corpus.feeds,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'newsflow-eval-redis-'));
  const redisTarget = await resolveRedis(redisTargetFromEnv(), dataDir);
  const log = createLogger('error', 'stderr');
  const rt = await createRuntime(config, redisTarget.target, log);
  try {
    await deleteByPattern(rt.redis, rt.keys.pattern);
    process.stdout.write(
      `eval:dedupe — ${originals.length} originals × 4 copies, ${negatives.length} negatives, ` +
        `${corpus.items.length} pages on ${sites.length} local sites; running the pipeline once…\n`,
    );
    const started = Date.now();
    const summary = await runOnce(rt, { pollIntervalMs: 200 });
    const seconds = (Date.now() - started) / 1000;

    // Predicted clusters from the export view: the same lines `newsflow stories export` prints.
    const lines: StoryExportLine[] = [];
    for await (const ids of rt.store.storyIds()) {
      for (const id of ids) {
        const story = await rt.store.readStory(id);
        if (story) lines.push(toExportLine(story));
      }
    }
    const storyOf = new Map<string, string>();
    const memberOf = new Map<string, StoryExportLine['members'][number]>();
    for (const line of lines) {
      for (const m of line.members) {
        storyOf.set(m.urlKey, line.storyId);
        memberOf.set(m.urlKey, m);
      }
    }
    const predicted = new Map<string, string>();
    for (const i of corpus.items) {
      const s = storyOf.get(key(i.url));
      if (s) predicted.set(key(i.url), s);
    }

    /** Pairs, attribution and per-kind joins over one set of items (the easy site, or the hard cases). */
    const scoreSet = (set: CorpusItem[]) => {
      const pairs = pairwiseScores(new Map(set.map(i => [key(i.url), i.group])), predicted);
      // Attribution: right original URL (where the credit links one) and, where it names one, the publisher.
      const attributed = set.filter(
        (i): i is CorpusItem & { expect: NonNullable<CorpusItem['expect']> } => !!i.expect,
      );
      const wrong: { url: string; kind: ItemKind; got: unknown; want: unknown }[] = [];
      for (const i of attributed) {
        const got = memberOf.get(key(i.url))?.attribution ?? null;
        const urlOk =
          !!got && (i.expect.originalUrl === null || key(got.originalUrl) === key(i.expect.originalUrl));
        const pubOk =
          i.expect.publisher === null ||
          normalizeName(got?.originalPublisher) === normalizeName(i.expect.publisher);
        if (!urlOk || !pubOk) wrong.push({ url: i.url, kind: i.kind, got, want: i.expect });
      }
      const falseAttributions = set.filter(
        i => (i.kind === 'original' || i.kind === 'negative') && memberOf.get(key(i.url))?.attribution,
      ).length;
      const storiesPerGroup = new Map<string, Set<string>>();
      for (const i of set) {
        const s = predicted.get(key(i.url));
        if (!s) continue;
        const stories = storiesPerGroup.get(i.group) ?? new Set<string>();
        stories.add(s);
        storiesPerGroup.set(i.group, stories);
      }
      const splitGroups = [...storiesPerGroup.values()].filter(v => v.size > 1).length;
      // A copy joins its original's story; a negative (release, report, notice, update) keeps a story of its own.
      const perKind: Record<string, { total: number; joined: number; missing: number }> = {};
      const firstOfGroup = new Map<string, string | undefined>();
      for (const i of set) {
        if (!firstOfGroup.has(i.group)) firstOfGroup.set(i.group, predicted.get(key(i.url)));
      }
      const storyCount = new Map<string, number>();
      for (const i of set) {
        const s = predicted.get(key(i.url));
        if (s) storyCount.set(s, (storyCount.get(s) ?? 0) + 1);
      }
      for (const i of set) {
        if (i.kind === 'original' || i.kind === 'negative') continue;
        const k = (perKind[i.kind] ??= { total: 0, joined: 0, missing: 0 });
        k.total++;
        const s = predicted.get(key(i.url));
        const alone = NEGATIVE_KINDS.has(i.kind);
        if (!s) k.missing++;
        else if (
          alone
            ? set.filter(o => o.group === i.group).length === storyCount.get(s)
            : s === firstOfGroup.get(i.group)
        ) {
          k.joined++;
        }
      }
      const accuracy = attributed.length ? (attributed.length - wrong.length) / attributed.length : 1;
      return {
        pairs,
        attributed: attributed.length,
        wrong,
        accuracy,
        falseAttributions,
        splitGroups,
        perKind,
      };
    };
    const easySet = corpus.items.filter(i => !i.hard);
    const hardGroups = new Set(hard.items.map(i => i.group));
    const hardSet = [...easySet.filter(i => i.kind === 'original' && hardGroups.has(i.group)), ...hard.items];
    const easyScores = scoreSet(easySet);
    const hardScores = scoreSet(hardSet);
    const { pairs, wrong, falseAttributions, splitGroups, perKind } = easyScores;
    const attributed = { length: easyScores.attributed };

    // Bodies: one per story, each at its representative's key; on a cluster, counted per primary (issue 18: the
    // bodies must spread over the primaries while the index stays in one slot).
    const perPrimary: number[] = [];
    for (const node of primaries(rt.redis)) {
      let n = 0;
      for await (const found of scanKeys(node, rt.keys.body('*'))) n += found.length;
      perPrimary.push(n);
    }
    const bodyKeys = perPrimary.reduce((a, b) => a + b, 0);
    const missing = corpus.items.filter(i => !predicted.has(key(i.url)));
    const attributionAccuracy = easyScores.accuracy;
    const pass =
      pairs.precision >= TARGETS.precision &&
      pairs.recall >= TARGETS.recall &&
      attributionAccuracy >= TARGETS.attribution &&
      bodyKeys === lines.length &&
      splitGroups === 0;

    const report = {
      corpus: {
        originals: originals.length,
        negatives: negatives.length,
        pages: corpus.items.length,
        seed: args.seed,
      },
      dedupe: config.service.dedupe,
      run: { seconds, summary: { ...summary, storedIds: undefined } },
      pairs,
      attribution: {
        checked: attributed.length,
        correct: attributed.length - wrong.length,
        accuracy: attributionAccuracy,
        falseAttributions,
        wrong,
      },
      bodies: { stories: lines.length, bodyKeys, perPrimary, splitGroups },
      perKind,
      hard: hardScores,
      missing: missing.map(i => ({ url: i.url, kind: i.kind })),
      targets: TARGETS,
      pass,
    };
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);

    const out = [
      '',
      `pipeline: ${seconds.toFixed(1)} s, stories ${lines.length}, stored ${summary.articlesStored}, joined ${summary.duplicates}, ` +
        `skipped ${JSON.stringify(summary.skipped)}, failures ${JSON.stringify(summary.failures)}`,
      `pairwise precision  ${pairs.precision.toFixed(4)}  (${pairs.correctPairs}/${pairs.predictedPairs})   target ≥ ${TARGETS.precision}`,
      `pairwise recall     ${pairs.recall.toFixed(4)}  (${pairs.correctPairs}/${pairs.truePairs})   target ≥ ${TARGETS.recall}`,
      `attribution         ${pct(attributionAccuracy)}  (${attributed.length - wrong.length}/${attributed.length} copies with a footer or canonical; ` +
        `${falseAttributions} originals/negatives attributed)   target 100 %`,
      `bodies              ${bodyKeys} for ${lines.length} stories${perPrimary.length > 1 ? ` (per primary: ${perPrimary.join(' / ')})` : ''}; groups split over several stories: ${splitGroups}`,
      `copies in their original's story: ${Object.entries(perKind)
        .map(([k, v]) => `${k} ${v.joined}/${v.total}${v.missing ? ` (${v.missing} not ingested)` : ''}`)
        .join(', ')}`,
      `hard cases (${hardSet.length} pages; not gating yet — issue 17 targets: precision ≥ 0.995, recall ≥ 0.98, every copy with its original and credited):`,
      `  pairwise precision ${hardScores.pairs.precision.toFixed(4)} (${hardScores.pairs.correctPairs}/${hardScores.pairs.predictedPairs}), ` +
        `recall ${hardScores.pairs.recall.toFixed(4)} (${hardScores.pairs.correctPairs}/${hardScores.pairs.truePairs})`,
      `  credits ${hardScores.attributed - hardScores.wrong.length}/${hardScores.attributed} right; ${hardScores.falseAttributions} originals attributed`,
      `  per case (copies with their original / negatives alone): ${Object.entries(hardScores.perKind)
        .map(([k, v]) => `${k} ${v.joined}/${v.total}${v.missing ? ` (${v.missing} not ingested)` : ''}`)
        .join(', ')}`,
      `pages not ingested: ${missing.length}${missing.length ? ` (${missing.map(m => m.kind).join(', ')})` : ''}`,
      `result: ${pass ? 'PASS' : 'FAIL'} — details in ${args.out}`,
      '',
    ];
    process.stdout.write(out.join('\n'));
    return pass ? 0 : 1;
  } finally {
    if (args.keep) process.stdout.write(`keys kept under ${prefix}:\n`);
    else await deleteByPattern(rt.redis, rt.keys.pattern);
    await rt.close();
    await redisTarget.managed?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await Promise.all(sites.map(s => s.close()));
  }
}
