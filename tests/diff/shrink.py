#!/usr/bin/env python3
"""shrink.py -- reduce a mismatching scenario while the mismatch persists.

    python3 tests/diff/shrink.py IN.json OUT.json [--bin PATH] [--grep REGEX]

Greedy delta debugging on the JSON tree: delete statements, except clauses,
gather items, coroutines, objects and optional keys; inline compound statements
(try/repeat/with/task_group bodies); simplify values.  A candidate is kept when
`check` passes and `verify` still reports a difference (exit 5) whose output
matches REGEX (default: any difference).  Repeats until nothing shrinks.
"""

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

BODY_KEYS = ("body", "try", "finally")
OPTIONAL = ("as", "name", "label", "message", "return_exceptions", "finally", "except")


def lists_of_statements(node, path=()):
    """Yield (path, list) for every list of statements in the scenario."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in BODY_KEYS and isinstance(v, list):
                yield path + (k,), v
            if k == "coroutines":
                for name, c in v.items():
                    if isinstance(c, list):
                        yield path + (k, name), c
            yield from lists_of_statements(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from lists_of_statements(v, path + (i,))


def get(node, path):
    for p in path:
        node = node[p]
    return node


def candidates(doc):
    """Yield smaller variants of doc (largest cuts first)."""
    cors = doc.get("coroutines", {})
    for name in list(cors):
        if name != doc.get("main", "main"):
            d = copy.deepcopy(doc)
            del d["coroutines"][name]
            yield d
    for name in list(doc.get("objects", {})):
        d = copy.deepcopy(doc)
        del d["objects"][name]
        if not d["objects"]:
            del d["objects"]
        yield d
    paths = [p for p, _ in lists_of_statements(doc)]
    # delete chunks of statements, halves first
    for p in paths:
        lst = get(doc, p)
        n = len(lst)
        size = n
        while size >= 1:
            for start in range(0, n, size):
                d = copy.deepcopy(doc)
                l2 = get(d, p)
                del l2[start:start + size]
                yield d
            size //= 2
    # inline compound statements, drop clauses / optional keys / gather items
    for p in paths:
        lst = get(doc, p)
        for i, st in enumerate(lst):
            if not isinstance(st, dict):
                continue
            for k in ("body", "try"):
                if k in st and isinstance(st[k], list):
                    d = copy.deepcopy(doc)
                    l2 = get(d, p)
                    l2[i:i + 1] = copy.deepcopy(st[k])
                    yield d
            if "finally" in st and isinstance(st.get("finally"), list) and "try" in st:
                d = copy.deepcopy(doc)
                get(d, p)[i:i + 1] = copy.deepcopy(st["try"]) + copy.deepcopy(st["finally"])
                yield d
            if "except" in st:
                for j in range(len(st["except"])):
                    d = copy.deepcopy(doc)
                    del get(d, p)[i]["except"][j]
                    yield d
            for k in OPTIONAL:
                if k in st:
                    d = copy.deepcopy(doc)
                    del get(d, p)[i][k]
                    yield d
            if isinstance(st.get("gather"), list):
                for j in range(len(st["gather"])):
                    d = copy.deepcopy(doc)
                    del get(d, p)[i]["gather"][j]
                    yield d
            for k in ("print", "message", "name", "label"):
                if isinstance(st.get(k), str) and len(st[k]) > 2 and k in st:
                    d = copy.deepcopy(doc)
                    s = st[k]
                    s2 = re.sub(r"\s*\{[A-Za-z_][A-Za-z0-9_]*\}", "", s)
                    s2 = re.sub(r"^(\S+)\s.*$", r"\1", s2) if s2 == s else s2
                    if s2 != s and s2:
                        get(d, p)[i][k] = s2
                        yield d
            for k in ("value", "return"):
                if k in st and st[k] not in (None, 0):
                    d = copy.deepcopy(doc)
                    get(d, p)[i][k] = 0 if k == "value" else None
                    yield d
            if "repeat" in st and st["repeat"] > 1:
                d = copy.deepcopy(doc)
                get(d, p)[i]["repeat"] = st["repeat"] - 1
                yield d
    for k in ("title", "about"):
        if k in doc:
            d = copy.deepcopy(doc)
            del d[k]
            yield d


class Oracle:
    def __init__(self, binary, grep):
        self.binary = binary
        self.grep = re.compile(grep, re.S) if grep else None
        self.tmp = tempfile.mkdtemp(prefix="shrink-")
        self.calls = 0

    def bad(self, doc):
        self.calls += 1
        path = os.path.join(self.tmp, "c.json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
        if subprocess.run([self.binary, "check", path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            return False
        try:
            p = subprocess.run([self.binary, "verify", path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=60)
        except subprocess.TimeoutExpired:
            return False
        if p.returncode != 5:
            return False
        text = p.stdout.decode("utf-8", "replace")
        return not self.grep or bool(self.grep.search(text))


def size(doc):
    return len(json.dumps(doc))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "loopscope"))
    ap.add_argument("--grep", default=None, help="regex the verify output must match")
    a = ap.parse_args()
    os.environ.setdefault("LOOPSCOPE_HARNESS",
                          os.path.join(REPO, "tests", "conformance", "vt_asyncio.py"))
    doc = json.load(open(a.inp))
    o = Oracle(a.bin, a.grep)
    if not o.bad(doc):
        print("the input does not show the mismatch", file=sys.stderr)
        return 1
    progress = True
    while progress:
        progress = False
        for cand in candidates(doc):
            if size(cand) < size(doc) and o.bad(cand):
                doc = cand
                progress = True
                with open(a.out, "w") as f:
                    json.dump(doc, f, indent=1)
                break
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("shrunk to %d bytes after %d verify runs" % (size(doc), o.calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
