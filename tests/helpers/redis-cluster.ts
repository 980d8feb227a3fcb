import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pingRedis } from '../../src/store/redis-server.js';

/**
 * A real Redis Cluster (3 primaries, 3 replicas) of redis-server children on loopback, for integration and
 * fault tests that need slots, MOVED redirections and failover: the shared test Redis is a single server.
 * Each node gets the managed server's settings (src/store/redis-server.ts: AOF, `--save ''`, noeviction) in a
 * folder of its own, so a restarted node finds its AOF and its nodes.conf and rejoins as the cluster's node.
 */
export interface RedisClusterHandle {
  /** All six nodes as started (the roles change on failover; ask `primaries()` / `replicas()`). */
  nodes: { host: string; port: number }[];
  /** The temp folder holding one folder per node (named by port: AOF, nodes.conf, redis.log). */
  dir: string;
  /** The current primaries per CLUSTER NODES of a live node, leaving out nodes it flags `fail`. */
  primaries(): Promise<ClusterMember[]>;
  /** The current replicas, the same way. */
  replicas(): Promise<ClusterMember[]>;
  /** The pid of the node's redis-server while it runs. */
  pidOf(port: number): number | undefined;
  /** SIGKILL one node (no AOF flush, no goodbye to the cluster); resolves once it has exited. */
  kill9(port: number): Promise<void>;
  /**
   * Waits until live nodes flag the dead node `fail`, one of its former replicas is a primary with slots, and
   * a live node reports cluster_state:ok. `ms` is measured from this call.
   */
  waitForFailover(
    deadPort: number,
    timeoutMs?: number,
  ): Promise<{ promoted: { host: string; port: number }; ms: number }>;
  /** Starts a stopped node again on its port and folder; resolves once it answers PING (it rejoins as a replica). */
  restart(port: number): Promise<void>;
  /** SIGTERM every node (SIGKILL after 5 s) and remove the temp folder. */
  stop(): Promise<void>;
}

export interface ClusterMember {
  host: string;
  port: number;
  /** Undefined when the node is not running although the cluster has not flagged it `fail` yet. */
  pid: number | undefined;
}

export interface RedisClusterOptions {
  /** `always` makes every acknowledged write durable on the node that took it (slower). */
  appendfsync?: 'everysec' | 'always';
  /** How long a node may be unreachable before the cluster fails it over. */
  nodeTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const SLOTS = 16384;
const POLL_MS = 100;
const READY_TIMEOUT_MS = 30_000;
const EXIT_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Whether redis-server and redis-cli both run here; cluster tests skip without them. */
export function redisClusterAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every(bin => {
    const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
    return !r.error && r.status === 0;
  });
}

interface Node {
  port: number;
  dir: string;
  args: string[];
  child: ChildProcess | null;
  /** The tail of stderr: redis-server reports bad arguments there before its log file is open. */
  stderr: string;
}

/** One line of CLUSTER NODES. */
interface NodeLine {
  id: string;
  port: number;
  flags: Set<string>;
  masterId: string | null;
  hasSlots: boolean;
}

