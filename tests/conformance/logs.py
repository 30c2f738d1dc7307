#!/usr/bin/env python3
"""logs.py -- asyncio's stderr messages, compared with CPython's C Task.

    python3 tests/conformance/logs.py build/loopscope [CASE.json ...]
    python3 tests/conformance/logs.py build/loopscope --seeds 0:100

loopscope logs "Task exception was never retrieved" when a failed task
that nothing holds is freed (R47, Recording.logs), and "unhandled exception
during asyncio.run() shutdown" for a task that the shutdown cancelled and
that raised something else. The conformance harness
cannot check when: its pure-Python Task sits in a reference cycle after it
fails, so its message waits for the garbage collector (R55). So this test
runs each case (tests/conformance/logs/*.json) exported to Python on stock
asyncio, with the C Task and Future, on a virtual clock
(bench/stock_asyncio.py), where reference counting frees the task as
soon as nothing holds it. A handler on the "asyncio" logger writes each
message (its two lines, without the traceback) to stdout, so its place
among the printed lines is exact. loopscope's `run` writes the same two
lines to stderr in their place, flushing stdout first. The two streams
must be equal, but for the end of the second line: CPython's says where
the coroutine is defined (", defined at FILE:LINE"), which loopscope
leaves out.

--random (for programs from tests/diff/gen.py; --seeds A:B generates them)
runs the harness only, and CPython's messages for the
tasks whose end loopscope's step text calls kept (by a variable, or by a
reference cycle) are left out, since loopscope cannot know when CPython
frees those; and a program that logs nothing passes.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

# the first line of each message loopscope logs (Recording.logs)
LOG_HEADS = ("Task exception was never retrieved", "unhandled exception during asyncio.run() shutdown")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
STOCK = os.path.join(REPO, "bench", "stock_asyncio.py")
HARNESS = os.path.join(HERE, "vt_asyncio.py")
GEN = os.path.join(REPO, "tests", "diff", "gen.py")

# Runs the program on stock asyncio with the logger's messages on stdout.
# all_tasks() is a WeakSet, so runners._cancel_all_tasks cancels in address
# order; like the harness, this uses creation order instead (R51), recorded
# by a task factory that still makes the C Task.
RUNNER = r'''
import asyncio, itertools, logging, runpy, sys, weakref
from asyncio import tasks
sys.path.insert(0, %(bench)r)
import stock_asyncio

_seq = itertools.count()
_order = weakref.WeakKeyDictionary()

def _factory(loop, coro, context=None):
    task = asyncio.Task(coro, loop=loop, context=context)
    _order[task] = next(_seq)
    return task

_init = stock_asyncio.VirtualClockLoop.__init__
def _init_with_factory(self):
    _init(self)
    self.set_task_factory(_factory)
stock_asyncio.VirtualClockLoop.__init__ = _init_with_factory
_all_tasks = tasks.all_tasks
tasks.all_tasks = lambda loop=None: sorted(_all_tasks(loop), key=_order.__getitem__)

class ToStdout(logging.Handler):
    def emit(self, record):
        sys.stdout.write(record.getMessage() + "\n")

log = logging.getLogger("asyncio")
log.addHandler(ToStdout())
log.propagate = False
sys.argv = ["stock_asyncio.py", %(program)r]
stock_asyncio.main()
'''


def drop_excused(binary, case, want, got, tail_only=False):
    """For random programs: CPython also logs the failed tasks that a
    variable kept or that a reference cycle kept (R47, R55), when they are
    freed; loopscope does not know when, and its step text says so for each
    ("the task keeps the exception", "a reference cycle keeps it"). Those
    tasks' messages, and only theirs, are left out of CPython's stream.

    tail_only (the cases of tests/conformance/logs/): the
    left-out messages must come after everything else, where the garbage
    collector at exit logs a reference cycle's task; one logged earlier
    means CPython freed it at once, and None is returned."""
    st = subprocess.run([binary, "run", "--stages", case], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                        timeout=60).stdout.decode("utf-8", "replace")
    excused = set()
    for ln in st.splitlines():  # the step text starts at column 57 (src/export/exp_text.c)
        m = re.match(r"(.*?) raises: task failed(?: \(the task keeps|\. Nothing awaits the task, but a "
                     r"reference cycle)", ln[57:])
        if m and not ln.startswith("#"):
            excused.add(repr(m.group(1))[1:-1])  # as the repr in the message writes it
    def name(lines, i):
        m = re.match(r"future: <Task finished name=(['\"])(.*?)\1 ", lines[i + 1]) if i + 1 < len(lines) else None
        return m.group(2) if m and lines[i] == "Task exception was never retrieved" else None

    # tasks may share a name: of an excused name's messages, keep as many as
    # loopscope logged (the first ones: what the GC frees comes later)
    keep = {}
    for i in range(len(got)):
        if name(got, i) is not None:
            keep[name(got, i)] = keep.get(name(got, i), 0) + 1
    out, i, first_dropped = [], 0, None
    while i < len(want):
        n = name(want, i)
        if n in excused:
            if keep.get(n, 0) == 0:
                if first_dropped is None:
                    first_dropped = len(out)
                i += 2
                continue
            keep[n] -= 1
        out.append(want[i])
        i += 1
    if tail_only and first_dropped is not None and first_dropped < len(out):
        return None  # CPython logged a kept task before the program's end
    return out


def reference(kind, py, tmp):
    """CPython's merged stream (prints and log messages) and exit status:
    stock asyncio with the C Task ("stock"), or the conformance harness
    ("harness": exact nanosecond timers, deadlocks end with status 3)."""
    if kind == "stock":
        runner = os.path.join(tmp, "runner.py")
        with open(runner, "w") as f:
            f.write(RUNNER % {"bench": os.path.dirname(STOCK), "program": py})
        cmd, env = [sys.executable, "-u", runner], os.environ
    else:
        cmd = [sys.executable, "-u", HARNESS, py]
        env = dict(os.environ, VT_LOGS_TO_STDOUT="1", PYTHONHASHSEED="0")
    cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, env=env)
    return [re.sub(r", defined at [^>]*>", ">", ln)
            for ln in cp.stdout.decode("utf-8", "replace").splitlines()], cp.returncode


def run_case(binary, case, tmp, random=False):
    py = os.path.join(tmp, "program.py")
    subprocess.run([binary, "export", "--python", py, case], check=True)
    ls = subprocess.run([binary, "run", case], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        timeout=60)
    text = ls.stdout.decode("utf-8", "replace")
    if ls.returncode == 1:  # what main raised ends stderr, after the logs; it may span lines
        err = subprocess.run([binary, "run", case], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=60).stderr.decode("utf-8", "replace")
        lines = err.split("\n")
        while lines and lines[0] in LOG_HEADS:
            lines = lines[2:]
        tail = "\n".join(lines)
        if tail and text.endswith(tail):
            text = text[:-len(tail)]
    got = text.splitlines()
    for head in ("deadlock: ", "stopped: "):  # the deadlock, the limit: the rest
        k = next((i for i, ln in enumerate(got) if ls.returncode in (3, 4) and ln.startswith(head)), None)
        if k is not None:
            got = got[:k]
    nlogs = 0
    for kind in ("harness",) if random else ("stock", "harness"):
        want, status = reference(kind, py, tmp)
        if random and "Task was destroyed but it is pending!" in want:
            return True, "(known: CPython's GC closed pending tasks mid-run, R48)"
        if random:
            want = drop_excused(binary, case, want, got)
        else:
            want = drop_excused(binary, case, want, got, tail_only=True)
            if want is None:
                return False, "CPython logged a task at once that loopscope's step text calls kept"
        nlogs = sum(1 for ln in want if ln in LOG_HEADS)
        if got != want or ls.returncode != status:
            k = next((i for i in range(max(len(got), len(want)))
                      if i >= len(got) or i >= len(want) or got[i] != want[i]), None)
            return False, "exit %d vs %s %d; first difference at line %s:\n    loopscope: %s\n    CPython:   %s" % (
                ls.returncode, kind, status, None if k is None else k + 1,
                got[k] if k is not None and k < len(got) else "(end)",
                want[k] if k is not None and k < len(want) else "(end)")
    if nlogs == 0 and not random:
        return False, "CPython logged nothing: the case checks nothing"
    return True, "(%d lines, %d messages logged)" % (len(got), nlogs)


def main():
    ap = argparse.ArgumentParser(description="asyncio's log messages, loopscope against CPython")
    ap.add_argument("loopscope")
    ap.add_argument("cases", nargs="*", help="scenario files (default: tests/conformance/logs/*.json)")
    ap.add_argument("--random", action="store_true",
                    help="programs from tests/diff/gen.py: leave out the kept tasks' messages")
    ap.add_argument("--seeds", metavar="A:B", help="generate the programs for seeds A..B-1 (implies --random)")
    a = ap.parse_intermixed_args()
    binary = os.path.abspath(a.loopscope)
    failed = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = a.cases
        if a.seeds:
            lo, hi = (int(x) for x in a.seeds.split(":"))
            for seed in range(lo, hi):
                path = os.path.join(tmp, "seed%d.json" % seed)
                subprocess.run([sys.executable, GEN, str(seed), path], check=True)
                cases.append(path)
        elif not cases:
            cases = sorted(glob.glob(os.path.join(HERE, "logs", "*.json")))
        logged = 0
        for case in cases:
            ok, what = run_case(binary, case, tmp, a.random or bool(a.seeds))
            name = os.path.splitext(os.path.basename(case))[0]
            if not ok or not a.seeds:
                print("%s %-30s %s" % ("ok  " if ok else "FAIL", name, what))
            logged += ok and " 0 messages" not in what and "known" not in what
            failed += not ok
            total += 1
    print("%d passed, %d failed%s" % (total - failed, failed,
                                      " (%d with messages logged)" % logged if a.seeds else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
