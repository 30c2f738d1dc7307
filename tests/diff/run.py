#!/usr/bin/env python3
"""run.py -- differential random-program testing of loopscope against CPython.

    python3 tests/diff/run.py [--seeds A:B] [--bin PATH] [--out DIR] [-j N] [--timeout S]
                                [--catch-main]
    python3 tests/diff/run.py --known tests/diff/found/*.json [--bin PATH]

For every seed in [A, B):
  1. gen.py SEED  -> DIR/work/SEED.json        a random scenario
  2. BIN check                                  a failure is a *generator* bug
                                                (saved as DIR/invalid/SEED.json + .txt)
  3. BIN verify   (with a timeout)              loopscope vs CPython (vt_asyncio.py):
                                                printed lines, callbacks, exit status,
                                                what main raised
A mismatch is saved as DIR/mismatch/SEED.json plus SEED.txt (verify's output).
Prints one line per non-matching seed and a summary; exits 1 unless every seed
matched.  Runs at most 2 jobs at once.  `make diff` runs a fixed range of seeds.

The harness is found through $LOOPSCOPE_HARNESS (default: the repository's
tests/conformance/vt_asyncio.py).
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(HERE, "gen.py")


def sh(cmd, timeout, env=None):
    """Run cmd in its own process group; on timeout kill that group (only it)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.communicate()
        return None, "", "timeout"
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


# The difference docs/scenario-format.md lists that random programs reach:
# tasks still pending when asyncio.run returns (made during its shutdown, or
# left by a RecursionError there) are garbage-collected in CPython, which
# closes their coroutines, so their finally blocks print after everything
# else. Then loopscope's lines are all there and CPython has more at the end.
# (Its other form, pending tasks collected mid-run, is told apart in classify.)
KNOWN_PENDING = re.compile(r"\Adiffers from CPython [0-9.]+ at printed line \d+:\n"
                           r"  loopscope: \(end: \d+ printed lines in all\)\n"
                           r"  CPython: .*\n?\Z")


# The other difference random programs reach: recursion deeper than CPython's
# limit. loopscope does not count CPython's frames; it stops the run at
# --max-depth (exit status 4, "the call-depth limit was reached") where CPython
# has raised RecursionError, a few levels earlier, or about half as deep when
# the frames print a list nested one level deeper each time (the repr's levels
# count too). Known when loopscope stopped for that reason.
DEPTH_LIMIT = "the call-depth limit was reached"


def stopped_at_depth_limit(binary, path, timeout):
    rc, _, err = sh([binary, "run", path], timeout)
    return rc == 4 and DEPTH_LIMIT in err


def classify(binary, path, timeout):
    """-> (kind, text).  kind: match, known, mismatch, invalid, timeout, error."""
    rc, out, err = sh([binary, "check", path], 30)
    if rc != 0:
        return "invalid", out + err
    rc, out, err = sh([binary, "verify", path], timeout)
    if rc is None:
        return "timeout", "verify timed out after %ss" % timeout
    if rc == 5:
        destroyed = "Task was destroyed but it is pending!" in err
        if KNOWN_PENDING.match(out) and destroyed:
            return "known", out
        if destroyed:
            # The same difference earlier: pending tasks that nothing refers
            # to any more (two tasks awaiting each other) are collected during
            # the run, when CPython's cyclic GC happens to run. With every task
            # kept alive to the end (the harness's VT_KEEP_TASKS), as loopscope
            # models it, the run must match but for the collection at the end.
            env = dict(os.environ, VT_KEEP_TASKS="1")
            rc2, out2, _ = sh([binary, "verify", path], timeout, env)
            if rc2 == 0 or (rc2 == 5 and KNOWN_PENDING.match(out2)):
                return "known", out + "\n(with every task kept alive to the end: %s)" % (
                    out2.splitlines()[0] if out2 else "")
        if stopped_at_depth_limit(binary, path, timeout):
            return "known", out
        return "mismatch", out + "\n--- stderr ---\n" + err
    if rc != 0:
        return "error", "verify exit %s\n%s\n%s" % (rc, out, err)
    return "match", out


