#!/usr/bin/env python3
"""bench.py -- how fast and light loopscope runs big scenarios, as ratios.

    python3 tests/bench/bench.py BIN [--tasks N ...]

For each size N it generates a scenario with N worker tasks (each prints,
sleeps, awaits I/O and takes a Lock), then measures in the same run:

  * loopscope:  `BIN run` on it (the whole simulation, recorded step by step)
  * reference:  the same program exported to Python and run by real CPython
                asyncio on the virtual clock (tests/conformance/vt_asyncio.py)

and prints both wall times, their ratio CPython / loopscope, and the
length of the --stages log (one line per recorded micro-step or print). Ratios, not absolute times, are the figures to compare
between machines. Nothing here asserts a time: it is a measurement.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(os.path.dirname(HERE), "conformance", "vt_asyncio.py")


def scenario(n):
    return {
        "title": "bench: %d workers" % n,
        "objects": {"lock": "Lock"},
        "coroutines": {
            "worker": {"params": ["i"], "body": [
                {"print": "worker {i} starts"},
                {"sleep": 0.5},
                {"io": 1, "label": "read {i}"},
                {"with": "lock", "body": [{"sleep": 0}]},
                {"return": {"var": "i"}},
            ]},
            "main": [
                {"repeat": n, "as": "i", "body": [
                    {"create_task": "worker", "args": [{"var": "i"}], "as": "t"}]},
                {"sleep": 2},
                {"print": "main done"},
            ],
        },
    }


def measure(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (cmd[0], p.returncode, p.stderr.decode()[:300]))
    return dt, max(rss, before)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--tasks", type=int, nargs="*", default=[100, 1000, 10000])
    a = ap.parse_args()
    print("%8s %12s %12s %12s %10s" % ("tasks", "loopscope s", "CPython s", "ratio", "steps"))
    with tempfile.TemporaryDirectory() as d:
        for n in a.tasks:
            scn = os.path.join(d, "bench%d.json" % n)
            py = os.path.join(d, "bench%d.py" % n)
            with open(scn, "w") as f:
                json.dump(scenario(n), f)
            subprocess.run([a.bin, "export", "--python", py, scn], check=True)
            t_ls, _ = measure([a.bin, "run", "--max-steps", "100000000", scn])
            t_py, _ = measure([sys.executable, HARNESS, py])
            st = subprocess.run([a.bin, "run", "--stages", "--max-steps", "100000000", scn],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.count(b"\n")
            print("%8d %12.3f %12.3f %11.1fx %10d" % (n, t_ls, t_py, t_py / t_ls if t_ls else 0, st))
    print("ratio = CPython-on-virtual-clock time / loopscope time for the same program (higher is better)")


if __name__ == "__main__":
    main()
