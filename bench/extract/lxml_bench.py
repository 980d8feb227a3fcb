"""readability-lxml on the same pages as bench/extract/run.mjs, for the speed comparison.

usage: python3 lxml_bench.py LIST.json ROUNDS OUT.json
LIST.json: [{"id": …, "path": …}] (files may be gzipped). Prints one JSON line per round:
{"round": n, "pages": n, "wall_s": s, "cpu_s": s}; the last round's texts go to OUT.json as {id: text}.
Imports readability (Debian python3-readability, lxml underneath); exits 3 when it is not installed.
"""
import gzip
import json
import sys
import time

try:
    from readability import Document
    import lxml.html
except ImportError:  # reported by the caller as "skipped"
    sys.exit(3)


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def main():
    items = json.load(open(sys.argv[1]))
    rounds = int(sys.argv[2])
    pages = [(i["id"], load(i["path"])) for i in items]
    texts = {}
    for r in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        for pid, html in pages:
            try:
                summary = Document(html).summary(html_partial=True)
                texts[pid] = lxml.html.fromstring(summary).text_content()
            except Exception:  # a page it cannot handle scores as empty
                texts[pid] = ""
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(json.dumps({"round": r, "pages": len(pages), "wall_s": wall, "cpu_s": cpu}), flush=True)
    json.dump(texts, open(sys.argv[3], "w"))


main()