export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const root = mkdtempSync(join(tmpdir(), 'nf-redis-cluster-'));
  const nodes: Node[] = [];
  // Whatever way the test process ends, no redis-server (nor its folder) outlives it.
  const killAll = (): void => {
    for (const n of nodes) if (running(n)) n.child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  // 'exit' alone is not enough: vitest ends its fork workers with SIGTERM, which ends a process without 'exit'
  // (a cluster whose afterAll never ran, e.g. after a beforeAll timeout, would be left behind).
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll();
    unhook();
    // Our listener kept the signal from ending the process: with nobody else listening, end it the default way.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unhook = (): void => {
    process.off('exit', killAll);
    for (const s of EXIT_SIGNALS) process.off(s, onSignal);
  };
  process.on('exit', killAll);
  for (const s of EXIT_SIGNALS) process.on(s, onSignal);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(nodes.map(terminate));
      unhook();
      rmSync(root, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const taken = new Set<number>();
    for (let i = 0; i < 6; i++) nodes.push(await launchNew(root, opts, taken));
    const addrs = nodes.map(n => `${HOST}:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '1', '--cluster-yes']);
    await waitReady(nodes);
  } catch (err) {
    await stop();
    throw err;
  }

  const byPort = (port: number): Node => {
    const n = nodes.find(x => x.port === port);
    if (!n) throw new Error(`redis cluster: no node on port ${port}`);
    return n;
  };
  // Replicas of a node as the cluster saw it just before kill9: after a failover the dead primary's line no
  // longer tells which nodes were its replicas.
  const replicasAtKill = new Map<number, Set<string>>();

  const members = async (role: 'master' | 'slave'): Promise<ClusterMember[]> => {
    const view = await liveView(nodes);
    return view
      .filter(l => l.flags.has(role) && !l.flags.has('fail'))
      .map(l => ({ host: HOST, port: l.port, pid: pidOf(nodes.find(n => n.port === l.port)) }));
  };

  return {
    nodes: nodes.map(n => ({ host: HOST, port: n.port })),
    dir: root,
    primaries: () => members('master'),
    replicas: () => members('slave'),
    pidOf: port => pidOf(nodes.find(n => n.port === port)),
    async kill9(port) {
      const n = byPort(port);
      if (!running(n)) return;
      const view = await liveView(nodes).catch(() => []);
      const self = view.find(l => l.port === port);
      if (self) replicasAtKill.set(port, new Set(view.filter(l => l.masterId === self.id).map(l => l.id)));
      await killAndWait(n, 'SIGKILL');
    },
    async waitForFailover(deadPort, timeoutMs = 20_000) {
      const started = Date.now();
      const dead = byPort(deadPort);
      if (running(dead)) throw new Error(`redis cluster: node ${deadPort} still runs; kill9 it first`);
      let last = '';
      for (;;) {
        const live = nodes.find(n => n !== dead && running(n));
        if (!live) throw new Error('redis cluster: no live node left');
        const text = await command(live.port, 'CLUSTER', 'NODES').catch((err: unknown) => String(err));
        last = text;
        const view = parseNodes(text);
        const deadLine = view.find(l => l.port === deadPort);
        const formerReplicas =
          replicasAtKill.get(deadPort) ??
          new Set(view.filter(l => l.masterId === deadLine?.id).map(l => l.id));
        const promoted = view.find(
          l => formerReplicas.has(l.id) && l.flags.has('master') && !l.flags.has('fail') && l.hasSlots,
        );
        if (deadLine?.flags.has('fail') && promoted) {
          const info = await command(live.port, 'CLUSTER', 'INFO').catch((err: unknown) => String(err));
          last = `${text}\n${info}`;
          if (info.includes('cluster_state:ok')) {
            return { promoted: { host: HOST, port: promoted.port }, ms: Date.now() - started };
          }
        }
        if (Date.now() - started > timeoutMs) {
          throw new Error(
            `redis cluster: no failover of ${deadPort} within ${timeoutMs} ms; last view:\n${last}`,
          );
        }
        await sleep(POLL_MS);
      }
    },
    async restart(port) {
      const n = byPort(port);
      if (running(n)) throw new Error(`redis cluster: restart(${port}) while the node still runs`);
      if (!(await launch(n))) throw new Error(`redis cluster: node ${port} did not come back: ${why(n)}`);
    },
    stop,
  };
}

function running(n: Node): boolean {
  return !!n.child && n.child.exitCode === null && n.child.signalCode === null;
}

function pidOf(n: Node | undefined): number | undefined {
  return n && running(n) ? n.child?.pid : undefined;
}

/**
 * A node on a port of its own: random in 20000–29999 so that port+10000 (the cluster bus) is a valid port, and
 * both checked free. Another process can still take the port before redis-server binds it, so a node that exits
 * at start is tried again on new ports.
 */
async function launchNew(root: string, opts: RedisClusterOptions, taken: Set<number>): Promise<Node> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort(taken);
    taken.add(port);
    const dir = join(root, String(port));
    mkdirSync(dir, { recursive: true });
    const node: Node = { port, dir, args: nodeArgs(port, dir, opts), child: null, stderr: '' };
    if (await launch(node)) return node;
    if (attempt === 3) {
      throw new Error(`redis cluster: redis-server did not start on port ${port}: ${why(node)}`);
    }
  }
}

function nodeArgs(port: number, dir: string, opts: RedisClusterOptions): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(opts.nodeTimeoutMs ?? 2000),
    '--cluster-allow-reads-when-down',
    'no',
    '--appendonly',
    'yes',
    '--appendfsync',
    opts.appendfsync ?? 'everysec',
    '--save',
    '',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    // A primary waits 5 s by default before a diskless full sync, for more replicas to share it: here every
    // replica's first sync would cost those 5 s.
    '--repl-diskless-sync-delay',
    '0',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
    // A file per node, so a failed start or a failover that does not happen can be read afterwards.
    '--logfile',
    join(dir, 'redis.log'),
  ];
}

/** Spawns the node's redis-server; true once it answers PING, false if it exited or stayed silent for 10 s. */
async function launch(node: Node): Promise<boolean> {
  node.stderr = '';
  const child = spawn('redis-server', node.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  node.child = child;
  child.stderr?.on('data', (d: Buffer) => {
    node.stderr = (node.stderr + d.toString()).slice(-2000);
  });
  const failed = new Promise<true>(done => {
    child.once('error', err => {
      node.stderr += String(err);
      done(true);
    });
    child.once('exit', () => done(true));
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const gone = await Promise.race([failed, sleep(50).then(() => false)]);
    if (gone) return false;
    if (await pingRedis(HOST, node.port, 200)) return true;
  }
  await killAndWait(node, 'SIGKILL');
  return false;
}

/** What a node that would not start said: its stderr, else the end of its log. */
function why(n: Node): string {
  if (n.stderr.trim()) return n.stderr.trim();
  try {
    return readFileSync(join(n.dir, 'redis.log'), 'utf8').slice(-2000).trim();
  } catch {
    return 'no output';
  }
}

async function pickPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10000))) return port;
  }
  throw new Error('redis cluster: no free port pair (P, P+10000) in 20000–29999');
}

function portFree(port: number): Promise<boolean> {
  return new Promise(done => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => done(false));
    srv.listen(port, HOST, () => srv.close(() => done(true)));
  });
}

function killAndWait(n: Node, signal: NodeJS.Signals): Promise<void> {
  const child = n.child;
  if (!child || !running(n)) return Promise.resolve();
  const exited = new Promise<void>(done => child.once('exit', () => done()));
  child.kill(signal);
  return exited;
}

/**
 * SIGTERM (redis-server flushes its AOF and nodes.conf), SIGKILL if it has not exited after 5 s. SIGTERM is sent
 * again every 250 ms: redis-server refuses a shutdown while it writes its initial AOF (a replica just after its
 * first sync) and does not try again by itself.
 */
async function terminate(n: Node): Promise<void> {
  const child = n.child;
  if (!child || !running(n)) return;
  const again = setInterval(() => child.kill('SIGTERM'), 250);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await killAndWait(n, 'SIGTERM');
  } finally {
    clearInterval(again);
    clearTimeout(timer);
  }
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(bin, args, { timeout: READY_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else done(stdout);
    });
  });
}

/**
 * Ready means usable for failover tests, not just serving: every node reports cluster_state:ok with all slots
 * assigned, the cluster has three primaries with slots and three replicas, every replica's link to its primary
 * is up (a replica that never synced has nothing to take over with), and no node is still loading or writing
 * its AOF after that first sync (a kill then would test a different thing, and such a node ignores SIGTERM).
 */
async function waitReady(nodes: Node[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const problem = await notReady(nodes).catch((err: unknown) => String(err));
    if (problem === null) return;
    last = problem;
    if (Date.now() > deadline) {
      throw new Error(`redis cluster: not ready within ${READY_TIMEOUT_MS} ms; last cluster info:\n${last}`);
    }
    await sleep(POLL_MS);
  }
}

/** Null when ready, else what is missing (with the node's CLUSTER INFO / NODES text). */
async function notReady(nodes: Node[]): Promise<string | null> {
  for (const n of nodes) {
    const info = await command(n.port, 'CLUSTER', 'INFO');
    if (!info.includes('cluster_state:ok') || !info.includes(`cluster_slots_assigned:${SLOTS}`)) {
      return `node ${n.port}:\n${info}`;
    }
  }
  const first = nodes[0];
  if (!first) return 'no nodes';
  const text = await command(first.port, 'CLUSTER', 'NODES');
  const view = parseNodes(text);
  const masters = view.filter(l => l.flags.has('master') && l.hasSlots);
  const replicas = view.filter(l => l.flags.has('slave') && l.masterId !== null);
  if (masters.length !== 3 || replicas.length !== 3) return `node ${first.port}:\n${text}`;
  for (const r of replicas) {
    const info = await command(r.port, 'INFO', 'replication');
    if (!info.includes('master_link_status:up')) return `replica ${r.port}:\n${info}`;
  }
  for (const n of nodes) {
    const info = await command(n.port, 'INFO', 'persistence');
    const busy = ['loading:1', 'aof_rewrite_in_progress:1', 'aof_rewrite_scheduled:1'].some(f =>
      info.includes(f),
    );
    if (busy) return `node ${n.port}:\n${info}`;
  }
  return null;
}

/** CLUSTER NODES of the first live node that answers. */
async function liveView(nodes: Node[]): Promise<NodeLine[]> {
  for (const n of nodes) {
    if (!running(n)) continue;
    const text = await command(n.port, 'CLUSTER', 'NODES').catch(() => null);
    if (text !== null) return parseNodes(text);
  }
  throw new Error('redis cluster: no live node answers CLUSTER NODES');
}

/** `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping> <pong> <epoch> <link> [slot ...]` */
function parseNodes(text: string): NodeLine[] {
  const lines: NodeLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    const [id, addr, flags, master] = f;
    if (!id || !addr || !flags || !master) continue;
    const port = Number(/:(\d+)@/.exec(addr)?.[1]);
    if (!port) continue;
    lines.push({
      id,
      port,
      flags: new Set(flags.split(',')),
      masterId: master === '-' ? null : master,
      hasSlots: f.slice(8).some(s => /^\d/.test(s)),
    });
  }
  return lines;
}

/**
 * One command on one node over a short-lived plain connection: no retries and no offline queue, so a dead or
 * stopped node fails the call at once instead of holding up a poll loop.
 */
async function command(port: number, name: string, ...args: string[]): Promise<string> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Failures surface as the rejected command; without a listener ioredis would also log them.
  client.on('error', () => {});
  try {
    await client.connect();
    const reply = await client.call(name, ...args);
    return typeof reply === 'string' ? reply : String(reply);
  } finally {
    client.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(done => setTimeout(done, ms));
}