def one(seed, binary, outdir, timeout, gen_flags=()):
    work = os.path.join(outdir, "work")
    path = os.path.join(work, "%d.json" % seed)
    rc, out, err = sh([sys.executable, GEN] + list(gen_flags) + [str(seed), path], 60)
    if rc != 0:
        kind, text = "genfail", err
    else:
        kind, text = classify(binary, path, timeout)
    if kind not in ("match",):
        d = os.path.join(outdir, kind)
        os.makedirs(d, exist_ok=True)
        if os.path.exists(path):
            shutil.copy(path, os.path.join(d, "%d.json" % seed))
        with open(os.path.join(d, "%d.txt" % seed), "w") as f:
            f.write(text)
    if os.path.exists(path):
        os.unlink(path)
    return seed, kind, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0:200", help="A:B, half-open range (default 0:200)")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "loopscope"),
                    help="the loopscope executable (default build/loopscope)")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "diff"),
                    help="where non-matching seeds are saved (default build/diff)")
    ap.add_argument("-j", type=int, default=2, help="parallel jobs (at most 2)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per verify")
    ap.add_argument("--catch-main", action="store_true",
                    help="pass --catch-main to gen.py (half the mains catch everything)")
    ap.add_argument("--known", nargs="+", metavar="FILE",
                    help="instead of seeds: each FILE (tests/diff/found/*.json) must be "
                         "classified known, neither matching nor mismatching")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.seeds.split(":"))
    jobs = max(1, min(2, a.j))
    os.environ.setdefault("LOOPSCOPE_HARNESS",
                          os.path.join(REPO, "tests", "conformance", "vt_asyncio.py"))
    if a.known:
        bad = 0
        for path in a.known:
            kind, text = classify(a.bin, path, a.timeout)
            print("%-8s %s" % (kind, os.path.basename(path)), flush=True)
            if kind != "known":
                bad += 1
                print("  " + "\n  ".join(text.splitlines()[:6]))
        print("known differences: %d of %d still classified known" % (len(a.known) - bad,
                                                                       len(a.known)))
        return 1 if bad else 0
    for kind in ("mismatch", "invalid", "timeout", "error", "genfail"):  # a fresh report
        shutil.rmtree(os.path.join(a.out, kind), ignore_errors=True)
    os.makedirs(os.path.join(a.out, "work"), exist_ok=True)
    counts = {}
    outcomes = {}
    cbs = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        flags = ["--catch-main"] if a.catch_main else []
        for seed, kind, text in ex.map(lambda s: one(s, a.bin, a.out, a.timeout, flags),
                                       range(lo, hi)):
            counts[kind] = counts.get(kind, 0) + 1
            m = re.search(r"\((\d+) printed lines, (\d+) callbacks, exit status (\d+)\)", text)
            if kind == "match" and m:
                st = {"0": "ok", "1": "raised", "3": "deadlock", "4": "limit"}.get(m.group(3), m.group(3))
                outcomes[st] = outcomes.get(st, 0) + 1
                cbs.append(int(m.group(2)))
            if kind != "match":
                lines = [l for l in text.splitlines() if l.strip()]
                brief = " | ".join(lines[:3])[:300]
                print("%-8s seed %d: %s" % (kind, seed, brief), flush=True)
    total = sum(counts.values())
    print("\nsummary: %d seeds: %s" % (total, ", ".join(
        "%s %d" % (k, counts.get(k, 0))
        for k in ("match", "known", "mismatch", "invalid", "timeout", "error", "genfail"))))
    if cbs:
        cbs.sort()
        print("matching runs by outcome: %s; callbacks per run: median %d, max %d" % (
            ", ".join("%s %d" % kv for kv in sorted(outcomes.items())), cbs[len(cbs) // 2], cbs[-1]))
    print("saved under %s/{known,mismatch,invalid,timeout,error,genfail}/" % a.out)
    return 0 if counts.get("match", 0) + counts.get("known", 0) == total else 1


if __name__ == "__main__":
    sys.exit(main())
