#!/usr/bin/env python3
"""Read newsflow's story stream from Python with a Redis consumer group.

Delivery is at-least-once: an entry is acknowledged only after handle() returned, so after a crash it is
delivered again (to this consumer when it restarts under the same --consumer name, or to another one once it
has been idle for --claim-min-idle-ms). Make handle() idempotent.

The contract (docs/CONSUMING.md): events on <prefix>:{stories}:articles are small pointers
{type, storyId, articleId, url, version, at}; each article's record is JSON at <prefix>:{stories}:art:<id>;
each story is a hash at <prefix>:{stories}:story:<storyId>, and its one body is its representative's (field
`rep`), at <prefix>:{b:<rep>}: bytes 0x00 'z' then a zlib stream of its JSON (contentText left out when it is
the block text of contentHtml), or plain JSON when written before bodies were compressed. decode_body() reads
both, read_story_body() finds the body:
  - HMGET the story's rep, prevRep and mergedInto; a story merged into another holds only mergedInto: follow
    it once;
  - GET <prefix>:{b:<rep>}, else <prefix>:{b:<prevRep>} (while a new representative's body is being written,
    prevRep names the one it replaces), else the legacy key <prefix>:{stories}:story:<storyId>:body (bodies
    stored before they moved out of the {stories} slot);
  - nothing yet for a story created a moment ago (its body is written one round trip after the event): wait
    20, 40, 80 ms, and read again.

On a Redis Cluster (--cluster-nodes, or $REDIS_CLUSTER_NODES as for newsflow) the consumer-group commands are
the same: each names one key, the stream or its dead-letter stream, and both share the hash tag {stories}.
Bodies are tagged by article, so they spread over the primaries.

Needs redis-py >= 4 (>= 4.1 for a cluster; Debian/Ubuntu: apt-get install python3-redis; elsewhere: pip install
redis); works with both reply protocols (RESP2, and RESP3 which redis-py 8 speaks by default).
"""

import argparse
import json
import logging
import re
import zlib
from html.parser import HTMLParser
import os
import signal
import socket
import sys
import time
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import redis

REQUIRED = ("type", "storyId", "articleId", "url", "version", "at")


class Keys:
    def __init__(self, prefix):
        base = prefix + ":{stories}:"
        self.stream = base + "articles"
        self.dead_letters = base + "articles:dlq"
        self.article = lambda article_id: base + "art:" + article_id
        # A story: hash {rep, prevRep, ...}, or only {mergedInto} once merged into another story.
        self.story = lambda story_id: base + "story:" + story_id
        # The body of an article that represents its story. Tagged by article, not {stories}: on a cluster
        # bodies spread over the primaries.
        self.body = lambda article_id: prefix + ":{b:" + article_id + "}"
        # Where a story's body was stored before bodies left the {stories} slot: still read, never written.
        self.legacy_story_body = lambda story_id: base + "story:" + story_id + ":body"


BODY_MARKER = b"\x00z"

# Block text of stored HTML, the rule newsflow's htmlText (src/extract/content/text.ts) applies: a line break
# around every block element, no text from script/style/template/noscript, spaces collapsed, no empty lines.
BLOCK = set("address article aside blockquote br caption dd details dialog div dl dt fieldset figure footer form "
            "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul".split())
