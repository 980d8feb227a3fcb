#!/usr/bin/env python3
"""Read newsflow's story stream from Python with a Redis consumer group.

Delivery is at-least-once: an entry is acknowledged only after handle() returned, so after a crash it is
delivered again (to this consumer when it restarts under the same --consumer name, or to another one once it
has been idle for --claim-min-idle-ms). Make handle() idempotent.

The contract (docs/CONSUMING.md): events on <prefix>:{stories}:articles are small pointers
{type, storyId, articleId, url, version, at}; each article's record is JSON at <prefix>:{stories}:art:<id>,
each story's one body is at <prefix>:{stories}:story:<storyId>:body: bytes 0x00 'z' then a zlib stream of its
JSON (contentText left out when it is the block text of contentHtml), or plain JSON when written before bodies
were compressed. decode_body() reads both.

Needs redis-py >= 4 (Debian/Ubuntu: apt-get install python3-redis; elsewhere: pip install redis); works with
both reply protocols (RESP2, and RESP3 which redis-py 8 speaks by default).
"""

import argparse
import json
import re
import zlib
from html.parser import HTMLParser
import os
import signal
import socket
import sys
import time
from datetime import datetime, timezone

import redis

REQUIRED = ("type", "storyId", "articleId", "url", "version", "at")


class Keys:
    def __init__(self, prefix):
        base = prefix + ":{stories}:"
        self.stream = base + "articles"
        self.dead_letters = base + "articles:dlq"
        self.article = lambda article_id: base + "art:" + article_id
        self.story_body = lambda story_id: base + "story:" + story_id + ":body"


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
        # Parse stream replies ourselves: a pending entry trimmed from the stream comes back as [id, nil].
        for cmd in ("XREADGROUP", "XAUTOCLAIM"):
            r.set_response_callback(cmd, lambda response, **options: response)

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
        reply = self.r.execute_command(*args, "STREAMS", self.keys.stream, stream_id)
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
        # One transaction: the entry leaves the pending list exactly when its dead letter exists.
        pipe = self.r.pipeline(transaction=True)
        pipe.xadd(self.keys.dead_letters, letter, maxlen=self.dead_letter_maxlen, approximate=True)
        pipe.xack(self.keys.stream, self.group, entry_id)
        pipe.execute()
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
                reply = self.r.execute_command("XAUTOCLAIM", self.keys.stream, self.group, self.name,
                                               self.claim_min_idle_ms, cursor, "COUNT", self.count)
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

    r = redis.Redis.from_url(args.redis_url, decode_responses=True)
    # Bodies are bytes (compressed): read them on a connection that does not decode replies as text.
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
        stored = raw.get(keys.story_body(story_id))
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
