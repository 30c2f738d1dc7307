#!/usr/bin/env python3
"""run.py -- conformance: does loopscope do what CPython 3.11 does?

    python3 tests/conformance/run.py BIN [-j N] [--keep DIR] [SCENARIO.json ...]

For every scenario (default: scenarios/*.json, the lectures' scenarios/lectures/*/*.json
and tests/conformance/cases/*.json):

  1. BIN export --python TMP.py SCEN        the scenario as a real asyncio program
  2. BIN run --timestamps SCEN              loopscope's printed lines and exit status
  3. BIN run --trace-callbacks CB.txt SCEN  loopscope's callback log
  4. vt_asyncio.compare(TMP.py, ...)        the same program under real CPython asyncio
                                            on a virtual clock (vt_asyncio.py): printed
                                            lines, callback sequence, exit status and,
                                            when main raised, what it raised

One line per scenario ("ok   NAME (7 lines, 23 callbacks)" or "FAIL NAME: ..." with
the first difference), then "N passed, N failed".  Exit status 0 when everything
passed, 1 otherwise -- including when there is no scenario at all, or a loopscope
command fails unexpectedly (export fails, run exits with 2 or crashes, the two runs
disagree, the callback log is not written).  2 for bad usage.

The rules both sides follow (integer-ns virtual time, equal deadlines FIFO, creation
order for set iteration) are described at the top of vt_asyncio.py.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import vt_asyncio  # noqa: E402  (beside this file)

TIMEOUT = 600                          # seconds for any one command
RUN_STATUSES = {0: "ok", 1: "main raised", 3: "deadlock", 4: "safety limit"}
STAMP = re.compile(r"^\[ *\d+\.\d{3}\] ")


class Failure(Exception):
    """A scenario failed; the message is its one-line reason plus details."""


def _run(cmd):
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure("%s did not finish within %d s" % (" ".join(cmd[:2]), TIMEOUT))
    except OSError as e:
        raise Failure("cannot run %s: %s" % (cmd[0], e))


def _why(proc):
    """A failed command's exit and first stderr line, for a FAIL line."""
    err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    how = ("killed by signal %d" % -proc.returncode if proc.returncode < 0
           else "exit status %d" % proc.returncode)
    return how + (": " + err[0] if err else "")


def _lines(data):
    return data.decode("utf-8", "replace").splitlines()


def check(binary, scenario, workdir):
    """Run one scenario through loopscope and the harness; return the ok text."""
    name = os.path.splitext(os.path.basename(scenario))[0]
    py = os.path.join(workdir, name + ".py")
    cb = os.path.join(workdir, name + ".callbacks")

    r = _run([binary, "export", "--python", py, scenario])
    if r.returncode != 0 or not os.path.isfile(py):
        raise Failure("loopscope export --python failed (%s)" % _why(r))

    stamped = _run([binary, "run", "--timestamps", scenario])
    if stamped.returncode not in RUN_STATUSES:
        raise Failure("loopscope run --timestamps failed (%s)" % _why(stamped))
    traced = _run([binary, "run", "--trace-callbacks", cb, scenario])
    if traced.returncode != stamped.returncode:
        raise Failure("loopscope run --trace-callbacks exited %d, run --timestamps %d (%s)"
                      % (traced.returncode, stamped.returncode, _why(traced)))
    if not os.path.isfile(cb):
        raise Failure("loopscope run --trace-callbacks did not write %s" % cb)

    lines = _lines(stamped.stdout)
    plain = _lines(traced.stdout)
    unstamped = [STAMP.sub("", line, count=1) for line in lines]
    if unstamped != plain:
        i = next((k for k in range(max(len(plain), len(unstamped)))
                  if k >= len(plain) or k >= len(unstamped) or plain[k] != unstamped[k]), 0)
        raise Failure("loopscope run prints differently with and without --timestamps, "
                      "line %d:\n  --timestamps: %s\n  plain:        %s"
                      % (i + 1, lines[i] if i < len(lines) else "(end)",
                         plain[i] if i < len(plain) else "(end)"))
    with open(cb, encoding="utf-8", errors="replace") as f:
        callbacks = f.read().splitlines()

    # when main raised, loopscope's stderr is what it raised, after asyncio's
    # logs (two lines each, "Task exception was never retrieved" or
    # "unhandled exception during asyncio.run() shutdown" first:
    # tests/conformance/logs.py compares those)
    err = strip_logs(stamped.stderr.decode("utf-8", "replace"))
    c = vt_asyncio.compare(py, lines, callbacks, stamped.returncode, timeout=TIMEOUT,
                           expect_error=err[:-1] if stamped.returncode == 1 else None)
    if not c.ok:
        raise Failure(c.report())
    return "(%d lines, %d callbacks%s)" % (
        len(c.lines), len(c.callbacks),
        "" if c.status == 0 else ", exit status %d: %s" % (c.status, RUN_STATUSES[c.status]))


def strip_logs(err):
    out = err.split("\n")
    i = 0
    while i < len(out) and out[i] in ("Task exception was never retrieved",
                                      "unhandled exception during asyncio.run() shutdown"):
        i += 2
    return "\n".join(out[i:])


def scenarios_from(args):
    if args.scenarios:
        return [os.path.abspath(s) for s in args.scenarios]
    found = sorted(glob.glob(os.path.join(REPO, "scenarios", "*.json")))
    # the scenarios the lectures show (scenarios/lectures/*.json are lectures)
    found += sorted(glob.glob(os.path.join(REPO, "scenarios", "lectures", "*", "*.json")))
    found += sorted(glob.glob(os.path.join(HERE, "cases", "*.json")))
    return found


def main():
    p = argparse.ArgumentParser(prog="run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("binary", metavar="BIN", help="the loopscope executable")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO.json",
                   help="default: scenarios/*.json and tests/conformance/cases/*.json")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help="scenarios checked at once (default: CPU count)")
    p.add_argument("--keep", metavar="DIR",
                   help="keep the exported programs and callback logs in DIR")
    args = p.parse_args()

    binary = os.path.abspath(args.binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("run.py: %s is not an executable; build it first (make)" % args.binary,
              file=sys.stderr)
        return 2
    todo = scenarios_from(args)
    passed = failed = 0
    if not args.scenarios and not glob.glob(os.path.join(REPO, "scenarios", "*.json")):
        # The shipped scenarios are what users open: comparing none is a failure.
        print("FAIL scenarios/ has no *.json, so no shipped scenario was compared with CPython",
              flush=True)
        failed += 1
    if not todo:
        print("%d passed, %d failed" % (passed, max(failed, 1)))
        return 1
    names = [os.path.splitext(os.path.basename(s))[0] for s in todo]
    width = max(map(len, names))

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        tmp = None
        workdir = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="loopscope-conformance-")
        workdir = tmp.name

    def one(scenario):
        # Each scenario gets its own folder: two cases may share a name.
        d = tempfile.mkdtemp(dir=workdir, prefix=os.path.basename(scenario) + ".")
        try:
            return True, check(binary, scenario, d)
        except Failure as e:
            return False, str(e)
        except Exception as e:                 # a bug here must fail loudly too
            return False, "run.py error: %s: %s" % (type(e).__name__, e)

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for name, (ok, text) in zip(names, pool.map(one, todo)):
            if ok:
                passed += 1
                print("ok   %-*s %s" % (width, name, text), flush=True)
            else:
                failed += 1
                first, _, rest = text.partition("\n")
                print("FAIL %-*s %s" % (width, name, first), flush=True)
                for line in rest.splitlines():
                    print("     " + line)
    if tmp is not None:
        tmp.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