SKIP = {"script", "style", "template", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _BlockText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1
        elif tag in BLOCK and not self.skipping:
            self.parts.append("\n\n" if tag in VOID else "\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK and not self.skipping:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK and tag not in VOID and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def block_text(html):
    p = _BlockText()
    p.feed(html)
    p.close()
    text = re.sub("[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", "".join(p.parts))
    return re.sub(r" ?[\r\n]\s*", "\n", text).strip()


def decode_body(raw):
    """A stored body (bytes) as a dict: zlib behind the 0x00 'z' marker, or plain JSON (older bodies)."""
    if raw[:2] == BODY_MARKER:
        body = json.loads(zlib.decompress(raw[2:]).decode("utf-8"))
    elif raw[:1] == b"{":
        body = json.loads(raw.decode("utf-8"))
    else:
        raise ValueError("stored body in an unknown format (first byte %r)" % raw[:1])
    if not isinstance(body.get("contentText"), str):
        body["contentText"] = block_text(body.get("contentHtml") or "")
    return body


# How long read_story_body waits for the body of a story created a moment ago (seconds, then gives up).
BODY_WAITS = (0.02, 0.04, 0.08)


def read_story_body(r, raw, keys, story_id):
    """The stored body (bytes) of a story, or None. r answers text (the story hash), raw bytes (the body)."""
    followed, waits = False, list(BODY_WAITS)
    while True:
        rep, prev_rep, merged_into = r.hmget(keys.story(story_id), "rep", "prevRep", "mergedInto")
        if not rep:
            # A story merged into another resolves to the survivor (once: a survivor is never merged away again).
            if merged_into and merged_into != story_id and not followed:
                story_id, followed = merged_into, True
                continue
            return raw.get(keys.legacy_story_body(story_id))
        for key in (keys.body(rep), keys.body(prev_rep) if prev_rep else None, keys.legacy_story_body(story_id)):
            stored = raw.get(key) if key else None
            if stored:
                return stored
        # A story whose decision is a round trip old has no body yet: wait that out, briefly.
        if not waits:
            return None
        time.sleep(waits.pop(0))


class InvalidEvent(Exception):
    pass


def decode_event(fields):
    missing = [f for f in REQUIRED if not fields.get(f)]
    if missing:
        raise InvalidEvent("missing field(s): " + ", ".join(missing))
    if not fields["version"].isdigit() or fields["version"] == "0":
        raise InvalidEvent("version must be a positive integer, got %r" % fields["version"])
    event = dict(fields, version=int(fields["version"]))
    if "members" in fields:
        # story.expired: the removed story's member article ids, a JSON array (docs/CONSUMING.md, Events).
        try:
            members = json.loads(fields["members"])
        except ValueError:
            raise InvalidEvent("members is not JSON")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise InvalidEvent("members must be a JSON array of article ids")
        event["members"] = members
    return event


def pairs(flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat) - 1, 2)}


def is_cluster(client):
    cluster = getattr(redis, "RedisCluster", None)  # redis-py >= 4.1
    return cluster is not None and isinstance(client, cluster)


