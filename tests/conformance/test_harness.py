#!/usr/bin/env python3
"""test_harness.py -- self-tests for vt_asyncio.py, the virtual-clock harness.

    python3 tests/conformance/test_harness.py [-v] [NAME...]

The harness is the referee for loopscope, so it gets its own tests: small asyncio
programs whose output (and callback log) under the virtual clock was worked out by
hand from CPython 3.11.7's Lib/asyncio -- base_events._run_once (timers due after
the ready handles, R3; frozen ready snapshot, R2), tasks.sleep (timer, then the
wake-up one iteration later, R18), tasks.Task.__step/__wakeup, tasks.gather's
_done_callback, tasks.wait_for (R32), taskgroups.TaskGroup, runners.Runner (R43-46)
-- plus loopscope's two decisions (integer-ns time, equal deadlines FIFO).  Where a
program has no timing race, its plain output is also checked against plain
`python3 PROGRAM.py` on the real clock (short real sleeps), which is the ground
truth the harness must agree with.

Prints one line per test and "N passed, N failed" last; exit 1 on any failure.
"""

import concurrent.futures
import os
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "vt_asyncio.py")
TMP = tempfile.mkdtemp(prefix="vt_asyncio-tests-")
VERSION = "%d.%d.%d" % sys.version_info[:3]

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

_counter = [0]


def program(src):
    """Write a program to a temporary file; return its path."""
    _counter[0] += 1
    path = os.path.join(TMP, "prog%03d.py" % _counter[0])
    with open(path, "w") as f:
        f.write(textwrap.dedent(src).lstrip())
    return path


class Run:
    def __init__(self, proc, callbacks):
        self.status = proc.returncode
        self.out = proc.stdout.decode()
        self.err = proc.stderr.decode()
        self.lines = self.out.splitlines()
        self.callbacks = callbacks


