#!/usr/bin/env python3
"""logs.py -- asyncio's stderr messages, compared with CPython's C Task.

    python3 tests/conformance/logs.py build/loopscope [CASE.json ...]

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
"""
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


def run_case(binary, case, tmp):
    py = os.path.join(tmp, "program.py")
    subprocess.run([binary, "export", "--python", py, case], check=True)
    ls = subprocess.run([binary, "run", case], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        timeout=60)
    runner = os.path.join(tmp, "runner.py")
    with open(runner, "w") as f:
        f.write(RUNNER % {"bench": os.path.dirname(STOCK), "program": py})
    cp = subprocess.run([sys.executable, "-u", runner], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        timeout=60)
    got = ls.stdout.decode("utf-8", "replace").splitlines()
    want = [re.sub(r", defined at [^>]*>", ">", ln)
            for ln in cp.stdout.decode("utf-8", "replace").splitlines()]
    if ls.returncode == 1:  # main raised: loopscope's last line is what it raised
        got = got[:-1]
    nlogs = sum(1 for ln in want if ln in LOG_HEADS)
    if got != want or ls.returncode != cp.returncode:
        k = next((i for i in range(max(len(got), len(want)))
                  if i >= len(got) or i >= len(want) or got[i] != want[i]), None)
        return False, "exit %d vs CPython %d; first difference at line %s:\n    loopscope: %s\n    CPython:   %s" % (
            ls.returncode, cp.returncode, None if k is None else k + 1,
            got[k] if k is not None and k < len(got) else "(end)",
            want[k] if k is not None and k < len(want) else "(end)")
    if nlogs == 0:
        return False, "CPython logged nothing: the case checks nothing"
    return True, "(%d lines, %d messages logged)" % (len(want), nlogs)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: logs.py LOOPSCOPE [CASE.json ...]")
    binary = os.path.abspath(sys.argv[1])
    cases = sys.argv[2:] or sorted(glob.glob(os.path.join(HERE, "logs", "*.json")))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            ok, what = run_case(binary, case, tmp)
            name = os.path.splitext(os.path.basename(case))[0]
            print("%s %-30s %s" % ("ok  " if ok else "FAIL", name, what))
            failed += not ok
    print("%d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
