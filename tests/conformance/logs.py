#!/usr/bin/env python3
"""logs.py -- asyncio's stderr messages, compared with CPython's C Task.

    python3 tests/conformance/logs.py build/loopscope [CASE.json ...]

loopscope logs "Task exception was never retrieved" when a failed task
that nothing holds is freed (R47, Recording.logs). The conformance harness
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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
STOCK = os.path.join(REPO, "bench", "stock_asyncio.py")

# Runs the program on stock asyncio with the logger's messages on stdout.
RUNNER = r'''
import logging, runpy, sys
sys.path.insert(0, %(bench)r)
import stock_asyncio

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
    nlogs = sum(1 for ln in want if ln == "Task exception was never retrieved")
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
