import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  redisClusterAvailable,
  startRedisCluster,
  type RedisClusterHandle,
} from '../../helpers/redis-cluster.js';

const KEYS: Record<string, string> = { '{a}x': 'value-a', '{b}y': 'value-b', '{c}z': 'value-c' };

/** The port of the primary (as the client sees the cluster) holding `key`. */
async function ownerOf(client: Cluster, key: string): Promise<number> {
  const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
  for (const m of client.nodes('master')) {
    // Counts only the keys this node holds: 0 on every primary but the slot's owner.
    if (Number(await m.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))) > 0) return portOf(m);
  }
  throw new Error(`no primary holds ${key}`);
}

function portOf(node: Redis): number {
  return node.options.port ?? 0;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise(done => setTimeout(done, 100));
  }
}

describe.skipIf(!redisClusterAvailable())('redis cluster test helper', () => {
  let cluster: RedisClusterHandle;
  let client: Cluster;

  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await startRedisCluster();
    console.log(`redis cluster of 6 nodes ready in ${Date.now() - t0} ms`);
    const seed = cluster.nodes[0];
    if (!seed) throw new Error('cluster without nodes');
    client = new Cluster([seed], { redisOptions: { maxRetriesPerRequest: null } });
  }, 60_000);

  afterAll(async () => {
    await client?.quit().catch(() => client.disconnect());
    await cluster?.stop();
  });

  it('starts 3 primaries and 3 replicas that spread keys over more than one primary', async () => {
    expect(cluster.nodes).toHaveLength(6);
    const primaries = await cluster.primaries();
    const replicas = await cluster.replicas();
    expect(primaries).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    for (const n of [...primaries, ...replicas]) expect(n.pid).toBeTypeOf('number');

    for (const [key, value] of Object.entries(KEYS)) await client.set(key, value);
    for (const [key, value] of Object.entries(KEYS)) expect(await client.get(key)).toBe(value);

    const owners = new Set(await Promise.all(Object.keys(KEYS).map(k => ownerOf(client, k))));
    expect(owners.size).toBeGreaterThanOrEqual(2);
    const sizes = await Promise.all(client.nodes('master').map(m => m.dbsize()));
    expect(sizes.filter(n => n > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('fails a killed primary over to its replica, and the same client reads the key from the promoted node', async () => {
    const key = '{a}x';
    const deadPort = await ownerOf(client, key);
    // Replication is asynchronous (appendfsync only concerns the primary's own disk): WAIT, on the connection
    // that wrote the key, until a replica has acknowledged it, so the promoted replica has the value.
    const owner = client.nodes('master').find(m => portOf(m) === deadPort);
    expect(Number(await owner?.call('WAIT', '1', '1000'))).toBeGreaterThanOrEqual(1);

    await cluster.kill9(deadPort);
    expect(cluster.pidOf(deadPort)).toBeUndefined();
    // A GET sent while the primary is down, to see how the client behaves until the failover is done.
    const sent = Date.now();
    const during = client.get(key).then(
      value => ({ value, error: null, ms: Date.now() - sent }),
      (error: unknown) => ({ value: null, error: String(error), ms: Date.now() - sent }),
    );

    const { promoted, ms } = await cluster.waitForFailover(deadPort);
    console.log(`failover of primary ${deadPort} to ${promoted.port}: ${ms} ms after the kill`);
    expect(promoted.port).not.toBe(deadPort);
    expect((await cluster.primaries()).map(p => p.port)).toContain(promoted.port);

    const early = await during;
    console.log(`GET sent right after the kill settled after ${early.ms} ms:`, early.error ?? early.value);

    const t = Date.now();
    expect(await client.get(key)).toBe(KEYS[key]);
    console.log(`GET after the failover took ${Date.now() - t} ms`);
    expect(await client.get('{b}y')).toBe(KEYS['{b}y']);
  });

  it('restarts the killed node, which rejoins as a replica', async () => {
    const primaryPorts = (await cluster.primaries()).map(p => p.port);
    const dead = cluster.nodes.find(n => cluster.pidOf(n.port) === undefined);
    if (!dead) throw new Error('no stopped node to restart');
    await cluster.restart(dead.port);
    expect(cluster.pidOf(dead.port)).toBeTypeOf('number');
    const t = Date.now();
    await until(async () => (await cluster.replicas()).some(r => r.port === dead.port), 20_000);
    console.log(`restarted node ${dead.port} listed as a replica after ${Date.now() - t} ms`);
    expect((await cluster.primaries()).map(p => p.port).sort()).toEqual(primaryPorts.sort());
  });
});
