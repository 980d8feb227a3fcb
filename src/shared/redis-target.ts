/**
 * Where newsflow's Redis is, as configuration says it (`redis.url`, `redis.cluster.nodes`): plain values, read by
 * the config schema (which checks them) and by the connection code (src/store/redis.ts, which opens them).
 */

/** A Redis Cluster, by seed nodes; the client learns the rest of the cluster from them. */
export interface ClusterTarget {
  cluster: { host: string; port: number }[];
  username?: string;
  password?: string;
  /** Connect to every node over TLS (`rediss://` seed nodes). */
  tls?: boolean;
}

/** Where Redis is: a `redis://` / `rediss://` URL of one server, or the seed nodes of a cluster. */
export type RedisTarget = string | ClusterTarget;

export function isClusterTarget(target: RedisTarget): target is ClusterTarget {
  return typeof target !== 'string';
}

/** A configuration problem in `redis.cluster.nodes` / `REDIS_CLUSTER_NODES`. */
export class ClusterNodesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterNodesError';
  }
}

/**
 * `host:port`, `[::1]:port` or `redis[s]://[user:password@]host:port` per node. Credentials and TLS are the
 * cluster's, not a node's: every URL that carries them must carry the same ones.
 */
export function parseClusterNodes(nodes: readonly string[]): ClusterTarget {
  if (nodes.length === 0) throw new ClusterNodesError('no cluster nodes');
  const target: ClusterTarget = { cluster: [] };
  let auth: string | undefined;
  for (const raw of nodes) {
    const text = raw.trim();
    const url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `redis://${text}`, 'redis://x');
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new ClusterNodesError(
        `cluster node ${JSON.stringify(raw)}: expected host:port or a redis:// URL`,
      );
    }
    const port = Number(url.port);
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535 || url.port === '') {
      throw new ClusterNodesError(
        `cluster node ${JSON.stringify(raw)}: expected host:port (a port is required)`,
      );
    }
    if (url.pathname !== '' && url.pathname !== '/') {
      throw new ClusterNodesError(`cluster node ${JSON.stringify(raw)}: a cluster has no database number`);
    }
    const nodeAuth = `${url.protocol}${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    if (/^[a-z]+:\/\//i.test(text)) {
      if (auth !== undefined && auth !== nodeAuth) {
        throw new ClusterNodesError(
          'cluster nodes disagree on the scheme or credentials: one cluster has one',
        );
      }
      auth = nodeAuth;
      if (url.username) target.username = decodeURIComponent(url.username);
      if (url.password) target.password = decodeURIComponent(url.password);
      if (url.protocol === 'rediss:') target.tls = true;
    }
    target.cluster.push({ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port });
  }
  return target;
}