def parse_cluster_nodes(spec):
    """Seed nodes as newsflow reads REDIS_CLUSTER_NODES: comma-separated host:port, [::1]:port or
    redis[s]://[user:password@]host:port (credentials and TLS are the cluster's). Returns ([(host, port)], options)."""
    nodes, options = [], {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        url = urlsplit(item if "://" in item else "redis://" + item)
        try:
            port = url.port
        except ValueError:
            port = None
        if url.scheme not in ("redis", "rediss") or not url.hostname or not port:
            raise ValueError("cluster node %r: expected host:port or redis[s]://[user:password@]host:port" % item)
        if url.username:
            options["username"] = unquote(url.username)
        if url.password:
            options["password"] = unquote(url.password)
        if url.scheme == "rediss":
            options["ssl"] = True
        nodes.append((url.hostname, port))
    if not nodes:
        raise ValueError("no cluster nodes")
    return nodes, options


def connect_cluster(spec, decode_responses):
    try:
        from redis.cluster import ClusterNode, RedisCluster
    except ImportError:
        sys.exit("a Redis Cluster needs redis-py >= 4.1 (redis.cluster), found %s" % redis.__version__)
    nodes, options = parse_cluster_nodes(spec)
    return RedisCluster(startup_nodes=[ClusterNode(host, port) for host, port in nodes],
                        decode_responses=decode_responses, **options)


# Errors of a cluster whose slots moved or whose primary failed over: refresh the slot map and try again.
CLUSTER_RETRY = tuple(getattr(redis.exceptions, name) for name in (
    "ConnectionError", "TimeoutError", "MovedError", "AskError", "ClusterDownError", "TryAgainError")
    if hasattr(redis.exceptions, name))


class Consumer:
    def __init__(self, r, keys, group, name, handle, start_id="$", count=16, block_ms=2000,
                 claim_min_idle_ms=60000, claim_interval_ms=15000, max_deliveries=5,
                 dead_letter_maxlen=100000):
        self.r, self.keys, self.group, self.name, self.handle = r, keys, group, name, handle
        self.start_id, self.count, self.block_ms = start_id, count, block_ms
        self.claim_min_idle_ms, self.claim_interval_ms = claim_min_idle_ms, claim_interval_ms
        self.max_deliveries, self.dead_letter_maxlen = max_deliveries, dead_letter_maxlen
        self.stopping = False
        self.last_errors = {}
        self.cluster = is_cluster(r)
        if not self.cluster:
            self.raw_replies(r)

    @staticmethod
    def raw_replies(client):
        # Parse stream replies ourselves: a pending entry trimmed from the stream comes back as [id, nil].
        for cmd in ("XREADGROUP", "XAUTOCLAIM"):
            client.set_response_callback(cmd, lambda response, **options: response)
        return client

    def on_stream_node(self, call):
        """call(client) with a client of the node that holds the stream (the plain client on one Redis).

        On a cluster, the stream reads and the dead-letter transaction go to that node's own client: redis-py's
        RedisCluster parses every reply with its node clients' callbacks (set_response_callback on the cluster
        client only post-processes), and its pipelines refused MULTI before recent releases. The stream and its
        dead-letter stream share {stories}: one slot, one node. A moved slot or a failover refreshes the slot
        map, then the call runs again, for up to about half a minute.
        """
        if not self.cluster:
            return call(self.r)
        for attempt in range(30):
            try:
                node = self.r.get_node_from_key(self.keys.stream)
                return call(self.raw_replies(self.r.get_redis_connection(node)))
            except CLUSTER_RETRY:
                if attempt == 29 or self.stopping:
                    raise
                time.sleep(min(1.0, 0.1 * (attempt + 1)))
                try:
                    self.r.nodes_manager.initialize()
                except (redis.exceptions.RedisError, redis.exceptions.RedisClusterException):
                    pass  # no node answered yet: the next attempt tries again

    def ensure_group(self):
        try:
            self.r.xgroup_create(self.keys.stream, self.group, id=self.start_id, mkstream=True)
        except redis.ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise

    def read(self, stream_id, block=None):
        args = ["XREADGROUP", "GROUP", self.group, self.name, "COUNT", self.count]
        if block is not None:
            args += ["BLOCK", block]
        reply = self.on_stream_node(lambda c: c.execute_command(*args, "STREAMS", self.keys.stream, stream_id))
        if not reply:
            return []
        # RESP3 (redis-py 8's default protocol) answers a map {stream: entries}; RESP2 a list [[stream, entries]].
        if isinstance(reply, dict):
            return reply.get(self.keys.stream) or next(iter(reply.values()), None) or []
        return reply[0][1]

    def delivery_counts(self, entries):
        if not entries:
            return {}
        rows = self.r.xpending_range(self.keys.stream, self.group, entries[0][0], entries[-1][0],
                                     len(entries), consumername=self.name)
        return {row["message_id"]: row["times_delivered"] for row in rows}

    def dead_letter(self, entry_id, fields, deliveries, reason, error):
        letter = {
            "sourceStream": self.keys.stream, "sourceId": entry_id, "group": self.group,
            "consumer": self.name, "deliveries": str(deliveries), "reason": reason,
            "error": error[:2000], "failedAt": datetime.now(timezone.utc).isoformat(),
            "fields": json.dumps(fields),
        }
        # One transaction: the entry leaves the pending list exactly when its dead letter exists. On a cluster a
        # MULTI must stay within one slot: the stream and its dead-letter stream share the hash tag {stories}.
        def move(client):
            pipe = client.pipeline(transaction=True)
            pipe.xadd(self.keys.dead_letters, letter, maxlen=self.dead_letter_maxlen, approximate=True)
            pipe.xack(self.keys.stream, self.group, entry_id)
            pipe.execute()

        self.on_stream_node(move)
        self.last_errors.pop(entry_id, None)
        print("dead-lettered %s after %d deliveries: %s: %s" % (entry_id, deliveries, reason, error),
              file=sys.stderr)

    def process(self, entry_id, flat, deliveries):
        if flat is None:  # trimmed from the stream while pending: nothing left to deliver
            self.r.xack(self.keys.stream, self.group, entry_id)
            return
        fields = pairs(flat)
        if deliveries > self.max_deliveries:
            reason, error = self.last_errors.get(entry_id, (
                "max-deliveries",
                "delivered %d times without an ack (handler crashed, hung or timed out)" % deliveries))
            self.dead_letter(entry_id, fields, deliveries, reason, error)
            return
        try:
            event = decode_event(fields)
        except InvalidEvent as e:
            self.dead_letter(entry_id, fields, deliveries, "invalid-event", str(e))
            return
        try:
            self.handle(entry_id, event, deliveries)
        except Exception as e:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
            reason = getattr(e, "code", None) if isinstance(getattr(e, "code", None), str) else type(e).__name__
            if deliveries >= self.max_deliveries:
                self.dead_letter(entry_id, fields, deliveries, reason, str(e) or reason)
            else:
                # Left pending: XAUTOCLAIM hands it out again after claim_min_idle_ms.
                self.last_errors[entry_id] = (reason, str(e) or reason)
            return
        self.r.xack(self.keys.stream, self.group, entry_id)

    def process_batch(self, entries, counts):
        for entry_id, flat in entries:
            if self.stopping:
                return
            self.process(entry_id, flat, counts.get(entry_id, 1) if counts is not None else 1)

    def run(self):
        self.ensure_group()
        # 1. After a restart, first what this consumer read and never acknowledged.
        last = "0-0"
        while not self.stopping:
            entries = self.read(last)
            if not entries:
                break
            last = entries[-1][0]
            self.process_batch(entries, self.delivery_counts(entries))
        # 2. New entries, and now and then entries idle on dead (or failing) consumers.
        cursor, next_claim = "0-0", 0.0
        while not self.stopping:
            if time.monotonic() >= next_claim:
                reply = self.on_stream_node(lambda c: c.execute_command(
                    "XAUTOCLAIM", self.keys.stream, self.group, self.name, self.claim_min_idle_ms, cursor,
                    "COUNT", self.count))
                cursor = reply[0]
                claimed = [e for e in reply[1] if e is not None]
                self.process_batch(claimed, self.delivery_counts(claimed))
                next_claim = time.monotonic() + self.claim_interval_ms / 1000 if cursor == "0-0" else 0.0
            else:
                wait = int(max(1, min(self.block_ms, (next_claim - time.monotonic()) * 1000)))
                self.process_batch(self.read(">", block=wait), None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    ap.add_argument(
        "--cluster-nodes",
        default=os.environ.get("REDIS_CLUSTER_NODES", ""),
        help="a Redis Cluster's seed nodes, host:port,host:port,... (default: $REDIS_CLUSTER_NODES); "
             "wins over --redis-url",
    )
    ap.add_argument(
        "--prefix",
        default=os.environ.get("NEWSFLOW_KEY_PREFIX", "newsflow"),
        help="newsflow's redis.keyPrefix (default: $NEWSFLOW_KEY_PREFIX, else newsflow)",
    )
    ap.add_argument("--group", default="python-example")
    ap.add_argument("--consumer", default=socket.gethostname(), help="stable per replica")
    ap.add_argument("--from", dest="start_id", default="$", help="where a new group starts: $ or 0")
    ap.add_argument("--max-deliveries", type=int, default=5)
    ap.add_argument("--claim-min-idle-ms", type=int, default=60000)
    ap.add_argument("--limit", type=int, default=0, help="exit after this many events (0 = run until SIGTERM)")
    args = ap.parse_args()

    # Bodies are bytes (compressed): read them on a connection that does not decode replies as text.
    if args.cluster_nodes.strip():
        # redis-py's cluster client logs every error it meets with a traceback, the BUSYGROUP ensure_group expects
        # and each retry of a failover included; what matters still reaches this script as an exception.
        logging.getLogger("redis").addHandler(logging.NullHandler())
        try:
            r = connect_cluster(args.cluster_nodes, decode_responses=True)
        except ValueError as e:
            ap.error("--cluster-nodes: %s" % e)
        raw = connect_cluster(args.cluster_nodes, decode_responses=False)
    else:
        r = redis.Redis.from_url(args.redis_url, decode_responses=True)
        raw = redis.Redis.from_url(args.redis_url)
    keys = Keys(args.prefix)
    handled = 0

    def handle(entry_id, event, deliveries):
        line = {
            "id": entry_id,
            "type": event["type"],
            "storyId": event["storyId"],
            "articleId": event["articleId"],
            "url": event["url"],
            "deliveries": deliveries,
        }
        if event["type"] == "story.expired":
            # Retention removed the story: its body and member records are gone; drop what you derived from it.
            emit(dict(line, members=event["members"]))
            return
        record = r.get(keys.article(event["articleId"]))
        member = json.loads(record) if record else None
        story_id = member["storyId"] if member else event["storyId"]
        stored = read_story_body(r, raw, keys, story_id)
        body = decode_body(stored) if stored else None
        emit(dict(line, **{
            "title": member["title"] if member else None,
            "relation": member["relation"] if member else None,
            # The page's declared canonical (else its final URL), and the dedupe key; a record written before
            # schemaVersion 2 has no urlKey: its canonicalUrl held the key then (docs/CONSUMING.md, Versioning).
            "canonicalUrl": member["canonicalUrl"] if member else None,
            "urlKey": (member.get("urlKey") or member["canonicalUrl"]) if member else None,
            "storyTitle": body["title"] if body else None,
            "storyWords": body["wordCount"] if body else None,
            "storyText": body["contentText"] if body else None,
        }))

    def emit(line):
        nonlocal handled
        print(json.dumps(line), flush=True)
        handled += 1
        if args.limit and handled >= args.limit:
            consumer.stopping = True

    consumer = Consumer(r, keys, args.group, args.consumer, handle, start_id=args.start_id,
                        max_deliveries=args.max_deliveries, claim_min_idle_ms=args.claim_min_idle_ms)

    def stop(signum, frame):
        consumer.stopping = True  # finish the entry in hand, ack it, then leave

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    consumer.run()


if __name__ == "__main__":
    main()