def vt(src_or_path, *flags, env=None):
    """Run a program under the harness; --callbacks is always collected."""
    path = src_or_path if os.path.isfile(src_or_path) else program(src_or_path)
    cb = path + ".cb"
    if os.path.exists(cb):
        os.unlink(cb)
    proc = subprocess.run([sys.executable, HARNESS, "--callbacks", cb, *flags, path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                          env=dict(os.environ, **env) if env else None)
    cbs = open(cb).read().splitlines() if os.path.exists(cb) else None
    return Run(proc, cbs)


def real(path):
    """Plain python3 on the real clock."""
    return subprocess.run([sys.executable, path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)


def harness(*args):
    proc = subprocess.run([sys.executable, HARNESS, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)
    return Run(proc, None)


def expect_equal(what, got, want):
    if got != want:
        raise AssertionError("%s:\n    got:  %r\n    want: %r" % (what, got, want))


def lines(text):
    return textwrap.dedent(text).strip("\n").splitlines()


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ---------------------------------------------------------------------------
# programs
# ---------------------------------------------------------------------------

SEED = """
import asyncio
async def task(name, delay):
    print(f"{name}: Started")
    await asyncio.sleep(delay)
    print(f"{name}: Finished after {delay}s")
async def main():
    print("Main: Starting tasks...")
    asyncio.create_task(task("A", 2))
    asyncio.create_task(task("B", 1))
    print("Main: All tasks started!")
    await asyncio.sleep(3)
    print("Main: Exiting")
asyncio.run(main())
"""

TIES = """
import asyncio
async def w(i):
    await asyncio.sleep(1)
    print(f"wake {i}")
async def main():
    await asyncio.gather(*(w(i) for i in range(5)))
asyncio.run(main())
"""

FLOAT_DEADLINES = """
import asyncio
async def a():
    await asyncio.sleep(0.7)
    await asyncio.sleep(0.1)
    print("A woke")
async def b():
    await asyncio.sleep(0.8)
    print("B woke")
async def main():
    tb = asyncio.create_task(b())
    ta = asyncio.create_task(a())
    await asyncio.gather(tb, ta)
asyncio.run(main())
"""

# R2/R3: call_soon handles queued earlier run before timers that fall due now;
# due timers in deadline order.  Deterministic on a real clock as well.
READY_BEFORE_TIMERS = """
import asyncio
async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0, print, "call_later(0)")
    loop.call_at(loop.time() - 5, print, "call_at(now - 5)")
    loop.call_soon(print, "call_soon 1")
    loop.call_soon(print, "call_soon 2")
    await asyncio.sleep(0)
    print("main resumed")
    await asyncio.sleep(0)
    print("main again")
asyncio.run(main())
"""

# R19/R2: sleep(0) round robin; a call_soon made in a step runs next iteration.
ROUND_ROBIN = """
import asyncio
async def worker(name):
    for i in range(3):
        print(f"{name}{i}")
        if name == "A" and i == 0:
            asyncio.get_running_loop().call_soon(print, "call_soon from A0")
        await asyncio.sleep(0)
async def main():
    await asyncio.gather(worker("A"), worker("B"), worker("C"))
asyncio.run(main())
"""

# R44: a task created in main's last step still runs its first step.
RUN_SHUTDOWN = """
import asyncio
async def late():
    print("late runs")
async def never():
    try:
        print("never prints")
    finally:
        print("never's finally does not run either")
async def spawner():
    print("spawner runs")
    asyncio.create_task(never())
async def main():
    asyncio.create_task(late())
    asyncio.create_task(spawner())
    print("main returns")
asyncio.run(main())
"""

GATHER_RESULTS = """
import asyncio
S = 0.05
async def job(name, units):
    await asyncio.sleep(units * S)
    print(f"{name} done")
    return name
async def main():
    print(await asyncio.gather(job("g1", 2), job("g2", 1), job("g3", 3)))
    for f in asyncio.as_completed([job("a1", 3), job("a2", 1), job("a3", 2)]):
        print("as_completed", await f)
    lock = asyncio.Lock()
    async def locked(n):
        async with lock:
            print(f"lock {n} in")
            await asyncio.sleep(S)
    await asyncio.gather(*(locked(i) for i in range(3)))
    q = asyncio.Queue(maxsize=1)
    async def prod():
        for i in range(3):
            await q.put(i)
            print("put", i)
        await q.put(None)
    async def cons():
        while (x := await q.get()) is not None:
            print("got", x)
            await asyncio.sleep(S)
    await asyncio.gather(prod(), cons())
    try:
        async with asyncio.timeout(S):
            await job("slow", 2)
    except TimeoutError:
        print("timeout")
    async with asyncio.TaskGroup() as tg:
        for i in range(3):
            tg.create_task(job(f"tg{i}", 3 - i))
    print(await asyncio.to_thread(lambda: "from a thread"))
asyncio.run(main())
"""


# ---------------------------------------------------------------------------
# tests: the seed example
# ---------------------------------------------------------------------------

@test
def seed_timestamps():
    r = vt(SEED, "--timestamps")
    expect_equal("status", r.status, 0)
    expect_equal("stdout", r.lines, lines("""
        [  0.000] Main: Starting tasks...
        [  0.000] Main: All tasks started!
        [  0.000] A: Started
        [  0.000] B: Started
        [  1.000] B: Finished after 1s
        [  2.000] A: Finished after 2s
        [  3.000] Main: Exiting
        """))
    expect_equal("stderr", r.err, "")


@test
def seed_callbacks():
    # Worked out from _run_once (asyncio-semantics 3.1): iteration 1 main's step;
    # 2 the two tasks' first steps; each sleep is a timer callback, then the wake-up
    # one iteration later; main's end queues _run_until_complete_cb; then
    # Runner.close runs shutdown_asyncgens (Task-4) and shutdown_default_executor
    # (Task-5), each followed by its own _run_until_complete_cb.
    r = vt(SEED)
    expect_equal("callbacks", r.callbacks, lines("""
        0.000000000 step Task-1
        0.000000000 step Task-2
        0.000000000 step Task-3
        1.000000000 sleep_done -
        1.000000000 wakeup Task-3
        2.000000000 sleep_done -
        2.000000000 wakeup Task-2
        3.000000000 sleep_done -
        3.000000000 wakeup Task-1
        3.000000000 run_until_complete -
        3.000000000 step Task-4
        3.000000000 run_until_complete -
        3.000000000 step Task-5
        3.000000000 run_until_complete -
        """))


@test
def seed_plain_matches_python3():
    path = program(SEED)
    r = vt(path)
    p = real(path)
    expect_equal("plain output vs python3", r.out, p.stdout.decode())


# ---------------------------------------------------------------------------
# tests: timers and the clock
# ---------------------------------------------------------------------------

@test
def equal_deadlines_fire_in_scheduling_order():
    r = vt(TIES, "--timestamps")
    expect_equal("stdout", r.lines, ["[  1.000] wake %d" % i for i in range(5)])
    # R13: all five timers run in one iteration, then the five wake-ups, then
    # gather's five _done_callbacks, then main's wake-up.
    got = [c for c in r.callbacks if c.startswith("1.")]
    want = (["1.000000000 sleep_done -"] * 5
            + ["1.000000000 wakeup Task-%d" % i for i in range(2, 7)]
            + ["1.000000000 gather_done Task-%d" % i for i in range(2, 7)]
            + ["1.000000000 wakeup Task-1", "1.000000000 run_until_complete -",
               "1.000000000 step Task-7", "1.000000000 run_until_complete -",
               "1.000000000 step Task-8", "1.000000000 run_until_complete -"])
    expect_equal("callbacks at t=1", got, want)


@test
def equal_deadlines_match_python3():
    path = program(TIES)
    expect_equal("plain output vs python3", vt(path).out, real(path).stdout.decode())


@test
def point_seven_plus_point_one_is_point_eight():
    r = vt(FLOAT_DEADLINES, "--timestamps")
    # B's 0.8 timer was scheduled first; A's 0.7 + 0.1 is the same ns deadline.
    expect_equal("stdout", r.lines, ["[  0.800] B woke", "[  0.800] A woke"])
    expect_equal("timers at 0.8", [c for c in r.callbacks if c.startswith("0.8")][:4], [
        "0.800000000 sleep_done -", "0.800000000 sleep_done -",
        "0.800000000 wakeup Task-2", "0.800000000 wakeup Task-3"])
    path = program(FLOAT_DEADLINES)
    expect_equal("plain output vs python3", vt(path).out, real(path).stdout.decode())


@test
def nanosecond_deadlines_are_exact():
    r = vt("""
        import asyncio
        async def main():
            loop = asyncio.get_running_loop()
            loop.call_later(1.000000001, print, "1 ns late")
            loop.call_later(1, print, "at 1")
            loop.call_later(0.999999999, print, "1 ns early")
            loop.call_at(1.0, print, "call_at(1.0)")
            await asyncio.sleep(0.3)
            await asyncio.sleep(0.7)
            print("main at", loop.time())
            await asyncio.sleep(1e-9)
            print("main at", repr(loop.time()))
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("stdout", r.lines, [
        "[  1.000] 1 ns early", "[  1.000] at 1", "[  1.000] call_at(1.0)",
        "[  1.000] main at 1.0", "[  1.000] 1 ns late", "[  1.000] main at 1.000000001"])
    expect_equal("callbacks", r.callbacks[:9], [
        "0.000000000 step Task-1", "0.300000000 sleep_done -", "0.300000000 wakeup Task-1",
        "0.999999999 other print", "1.000000000 other print", "1.000000000 other print",
        "1.000000000 sleep_done -", "1.000000000 wakeup Task-1",
        "1.000000001 other print"])


@test
def select_timeout_cap_lands_on_the_deadline():
    # _run_once caps the select timeout at 86400 s; the clock moves in capped
    # steps and still lands exactly on the deadline.
    r = vt("""
        import asyncio
        async def main():
            await asyncio.sleep(200000.25)
            print("done", asyncio.get_running_loop().time())
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("stdout", r.lines, ["[200000.250] done 200000.25"])
    expect_equal("callbacks", r.callbacks[1:3],
                 ["200000.250000000 sleep_done -", "200000.250000000 wakeup Task-1"])


@test
def cancelled_handles_skipped_in_ready_queue_are_logged():
    # _run_once pops cancelled timers only from the heap's top: b's timer
    # (scheduled first, same deadline) keeps the cancelled wait_for timeout
    # below it, so both fall due at 1 and the loop skips the cancelled one in
    # _ready.  The log names the skip; the summary counts only callbacks run.
    r = vt("""
        import asyncio
        async def job():
            await asyncio.sleep(0.5)
        async def main():
            b = asyncio.create_task(asyncio.sleep(1))
            await asyncio.sleep(0)             # b's timer is scheduled first
            await asyncio.wait_for(job(), 1)
            await b
            print("done")
        asyncio.run(main())
        """)
    expect_equal("stdout", r.lines, ["done"])
    expect_equal("callbacks at t=1", [c for c in r.callbacks if c.startswith("1.")][:5], [
        "1.000000000 sleep_done -", "1.000000000 skip release_waiter -",
        "1.000000000 wakeup Task-2", "1.000000000 wakeup Task-1",
        "1.000000000 run_until_complete -"])


@test
def keep_tasks_defers_the_collection_of_unreachable_pending_tasks():
    # Two tasks that await each other, and nothing else refers to: CPython's
    # cyclic GC frees them when it runs (here forced by gc.collect) and closes
    # their coroutines, so their finally blocks print then.  VT_KEEP_TASKS=1
    # (tests/diff/run.py) keeps every task alive until the program ends, as
    # loopscope does; they are then cancelled by asyncio.run's shutdown, which
    # recurses round the cycle (RecursionError), and collected at the end.
    src = """
        import asyncio, gc
        async def duel(who, box):
            other = await box
            try:
                await other
            finally:
                print(who, "finally")
        async def start():
            box_a = asyncio.get_running_loop().create_future()
            box_b = asyncio.get_running_loop().create_future()
            a = asyncio.create_task(duel("A", box_a))
            b = asyncio.create_task(duel("B", box_b))
            box_a.set_result(b)
            box_b.set_result(a)
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        async def main():
            await start()
            await asyncio.sleep(0)
            gc.collect()
            print("collected")
        asyncio.run(main())
        """
    r = vt(src)
    expect_equal("stdout", r.lines, ["A finally", "B finally", "collected"])
    expect_equal("destroyed, on stderr", "Task was destroyed but it is pending!" in r.err, True)
    k = vt(src, env={"VT_KEEP_TASKS": "1"})
    expect_equal("stdout (kept)", k.lines[0], "collected")
    expect_equal("status (kept)", k.status, 1)
    expect_equal("RecursionError from the shutdown's cancel", "RecursionError" in k.err, True)


@test
def time_sleep_blocks_the_loop_and_shifts_timers():
    # The blocker's time.sleep(2) at 0.5 moves the clock to 2.5.  The ticker's
    # timer (due at 1) is found overdue at the next select; it runs after the
    # handle queued first (gather's _done_callback for the blocker), and the
    # ticker resumes one iteration later; its later sleeps are relative (R49).
    r = vt("""
        import asyncio, time
        async def ticker():
            for i in range(3):
                await asyncio.sleep(1)
                print(f"tick {i}")
        async def blocker():
            await asyncio.sleep(0.5)
            print("blocking 2s")
            time.sleep(2)
            print("unblocked")
        async def main():
            await asyncio.gather(ticker(), blocker())
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("stdout", r.lines, [
        "[  0.500] blocking 2s", "[  2.500] unblocked", "[  2.500] tick 0",
        "[  3.500] tick 1", "[  4.500] tick 2"])
    expect_equal("callbacks", r.callbacks[3:8], [
        "0.500000000 sleep_done -", "0.500000000 wakeup Task-3",
        "2.500000000 gather_done Task-3", "2.500000000 sleep_done -",
        "2.500000000 wakeup Task-2"])


@test
def ready_handles_before_due_timers():
    path = program(READY_BEFORE_TIMERS)
    r = vt(path)
    expect_equal("stdout", r.lines, [
        "call_soon 1", "call_soon 2", "main resumed", "call_at(now - 5)", "call_later(0)",
        "main again"])
    expect_equal("plain output vs python3", r.out, real(path).stdout.decode())


@test
def frozen_snapshot_round_robin():
    path = program(ROUND_ROBIN)
    r = vt(path)
    expect_equal("stdout", r.lines, [
        "A0", "B0", "C0", "call_soon from A0", "A1", "B1", "C1", "A2", "B2", "C2"])
    expect_equal("plain output vs python3", r.out, real(path).stdout.decode())


# ---------------------------------------------------------------------------
# tests: outcomes and exit statuses
# ---------------------------------------------------------------------------

@test
def deadlock_exits_3():
    r = vt("""
        import asyncio
        async def main():
            e = asyncio.Event()
            print("waiting")
            await e.wait()
            print("never")
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("status", r.status, 3)
    expect_equal("stdout", r.lines, ["[  0.000] waiting"])
    expect_equal("stderr", r.err, "deadlock: nothing is ready and no timer is pending\n")


@test
def main_raising_exits_1():
    r = vt("""
        import asyncio
        async def main():
            await asyncio.sleep(1)
            print("about to fail")
            raise ValueError("boom")
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("status", r.status, 1)
    expect_equal("stdout", r.lines, ["[  1.000] about to fail"])
    expect_equal("stderr", r.err, "ValueError: boom\n")


@test
def wait_for_timeout_exits_1_with_bare_name():
    # R32: the timer fires (k), the caller cancels the inner task (k+1), the inner
    # task's finally runs (k+2), _release_waiter (k+3), TimeoutError (k+4).
    r = vt("""
        import asyncio
        async def slow():
            try:
                await asyncio.sleep(5)
            finally:
                print("slow cleanup")
        async def main():
            await asyncio.wait_for(slow(), 1)
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("status", r.status, 1)
    expect_equal("stderr", r.err, "TimeoutError\n")
    expect_equal("stdout", r.lines, ["[  1.000] slow cleanup"])
    expect_equal("callbacks", r.callbacks[:7], [
        "0.000000000 step Task-1", "0.000000000 step Task-2",
        "1.000000000 release_waiter -", "1.000000000 wakeup Task-1",
        "1.000000000 wakeup Task-2", "1.000000000 release_waiter -",
        "1.000000000 wakeup Task-1"])


@test
def max_steps_exits_4():
    r = vt("""
        import asyncio
        async def main():
            while True:
                await asyncio.sleep(0)
        asyncio.run(main())
        """, "--max-steps", "1000")
    expect_equal("status", r.status, 4)
    expect_equal("callbacks run", len(r.callbacks), 1000)
    assert "max-steps" in r.err, r.err


@test
def max_time_exits_4():
    r = vt("""
        import asyncio
        async def main():
            while True:
                await asyncio.sleep(3600)
                print("hour")
        asyncio.run(main())
        """, "--timestamps", "--max-time", "10000")
    expect_equal("status", r.status, 4)
    expect_equal("stdout", r.lines, ["[3600.000] hour", "[7200.000] hour"])
    assert "max-time" in r.err, r.err


@test
def log_records_go_to_stderr():
    r = vt("""
        import asyncio
        async def bad():
            await asyncio.sleep(1)
            raise RuntimeError("nobody awaits me")
        async def main():
            asyncio.create_task(bad())
            asyncio.get_running_loop().call_soon(lambda: 1/0)
            await asyncio.sleep(2)
            print("main done")
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("status", r.status, 0)
    expect_equal("stdout", r.lines, ["[  2.000] main done"])
    assert "Task exception was never retrieved" in r.err, r.err
    assert "Exception in callback" in r.err, r.err


@test
def quiet_stderr_unless_verbose():
    path = program(SEED)
    expect_equal("stderr", vt(path).err, "")
    assert "creation order" in vt(path, "--verbose").err


# ---------------------------------------------------------------------------
# tests: the patched classes and the R51 orders
# ---------------------------------------------------------------------------

@test
def python_task_and_future_classes():
    r = vt("""
        import asyncio
        async def c(n):
            return n
        async def main():
            t = asyncio.current_task()
            print(type(t) is asyncio.tasks._PyTask, type(t) is asyncio.Task, t.get_name())
            f = asyncio.get_running_loop().create_future()
            print(type(f) is asyncio.futures._PyFuture, asyncio.isfuture(f))
            g = asyncio.gather(c(1), c(2))
            print(type(g).__name__, isinstance(g, asyncio.futures._PyFuture))
            print(await g)
            print(asyncio.create_task(c(3)).get_name(), asyncio.ensure_future(c(4)).get_name())
        asyncio.run(main())
        """)
    expect_equal("stdout", r.lines, [
        "True True Task-1", "True True", "_GatheringFuture True", "[1, 2]", "Task-4 Task-5"])


@test
def shutdown_cancels_in_creation_order():
    # R45 with R51: runners._cancel_all_tasks cancels all_tasks() -- creation order
    # here -- and gathers them; each cleanup then takes its own virtual time.
    r = vt("""
        import asyncio
        async def worker(i):
            try:
                await asyncio.sleep(100)
            finally:
                print(f"worker {i} cleanup")
                await asyncio.sleep(i)
                print(f"worker {i} cleaned")
        async def main():
            for i in range(8):
                asyncio.create_task(worker(i))
            await asyncio.sleep(1)
            print("main returns")
        asyncio.run(main())
        """, "--timestamps")
    want = ["[  1.000] main returns"]
    want += ["[  1.000] worker %d cleanup" % i for i in range(8)]
    want += ["[%7.3f] worker %d cleaned" % (i + 1, i) for i in range(8)]
    expect_equal("stdout", r.lines, want)


@test
def taskgroup_abort_in_creation_order():
    # R37: the failing child's _on_task_done cancels the others (creation order),
    # then the parent; the body gets CancelledError after the children.
    r = vt("""
        import asyncio
        async def child(name, d, fail=False):
            try:
                await asyncio.sleep(d)
                if fail:
                    raise ValueError(f"{name} failed")
            except asyncio.CancelledError:
                print(f"{name} cancelled")
                raise
        async def main():
            try:
                async with asyncio.TaskGroup() as tg:
                    for i in range(6):
                        tg.create_task(child(f"c{i}", 5))
                    tg.create_task(child("bad", 1, fail=True))
                    try:
                        await asyncio.sleep(10)
                    except asyncio.CancelledError:
                        print("body cancelled")
                        raise
            except* ValueError as eg:
                print("caught", [str(e) for e in eg.exceptions])
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("stdout", r.lines,
                 ["[  1.000] c%d cancelled" % i for i in range(6)]
                 + ["[  1.000] body cancelled", "[  1.000] caught ['bad failed']"])
    at1 = [c for c in r.callbacks if c.startswith("1.")]
    expect_equal("callbacks at t=1", at1[:10], [
        "1.000000000 sleep_done -", "1.000000000 wakeup Task-8",
        "1.000000000 group_done Task-8"]
        + ["1.000000000 wakeup Task-%d" % i for i in range(2, 8)]
        + ["1.000000000 wakeup Task-1"])


@test
def as_completed_wraps_in_argument_order():
    r = vt("""
        import asyncio
        async def c(n):
            print("start", n)
            await asyncio.sleep(1)
            return n
        async def main():
            for f in asyncio.as_completed([c(i) for i in range(6)]):
                print("got", await f)
        asyncio.run(main())
        """)
    expect_equal("stdout", r.lines,
                 ["start %d" % i for i in range(6)] + ["got %d" % i for i in range(6)])


@test
def features_plain_match_python3():
    # Locks, queues, timeout(), TaskGroup, as_completed, to_thread: deadlines
    # 50 ms apart, so the real clock gives the same order.
    path = program(GATHER_RESULTS)
    r = vt(path)
    expect_equal("status", r.status, 0)
    expect_equal("plain output vs python3", r.out, real(path).stdout.decode())


@test
def run_shutdown_plain_matches_python3():
    path = program(RUN_SHUTDOWN)
    r = vt(path)
    expect_equal("stdout", r.lines, ["main returns", "late runs", "spawner runs"])
    expect_equal("plain output vs python3", r.out, real(path).stdout.decode())


# ---------------------------------------------------------------------------
# tests: print
# ---------------------------------------------------------------------------

@test
def timestamps_on_every_line():
    r = vt("""
        import asyncio, sys
        async def main():
            print("two\\nlines")
            print("")
            print("no newline", end="")
            await asyncio.sleep(12345.678)
            print(" ... finished")
            print("to stderr", file=sys.stderr)
            print("a", "b", sep="-")
        asyncio.run(main())
        """, "--timestamps")
    expect_equal("stdout", r.out,
                 "[  0.000] two\n[  0.000] lines\n[  0.000] \n[  0.000] no newline ... finished\n"
                 "[12345.678] a-b\n")
    expect_equal("stderr", r.err, "to stderr\n")


# ---------------------------------------------------------------------------
# tests: compare mode
# ---------------------------------------------------------------------------

def _write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


SEED_OUT = "\n".join(lines("""
    [  0.000] Main: Starting tasks...
    [  0.000] Main: All tasks started!
    [  0.000] A: Started
    [  0.000] B: Started
    [  1.000] B: Finished after 1s
    [  2.000] A: Finished after 2s
    [  3.000] Main: Exiting
    """)) + "\n"


@test
def compare_match():
    path = program(SEED)
    cbs = _write("seed.cb", "\n".join(vt(path).callbacks) + "\n")
    out = _write("seed.out", SEED_OUT)
    r = harness("--compare", "--expect-output", out, "--expect-callbacks", cbs,
                "--expect-status", "0", path)
    expect_equal("status", r.status, 0)
    expect_equal("stdout", r.out,
                 "matches CPython %s (7 printed lines, 14 callbacks, exit status 0)\n" % VERSION)


@test
def compare_differences():
    path = program(SEED)
    # loopscope as the tutorial imagines it: eager task start.
    wrong = SEED_OUT.replace("[  0.000] Main: All tasks started!\n", "")
    wrong = wrong.replace("[  0.000] B: Started\n",
                          "[  0.000] B: Started\n[  0.000] Main: All tasks started!\n")
    out = _write("wrong.out", wrong)
    r = harness("--compare", "--expect-output", out, path)
    expect_equal("status", r.status, 5)
    expect_equal("stdout", r.lines, [
        "differs from CPython %s at printed line 2:" % VERSION,
        "  loopscope: [  0.000] A: Started",
        "  CPython:   [  0.000] Main: All tasks started!"])
    cbs = vt(path).callbacks
    del cbs[10]                       # loopscope "forgot" shutdown_asyncgens' step
    cb = _write("wrong.cb", "\n".join(cbs) + "\n")
    r = harness("--compare", "--expect-output", _write("ok.out", SEED_OUT),
                "--expect-callbacks", cb, "--expect-status", "1", path)
    expect_equal("status", r.status, 5)
    expect_equal("stdout", r.lines, [
        "differs from CPython %s at callback 11:" % VERSION,
        "  loopscope: 3.000000000 run_until_complete -",
        "  CPython:   3.000000000 step Task-4",
        "differs from CPython %s in exit status:" % VERSION,
        "  loopscope: 1",
        "  CPython:   0"])


@test
def compare_statuses_and_no_leak():
    path = program("""
        import asyncio
        async def main():
            print("waiting")
            await asyncio.Event().wait()
        asyncio.run(main())
        """)
    out = _write("dl.out", "[  0.000] waiting\n")
    r = harness("--compare", "--expect-output", out, "--expect-status", "3", path)
    expect_equal("status", r.status, 0)
    expect_equal("stdout", r.out,
                 "matches CPython %s (1 printed lines, 1 callbacks, exit status 3)\n" % VERSION)
    assert "deadlock" in r.err, r.err
    r = harness("--compare", "--expect-output", _write("short.out", ""), path)
    expect_equal("status", r.status, 5)
    expect_equal("stdout", r.lines[:3], [
        "differs from CPython %s at printed line 1:" % VERSION,
        "  loopscope: (end: 0 printed lines in all)",
        "  CPython:   [  0.000] waiting"])


@test
def compare_what_main_raised():
    path = program("""
        import asyncio
        async def main():
            print("about to fail")
            (5).cancel()
        asyncio.run(main())
        """)
    out = _write("raise.out", "[  0.000] about to fail\n")
    right = "AttributeError: 'int' object has no attribute 'cancel'"
    r = harness("--compare", "--expect-output", out, "--expect-status", "1",
                "--expect-error", right, path)
    expect_equal("status", r.status, 0)
    expect_equal("stdout", r.out,
                 "matches CPython %s (1 printed lines, 6 callbacks, exit status 1)\n" % VERSION)
    r = harness("--compare", "--expect-output", out, "--expect-status", "1",
                "--expect-error", right.replace("Attribute", "Type"), path)
    expect_equal("status", r.status, 5)
    expect_equal("stdout", r.lines, [
        "differs from CPython %s in what main raised:" % VERSION,
        "  loopscope: TypeError: 'int' object has no attribute 'cancel'",
        "  CPython:   " + right])


@test
def usage_errors_exit_2():
    expect_equal("no program", harness().status, 2)
    expect_equal("compare without expectations", harness("--compare", HARNESS).status, 2)
    expect_equal("--expect-error without --compare",
                 harness("--expect-error", "ValueError: x", HARNESS).status, 2)
    expect_equal("missing program", harness(os.path.join(TMP, "nope.py")).status, 2)


# ---------------------------------------------------------------------------

def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")]
    chosen = [t for t in TESTS if not names or t.__name__ in names]
    passed = failed = 0

    def run(t):
        try:
            t()
            return None
        except Exception as e:  # AssertionError, or a harness crash
            return "%s: %s" % (type(e).__name__, e)

    # The tests are independent processes; the python3 comparisons sleep for real.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for t, err in zip(chosen, pool.map(run, chosen)):
            if err is None:
                passed += 1
                if verbose:
                    print("ok   " + t.__name__)
            else:
                failed += 1
                print("FAIL " + t.__name__ + "\n    " + err.replace("\n", "\n    "))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
