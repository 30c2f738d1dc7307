#!/usr/bin/env python3
"""vt_asyncio.py -- run a real asyncio program (CPython 3.11) on a virtual clock.

loopscope claims to show exactly what CPython 3.11's event loop does.  This file is
the referee: it runs the *real* asyncio code (base_events._run_once, tasks.Task,
futures.Future, gather, TaskGroup, runners.Runner, ...) for an ordinary program,
but replaces the only things that depend on the outside world -- the clock and the
wait in select() -- so that the run is deterministic and takes no real time.

    python3 vt_asyncio.py [--timestamps] [--callbacks FILE] [--max-steps N]
                          [--max-time SECONDS] [--verbose] PROGRAM.py
    python3 vt_asyncio.py --compare --expect-output OUT.txt [--expect-callbacks CB.txt]
                          [--expect-status N] PROGRAM.py

What is replaced, and the rules it models (see /work/shared/asyncio-semantics.md):

* The clock.  Virtual time is an integer count of nanoseconds starting at 0
  (loopscope decision 1).  loop.time() returns ns / 1e9.  The clock moves only
  (a) in select(), when nothing is ready: it lands exactly on the earliest live
  deadline, or moves by base_events.MAXIMUM_SELECT_TIMEOUT (86400 s) if that is
  further away (R5, R12); (b) in time.sleep(d), which adds d on the spot because
  a blocking call blocks the whole loop (R49).  Running code takes no time.
* Timers.  call_later(d) gets the deadline now_ns + round(d * 1e9), call_at(when)
  gets round(when * 1e9), so 0.7 s + 0.1 s == 0.8 s; asyncio.timeout(d), whose
  Timeout computes loop.time() + d for call_at, gets call_later's deadline.  Timers are ordered by
  (deadline_ns, scheduling sequence): equal deadlines fire in the order they were
  scheduled (loopscope decision 2, which overrides R9/R11; it is what plain
  python3 shows on a real clock).  A timer is due when deadline_ns <= now_ns.
  CPython's own _run_once still does all the work (cleanup of cancelled timers at
  the heap top, the R10 rebuild, the frozen ready snapshot of R2, ...); only the
  comparisons it makes are made exact (see _Deadline and _ClockResolution).
* select().  Never sleeps.  timeout None (nothing ready, no timer) is a deadlock:
  exit status 3.  The one exception: while a worker thread started by
  run_in_executor/to_thread (or the default-executor shutdown thread) has not yet
  posted its result, select() really waits for it.  Threads are therefore run
  while the loop is idle; this is an approximation (R50, R53) that loopscope's
  scenarios never need.
* Task and Future.  The pure-Python tasks._PyTask and futures._PyFuture (and a
  pure-Python _GatheringFuture) replace the C accelerators, so a callback the loop
  runs can be named (Task.__step, Task.__wakeup, ...).  They order everything as
  the C ones do (asyncio-semantics.md, "Sources").  A plain _PyTask logs "Task
  exception was never retrieved" when it fails, as the C Task does (R47); a
  Handle._run wrapper that keeps the handle referenced delays that to the next
  cyclic GC (the likely origin of R55), so the wrapper here drops its reference
  the way Handle._run itself does ("self = None").  Log records go to stderr.
* Set orders (R51).  Where CPython iterates a set of tasks -- all_tasks() (hence
  the cancel order of runners._cancel_all_tasks), TaskGroup._tasks (hence
  TaskGroup._abort), as_completed's set(fs) -- this harness uses creation order
  (argument order for as_completed), as loopscope does.

Outputs: the program's prints on stdout (with --timestamps each line is prefixed
with "[%7.3f] " % seconds); --callbacks FILE gets one line per callback the loop
ran ("%.9f <kind> <name>", see describe_handle) and one per cancelled handle it
popped from _ready and skipped ("%.9f skip <kind> <name>"); everything else -- harness
messages, asyncio's log records -- goes to stderr.

Compare mode runs the program in a fresh interpreter (fresh clock, Task-N counter)
with PYTHONHASHSEED=0, so that sets of strings in the program iterate the same way
on every run.

Exit status: 0 normal; 1 main raised (one line on stderr, formatted like the last
line of Python's traceback); 2 usage; 3 deadlock; 4 a safety limit (--max-steps
callbacks run, --max-time virtual seconds); 5 compare mode found a difference.

Written against CPython 3.11.7's Lib/asyncio; it patches private names
(base_events.BaseEventLoop._run_once's _clock_resolution and _scheduled,
tasks._GatheringFuture, taskgroups.TaskGroup._tasks, events.Handle._run), so it
refuses to run on another minor version.
"""

import argparse
import asyncio
import builtins
import collections
import collections.abc
import functools
import gc
import heapq
import io
import itertools
import logging
import os
import runpy
import selectors
import subprocess
import sys
import tempfile
import time
import traceback
from asyncio import base_events, coroutines, events, exceptions, futures, taskgroups, tasks, timeouts

EXIT_OK, EXIT_RAISED, EXIT_USAGE, EXIT_DEADLOCK, EXIT_LIMIT, EXIT_DIFFERS = 0, 1, 2, 3, 4, 5

NS_PER_S = 1_000_000_000
MAX_SELECT_NS = int(base_events.MAXIMUM_SELECT_TIMEOUT) * NS_PER_S   # 86400 s
DEFAULT_MAX_STEPS = 50_000_000
DEFAULT_MAX_TIME = 1e6

PYTHON_VERSION = "%d.%d.%d" % sys.version_info[:3]


def seconds_to_ns(seconds):
    """A duration or an instant in seconds -> integer nanoseconds (decision 1)."""
    if isinstance(seconds, _Deadline):
        return seconds.ns
    return round(seconds * NS_PER_S)


# ---------------------------------------------------------------------------
# Harness state (one run per process)
# ---------------------------------------------------------------------------

class _State:
    """Everything the patches share.  A fresh process gets a fresh one."""

    def __init__(self):
        self.now_ns = 0                    # the virtual clock
        self.max_time_ns = round(DEFAULT_MAX_TIME * NS_PER_S)
        self.max_steps = DEFAULT_MAX_STEPS
        self.steps = 0                     # callbacks run (Handle._run calls)
        self.timestamps = False
        self.at_line_start = True          # for the --timestamps prefix
        self.callback_log = None           # open file or None
        self.verbose = False
        self.timer_seq = itertools.count()  # scheduling order of timers
        self.task_seq = itertools.count()   # creation order of tasks (R51)
        # VT_KEEP_TASKS=1: every task is kept alive until the program ends, so
        # no pending task is garbage-collected (and its coroutine closed) during
        # the run -- loopscope's model; see tests/diff/run.py
        self.kept = [] if os.environ.get("VT_KEEP_TASKS") == "1" else None


_S = _State()
_real_print = builtins.print


def _die(status, message):
    """Stop at once: flush what the program printed, say why on stderr, exit.

    os._exit, not SystemExit: an exception would unwind through asyncio.run, whose
    Runner.close() would run the loop again (cancel-all, shutdown) and print more.
    """
    try:
        sys.stdout.flush()
    except Exception:
        pass
    if _S.callback_log is not None:
        _S.callback_log.flush()
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    os._exit(status)


def _advance_clock_to(target_ns, why):
    """Move the virtual clock forward, enforcing --max-time."""
    if target_ns > _S.max_time_ns:
        _die(EXIT_LIMIT, "limit: virtual time would pass --max-time %.9g s (%s at t=%.9f s)"
             % (_S.max_time_ns / NS_PER_S, why, _S.now_ns / NS_PER_S))
    if target_ns > _S.now_ns:
        _S.now_ns = target_ns


# ---------------------------------------------------------------------------
# Exact timer comparisons inside CPython's own _run_once
# ---------------------------------------------------------------------------
#
# base_events._run_once moves a timer to the ready queue unless
#     handle._when >= end_time,   where end_time = self.time() + self._clock_resolution
# With floats that is "deadline < now + 1e-9 s", which rounds either way for
# deadlines 1 ns apart.  Instead of copying _run_once, TimerHandle._when is a float
# that also carries its exact nanoseconds (_Deadline), and _clock_resolution is a
# token whose addition to time() yields a float carrying now_ns (_DueBound).  Their
# comparison is then the integer test "not due <=> deadline_ns > now_ns".  Every
# other use of _when (timeout = when - time(), TimerHandle.when(), repr) sees a
# plain float value.

class _Deadline(float):
    """TimerHandle._when: float seconds, plus .ns, the exact deadline."""

    __slots__ = ("ns",)

    def __new__(cls, ns):
        self = float.__new__(cls, ns / NS_PER_S)
        self.ns = ns
        return self

    def __ge__(self, other):
        if isinstance(other, _DueBound):
            return self.ns > other.now_ns          # not due yet
        return float.__ge__(self, other)

    def __lt__(self, other):
        if isinstance(other, _DueBound):
            return self.ns <= other.now_ns         # due
        return float.__lt__(self, other)


class _DueBound(float):
    """end_time in _run_once: now + resolution, carrying now_ns."""

    __slots__ = ("now_ns",)

    def __new__(cls, now_ns):
        self = float.__new__(cls, now_ns / NS_PER_S + 1e-9)
        self.now_ns = now_ns
        return self

    def __le__(self, other):                       # reflected _Deadline.__ge__
        if isinstance(other, _Deadline):
            return other.ns > self.now_ns
        return float.__le__(self, other)

    def __gt__(self, other):                       # reflected _Deadline.__lt__
        if isinstance(other, _Deadline):
            return other.ns <= self.now_ns
        return float.__gt__(self, other)


class _ClockResolution:
    """loop._clock_resolution; only _run_once's 'self.time() + resolution' uses it."""

    def __radd__(self, loop_time):
        return _DueBound(_S.now_ns)

    def __float__(self):
        return 1e-9

    def __repr__(self):
        return "1e-09"


class VirtualTimerHandle(events.TimerHandle):
    """A TimerHandle ordered by (deadline_ns, scheduling sequence) -- decision 2.

    CPython's TimerHandle.__lt__ compares only _when, and heapq is not stable, so
    equal deadlines pop in heap-shape order (R9).  With a strict total order the
    heap pops in exactly the order of this key, whatever its shape.
    """

    __slots__ = ("_seq", "_vt_desc")

    def __init__(self, deadline_ns, seq, callback, args, loop, context=None):
        super().__init__(_Deadline(deadline_ns), callback, args, loop, context)
        self._seq = seq
        # what the --callbacks log calls it; cancel() drops the callback
        self._vt_desc = describe_handle(self) if _S.callback_log is not None else None

    def _key(self):
        return (self._when.ns, self._seq)

    def __hash__(self):
        return hash(self._key())

    def __lt__(self, other):
        if isinstance(other, VirtualTimerHandle):
            return self._key() < other._key()
        return NotImplemented

    def __le__(self, other):
        if isinstance(other, VirtualTimerHandle):
            return self._key() <= other._key()
        return NotImplemented

    def __gt__(self, other):
        if isinstance(other, VirtualTimerHandle):
            return self._key() > other._key()
        return NotImplemented

    def __ge__(self, other):
        if isinstance(other, VirtualTimerHandle):
            return self._key() >= other._key()
        return NotImplemented

    def __eq__(self, other):
        if isinstance(other, VirtualTimerHandle):
            return self._key() == other._key()
        return NotImplemented


class VirtualHandle(events.Handle):
    """A call_soon Handle that keeps its --callbacks description (cancel drops the callback)."""

    __slots__ = ("_vt_desc",)

    def __init__(self, callback, args, loop, context=None):
        super().__init__(callback, args, loop, context)
        self._vt_desc = describe_handle(self) if _S.callback_log is not None else None


# ---------------------------------------------------------------------------
# The selector and the loop
# ---------------------------------------------------------------------------

class VirtualSelector(selectors.DefaultSelector):
    """select() that never sleeps; the loop's only wait (_run_once step 3).

    The real selector still holds the loop's self-pipe, so call_soon_threadsafe
    from a worker thread is seen (a zero-timeout poll first).
    """

    def __init__(self):
        super().__init__()
        self.loop = None                       # set by VirtualEventLoop

    def select(self, timeout=None):
        events_ = super().select(0)
        if events_ or timeout == 0:
            return events_
        loop = self.loop
        if loop is not None and loop._vt_waiting_for_thread():
            # A worker thread will post its result through the self-pipe: let it
            # run (real time, the virtual clock only moves by its time.sleep).
            return super().select(None)
        if timeout is None:
            # _run_once: nothing in _ready, not stopping, no timer in the heap.
            _die(EXIT_DEADLOCK, "deadlock: nothing is ready and no timer is pending")
        # timeout = min(max(0, heap[0].when - time()), MAXIMUM_SELECT_TIMEOUT),
        # computed from the heap top after the cancelled-top cleanup.  Land exactly
        # on that deadline (in integer ns), or move by the cap.
        if loop is not None and loop._scheduled:
            gap = loop._scheduled[0]._when.ns - _S.now_ns
            step = min(gap, MAX_SELECT_NS) if gap > 0 else seconds_to_ns(timeout)
        else:
            step = seconds_to_ns(timeout)
        _advance_clock_to(_S.now_ns + step, "select() waiting for the next timer")
        return []


class _ReadyQueue(collections.deque):
    """loop._ready: logs each cancelled handle that _run_once pops and skips
    ("if handle._cancelled: continue"), as "%.9f skip <kind> <name>"."""

    def popleft(self):
        handle = super().popleft()
        if handle._cancelled and _S.callback_log is not None:
            desc = getattr(handle, "_vt_desc", None) or "other -"
            _S.callback_log.write("%.9f skip %s\n" % (_S.now_ns / NS_PER_S, desc))
        return handle


class VirtualEventLoop(asyncio.SelectorEventLoop):
    """The policy's loop: virtual time(), exact timers, Python Task/Future."""

    def __init__(self):
        selector = VirtualSelector()
        super().__init__(selector)
        self._ready = _ReadyQueue()            # base_events keeps a plain deque
        selector.loop = self
        self._clock_resolution = _ClockResolution()
        self._vt_thread_futures = []           # run_in_executor results not yet in

    def time(self):
        return _S.now_ns / NS_PER_S

    # base_events.call_later / call_at, with the deadline kept in integer ns.
    def call_later(self, delay, callback, *args, context=None):
        if delay is None:
            raise TypeError('delay must not be None')
        return self._vt_push_timer(_S.now_ns + seconds_to_ns(delay), callback, args, context)

    def call_at(self, when, callback, *args, context=None):
        if when is None:
            raise TypeError("when cannot be None")
        return self._vt_push_timer(seconds_to_ns(when), callback, args, context)

    def _vt_push_timer(self, deadline_ns, callback, args, context):
        # The body of base_events.BaseEventLoop.call_at, 3.11.7.
        self._check_closed()
        if self._debug:
            self._check_thread()
            self._check_callback(callback, 'call_at')
        timer = VirtualTimerHandle(deadline_ns, next(_S.timer_seq), callback, args, self,
                                   context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def _call_soon(self, callback, args, context):
        # The body of base_events.BaseEventLoop._call_soon, 3.11.7, with a handle
        # that remembers what it was: Handle.cancel() drops the callback, and the
        # callback log still names a cancelled handle that _run_once skips
        # (asyncio.timeout(0)'s call_soon, cancelled by __aexit__).
        handle = VirtualHandle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._ready.append(handle)
        return handle

    def create_future(self):
        return futures._PyFuture(loop=self)

    def create_task(self, coro, *, name=None, context=None):
        # base_events.create_task builds tasks.Task, which install() made _PyTask.
        task = super().create_task(coro, name=name, context=context)
        try:
            task._vt_seq = next(_S.task_seq)
        except AttributeError:                 # a task factory's exotic object
            pass
        if _S.kept is not None:
            _S.kept.append(task)
        return task

    # Worker threads (approximate support, see the header).
    def run_in_executor(self, executor, func, *args):
        fut = super().run_in_executor(executor, func, *args)
        self._vt_thread_futures.append(fut)
        return fut

    def _vt_waiting_for_thread(self):
        self._vt_thread_futures = [f for f in self._vt_thread_futures if not f.done()]
        if self._vt_thread_futures:
            return True
        # shutdown_default_executor joins the executor in a thread and is woken by
        # call_soon_threadsafe.
        return bool(self._executor_shutdown_called and self._default_executor is not None)


class VirtualEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """asyncio.run -> Runner._lazy_init -> events.new_event_loop() -> this."""

    _loop_factory = VirtualEventLoop


# ---------------------------------------------------------------------------
# Pure-Python Future for gather, ordered sets (R51)
# ---------------------------------------------------------------------------

class _PyGatheringFuture(futures._PyFuture):
    """tasks._GatheringFuture (3.11.7), re-based on the pure-Python Future.

    The original is defined at import time as a subclass of futures.Future, which
    is then the C _asyncio.Future.  Same two methods, same behaviour (R31).
    """

    def __init__(self, children, *, loop):
        assert loop is not None
        super().__init__(loop=loop)
        self._children = children
        self._cancel_requested = False

    def cancel(self, msg=None):
        if self.done():
            return False
        ret = False
        for child in self._children:
            if child.cancel(msg=msg):
                ret = True
        if ret:
            # If any child tasks were actually cancelled, we should
            # propagate the cancellation request regardless of
            # *return_exceptions* argument.  See issue 32684.
            self._cancel_requested = True
        return ret


_PyGatheringFuture.__name__ = _PyGatheringFuture.__qualname__ = "_GatheringFuture"
_PyGatheringFuture.__module__ = "asyncio.tasks"


class InsertionOrderedSet(collections.abc.MutableSet):
    """A set that iterates in insertion order (a dict underneath).

    Used for TaskGroup._tasks and for all_tasks()'s result, so that the loops
    CPython runs over them (TaskGroup._abort, runners._cancel_all_tasks) go in
    creation order, the R51 rule.  Set operators come from MutableSet.
    """

    def __init__(self, items=()):
        self._d = dict.fromkeys(items)

    def __contains__(self, item):
        return item in self._d

    def __iter__(self):
        return iter(list(self._d))

    def __len__(self):
        return len(self._d)

    def __bool__(self):
        return bool(self._d)

    def add(self, item):
        self._d[item] = None

    def discard(self, item):
        self._d.pop(item, None)

    def __repr__(self):
        return "{%s}" % ", ".join(map(repr, self._d))


def _creation_key(task):
    return getattr(task, "_vt_seq", float("inf"))


_orig_all_tasks = tasks.all_tasks
_orig_taskgroup_init = taskgroups.TaskGroup.__init__


def _all_tasks_in_creation_order(loop=None):
    """tasks.all_tasks, iterating in creation order instead of address order."""
    if loop is None:
        loop = events.get_running_loop()
    return InsertionOrderedSet(sorted(_orig_all_tasks(loop), key=_creation_key))


def as_completed(fs, *, timeout=None):
    """tasks.as_completed (3.11.7), with todo in argument order (R35, R51).

    CPython builds todo = {ensure_future(f) for f in set(fs)}: coroutine
    arguments become tasks (and start) in address order, and the loop
    `for f in todo: f.add_done_callback(_on_completion)` queues the callbacks of
    futures that are already done in that order too.  Here todo is an
    InsertionOrderedSet built in argument order (dict.fromkeys(fs) hashes every
    argument first, as set(fs) does); the rest is the 3.11.7 code.  Defined as
    `as_completed` so that its callbacks keep their qualnames
    (as_completed.<locals>._on_completion, describe_handle).
    """
    if futures.isfuture(fs) or coroutines.iscoroutine(fs):
        raise TypeError(f"expect an iterable of futures, not {type(fs).__name__}")
    from asyncio.queues import Queue  # as tasks.py does
    done = Queue()
    loop = events._get_event_loop()
    todo = InsertionOrderedSet(tasks.ensure_future(f, loop=loop) for f in dict.fromkeys(fs))
    timeout_handle = None

    def _on_timeout():
        for f in todo:
            f.remove_done_callback(_on_completion)
            done.put_nowait(None)  # Queue a dummy value for _wait_for_one().
        todo.clear()  # Can't do todo.remove(f) in the loop.

    def _on_completion(f):
        if not todo:
            return  # _on_timeout() was here first.
        todo.remove(f)
        done.put_nowait(f)
        if not todo and timeout_handle is not None:
            timeout_handle.cancel()

    async def _wait_for_one():
        f = await done.get()
        if f is None:
            # Dummy value from _on_timeout().
            raise exceptions.TimeoutError
        return f.result()  # May raise f.exception().

    for f in todo:
        f.add_done_callback(_on_completion)
    if todo and timeout is not None:
        timeout_handle = loop.call_later(timeout, _on_timeout)
    for _ in range(len(todo)):
        yield _wait_for_one()


def _exact_timeout(delay):
    """timeouts.timeout(delay), with its deadline in exact ns (decision 1).

    CPython computes loop.time() + delay as a float and hands it to call_at,
    so the sum would round (0.7 + 0.1 != 0.8); as a _Deadline of now_ns +
    round(delay * 1e9) it is the deadline call_later(delay) gets, which is
    loopscope's.  Timeout.reschedule's `when <= loop.time()` (call_soon for a
    delay <= 0) and everything else is CPython's own code.
    """
    events.get_running_loop()  # RuntimeError outside a running loop, as timeout() raises
    if delay is None:
        return timeouts.Timeout(None)
    return timeouts.Timeout(_Deadline(_S.now_ns + seconds_to_ns(delay)))


def _taskgroup_init(self):
    _orig_taskgroup_init(self)
    self._tasks = InsertionOrderedSet()


# ---------------------------------------------------------------------------
# Callback log (wraps events.Handle._run; TimerHandle inherits it)
# ---------------------------------------------------------------------------

_orig_handle_run = events.Handle._run


def _qualname(cb):
    while isinstance(cb, functools.partial):
        cb = cb.func
    return getattr(cb, "__qualname__", None) or type(cb).__qualname__


def _future_name(fut):
    get_name = getattr(fut, "get_name", None)
    return get_name() if get_name is not None else "-"


def describe_handle(handle):
    """'<kind> <name>' for a handle about to run (the --callbacks vocabulary).

        Task.__step                               step <task name>
        Task.__wakeup                             wakeup <task name>
        futures._set_result_unless_cancelled      sleep_done -        (tasks.sleep's timer)
        tasks._release_waiter (or a partial)      release_waiter -    (wait_for)
        gather's _done_callback(child)            gather_done <child name>
        TaskGroup._on_task_done(child)            group_done <child name>
        base_events._run_until_complete_cb        run_until_complete -
        timeouts.Timeout._on_timeout              timeout -           (asyncio.timeout)
        shield's _inner_done_callback(inner)      shield_inner <inner task name>
        shield's _outer_done_callback(outer)      shield_outer -
        as_completed's _on_completion(f)          as_completed_done <f's task name>
        as_completed's _on_timeout                as_completed_timeout -
        anything else                             other <qualname>
    """
    cb = handle._callback
    args = handle._args or ()
    func = getattr(cb, "__func__", None)
    owner = getattr(cb, "__self__", None)
    if isinstance(owner, tasks._PyTask):
        if func is tasks._PyTask._Task__step:            # Task.__step
            return "step " + owner.get_name()
        if func is tasks._PyTask._Task__wakeup:          # Task.__wakeup
            return "wakeup " + owner.get_name()
    if cb is futures._set_result_unless_cancelled:       # asyncio.sleep's timer
        return "sleep_done -"
    inner = cb
    while isinstance(inner, functools.partial):
        inner = inner.func
    if inner is tasks._release_waiter:                   # wait_for / _cancel_and_wait
        return "release_waiter -"
    if (getattr(cb, "__module__", None) == "asyncio.tasks"
            and getattr(cb, "__qualname__", None) == "gather.<locals>._done_callback"):
        return "gather_done " + (_future_name(args[0]) if args else "-")
    if func is taskgroups.TaskGroup._on_task_done:
        return "group_done " + (_future_name(args[0]) if args else "-")
    if cb is base_events._run_until_complete_cb:
        return "run_until_complete -"
    if func is timeouts.Timeout._on_timeout:
        return "timeout -"
    if getattr(cb, "__module__", None) in ("asyncio.tasks", __name__):  # (as_completed: here)
        qn = getattr(cb, "__qualname__", None)
        if qn == "shield.<locals>._inner_done_callback":
            return "shield_inner " + (_future_name(args[0]) if args else "-")
        if qn == "shield.<locals>._outer_done_callback":
            return "shield_outer -"
        if qn == "as_completed.<locals>._on_completion":
            return "as_completed_done " + (_future_name(args[0]) if args else "-")
        if qn == "as_completed.<locals>._on_timeout":
            return "as_completed_timeout -"
    return "other " + _qualname(cb)


def _counted_run(self):
    """events.Handle._run, counted (--max-steps) and logged (--callbacks)."""
    if _S.steps >= _S.max_steps:
        _die(EXIT_LIMIT, "limit: more than --max-steps %d callbacks (t=%.9f s)"
             % (_S.max_steps, _S.now_ns / NS_PER_S))
    _S.steps += 1
    if _S.callback_log is not None:
        _S.callback_log.write("%.9f %s\n" % (_S.now_ns / NS_PER_S, describe_handle(self)))
    try:
        _orig_handle_run(self)
    finally:
        self = None  # as in Handle._run: a failed step's traceback must not keep the task


# ---------------------------------------------------------------------------
# print and time.sleep
# ---------------------------------------------------------------------------

def _timestamped_print(*args, sep=" ", end="\n", file=None, flush=False):
    """builtins.print; with --timestamps each stdout line starts with the time."""
    if not _S.timestamps or (file is not None and file is not sys.stdout):
        return _real_print(*args, sep=sep, end=end, file=file, flush=flush)
    buf = io.StringIO()
    _real_print(*args, sep=sep, end=end, file=buf)
    stamp = "[%7.3f] " % (_S.now_ns / NS_PER_S)
    out = []
    for i, piece in enumerate(buf.getvalue().split("\n")):
        if i > 0:                         # a newline ends the current line
            if _S.at_line_start:          # an empty line still gets its stamp
                out.append(stamp)
            out.append("\n")
            _S.at_line_start = True
        if piece:
            if _S.at_line_start:
                out.append(stamp)
                _S.at_line_start = False
            out.append(piece)
    sys.stdout.write("".join(out))
    if flush:
        sys.stdout.flush()


_timestamped_print.__name__ = _timestamped_print.__qualname__ = "print"


def _virtual_sleep(seconds):
    """time.sleep: the loop's thread is blocked, so the clock jumps at once (R49)."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _advance_clock_to(_S.now_ns + seconds_to_ns(seconds), "time.sleep(%r)" % (seconds,))


_virtual_sleep.__name__ = _virtual_sleep.__qualname__ = "sleep"


# ---------------------------------------------------------------------------
# Installing everything and running a program
# ---------------------------------------------------------------------------

class _LogsToStdout(logging.Handler):
    def emit(self, record):
        sys.stdout.write(record.getMessage() + "\n")


def install(timestamps=False, callback_log=None, max_steps=DEFAULT_MAX_STEPS,
            max_time=DEFAULT_MAX_TIME, verbose=False):
    """Patch asyncio, time.sleep and print for one virtual-clock run."""
    if sys.version_info[:2] != (3, 11):
        raise SystemExit("vt_asyncio.py models CPython 3.11; this is Python %s" % PYTHON_VERSION)
    _S.timestamps = timestamps
    _S.callback_log = callback_log
    _S.max_steps = max_steps
    _S.max_time_ns = seconds_to_ns(max_time)
    _S.verbose = verbose

    # Pure-Python Task and Future (base_events.create_task reads tasks.Task,
    # base_events.create_future reads futures.Future, gather reads _GatheringFuture).
    tasks.Task = asyncio.Task = tasks._PyTask
    futures.Future = asyncio.Future = futures._PyFuture
    tasks._GatheringFuture = _PyGatheringFuture

    # R51: creation order where CPython iterates sets of tasks.
    tasks.all_tasks = asyncio.all_tasks = _all_tasks_in_creation_order
    tasks.as_completed = asyncio.as_completed = as_completed
    taskgroups.TaskGroup.__init__ = _taskgroup_init
    timeouts.timeout = asyncio.timeout = _exact_timeout
    if verbose:
        sys.stderr.write("vt_asyncio: set iteration orders (all_tasks, asyncio.run's cancel "
                         "order, TaskGroup._abort, as_completed) use creation order (R51)\n")

    events.Handle._run = _counted_run
    if os.environ.get("VT_LOGS_TO_STDOUT") == "1":
        # asyncio's log records (their message, without the traceback) go to
        # stdout, in their place among the prints: tests/conformance/logs.py
        logger = logging.getLogger("asyncio")
        logger.addHandler(_LogsToStdout())
        logger.propagate = False
    time.sleep = _virtual_sleep
    builtins.print = _timestamped_print
    asyncio.set_event_loop_policy(VirtualEventLoopPolicy())


def _self_check():
    """Fail loudly if a patch did not take (e.g. a changed asyncio)."""
    assert tasks.Task is tasks._PyTask and tasks._PyTask.__module__ == "asyncio.tasks"
    assert issubclass(tasks._GatheringFuture, futures._PyFuture)
    assert futures.isfuture(futures._PyFuture.__new__(futures._PyFuture))


def run_program(path, argv=(), error_file=None):
    """Run PROGRAM.py as __main__; return the exit status (0, 1 or SystemExit's).
    When main raised, its one-line description also goes to ERROR_FILE."""
    _self_check()
    sys.argv = [path] + list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    status = EXIT_OK
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        if e.code is None:
            status = EXIT_OK
        elif isinstance(e.code, int):
            status = e.code
        else:
            sys.stderr.write("%s\n" % (e.code,))
            status = EXIT_RAISED
    except BaseException as e:                 # main (or the program) raised
        sys.stdout.flush()
        line = traceback.format_exception_only(type(e), e)[-1]
        line = line[:-1] if line.endswith("\n") else line  # (the message's own spaces kept)
        sys.stderr.write(line + "\n")
        if error_file is not None:
            with open(error_file, "w", encoding="utf-8") as f:
                f.write(line)
        status = EXIT_RAISED
    # Pure-Python tasks sit in reference cycles (R55): let their "never retrieved"
    # and "destroyed but pending" messages out now, on stderr, not at exit.
    if _S.kept is not None:
        _S.kept.clear()
    gc.collect()
    sys.stdout.flush()
    if _S.callback_log is not None:
        _S.callback_log.flush()
    return status


# ---------------------------------------------------------------------------
# Compare mode
# ---------------------------------------------------------------------------

class Comparison:
    """The outcome of comparing loopscope's files with a harness run."""

    def __init__(self):
        self.lines = []          # the harness's printed lines
        self.callbacks = []      # the harness's callback log lines
        self.status = None       # the harness's exit status
        self.stderr = ""         # the harness's stderr
        self.error = None        # what main raised ("ValueError: boom"), or None
        self.differences = []    # text blocks, first one first

    @property
    def ok(self):
        return not self.differences

    def summary(self):
        ran = sum(1 for c in self.callbacks if c.split(" ")[1:2] != ["skip"])
        return "matches CPython %s (%d printed lines, %d callbacks, exit status %d)" % (
            PYTHON_VERSION, len(self.lines), ran, self.status)

    def report(self):
        return self.summary() if self.ok else "\n".join(self.differences)


def _read_lines(path):
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return f.read().splitlines()


def _first_difference(what, ours, theirs):
    """'at <what> N' block, or None.  ours = loopscope, theirs = CPython."""
    for i in range(max(len(ours), len(theirs))):
        a = ours[i] if i < len(ours) else None
        b = theirs[i] if i < len(theirs) else None
        if a != b:
            def show(x, n):
                return x if x is not None else "(end: %d %ss in all)" % (n, what)
            return ("differs from CPython %s at %s %d:\n  loopscope: %s\n  CPython:   %s"
                    % (PYTHON_VERSION, what, i + 1, show(a, len(ours)), show(b, len(theirs))))
    return None


def run_harness(program, max_steps=DEFAULT_MAX_STEPS, max_time=DEFAULT_MAX_TIME,
                timeout=None):
    """Run PROGRAM.py under this harness in a fresh interpreter (fresh clock and
    task counter).  Returns (status, printed lines, callback lines, stderr, the
    line saying what main raised or None)."""
    with tempfile.TemporaryDirectory(prefix="vt_asyncio-") as tmp:
        cb_path = os.path.join(tmp, "callbacks.txt")
        err_path = os.path.join(tmp, "error.txt")
        cmd = [sys.executable, os.path.abspath(__file__), "--timestamps", "--callbacks",
               cb_path, "--error-file", err_path, "--max-steps", str(max_steps),
               "--max-time", repr(float(max_time)), program]
        env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONHASHSEED="0")
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, timeout=timeout)
        callbacks = _read_lines(cb_path) if os.path.exists(cb_path) else []
        error = None
        if os.path.exists(err_path):
            with open(err_path, encoding="utf-8", errors="replace", newline="") as f:
                error = f.read()
    lines = proc.stdout.decode("utf-8", errors="replace").splitlines()
    return (proc.returncode, lines, callbacks, proc.stderr.decode("utf-8", errors="replace"),
            error)


def compare(program, expect_lines, expect_callbacks=None, expect_status=0,
            max_steps=DEFAULT_MAX_STEPS, max_time=DEFAULT_MAX_TIME, timeout=None,
            expect_error=None):
    """Run PROGRAM.py and compare with what loopscope recorded.  EXPECT_ERROR is
    loopscope's line for what main raised ("ValueError: boom"); when both sides
    exit with status 1 it must be CPython's."""
    c = Comparison()
    c.status, c.lines, c.callbacks, c.stderr, c.error = run_harness(program, max_steps,
                                                                    max_time, timeout)
    d = _first_difference("printed line", expect_lines, c.lines)
    if d:
        c.differences.append(d)
    if expect_callbacks is not None:
        d = _first_difference("callback", expect_callbacks, c.callbacks)
        if d:
            c.differences.append(d)
    if expect_status != c.status:
        why = c.stderr.strip().splitlines()
        c.differences.append("differs from CPython %s in exit status:\n  loopscope: %d\n"
                             "  CPython:   %d%s" % (PYTHON_VERSION, expect_status, c.status,
                                                    " (%s)" % why[-1] if why else ""))
    elif (expect_status == EXIT_RAISED and expect_error is not None
          and expect_error != c.error):
        c.differences.append("differs from CPython %s in what main raised:\n  loopscope: %s\n"
                             "  CPython:   %s" % (PYTHON_VERSION, expect_error, c.error))
    return c


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def _parse_args(argv):
    p = argparse.ArgumentParser(
        prog="vt_asyncio.py",
        description="Run an asyncio program (CPython 3.11) on a virtual clock, or compare "
                    "it with what loopscope recorded.")
    p.add_argument("--timestamps", action="store_true",
                   help='prefix each printed line with "[%%7.3f] " (virtual seconds)')
    p.add_argument("--callbacks", metavar="FILE",
                   help="write one line per callback the loop runs")
    p.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS, metavar="N",
                   help="stop (exit 4) after N callbacks (default %(default)s)")
    p.add_argument("--max-time", type=float, default=DEFAULT_MAX_TIME, metavar="SECONDS",
                   help="stop (exit 4) before virtual time passes SECONDS (default 1e6)")
    p.add_argument("--verbose", action="store_true", help="say which modelling rules apply")
    p.add_argument("--compare", action="store_true",
                   help="run PROGRAM with --timestamps and compare with the --expect files")
    p.add_argument("--expect-output", metavar="OUT.txt", help="loopscope's timestamped output")
    p.add_argument("--expect-callbacks", metavar="CB.txt", help="loopscope's callback log")
    p.add_argument("--expect-status", type=int, default=0, metavar="N",
                   help="loopscope's exit status (default 0)")
    p.add_argument("--expect-error", metavar="LINE",
                   help='what main raised in loopscope ("ValueError: boom"); with '
                        '--expect-status 1 it must be what CPython says')
    p.add_argument("--error-file", metavar="FILE",
                   help="when main raises, also write its one-line description to FILE")
    p.add_argument("program", metavar="PROGRAM.py")
    args = p.parse_args(argv)
    if args.compare and not args.expect_output:
        p.error("--compare needs --expect-output")
    if not args.compare and (args.expect_output or args.expect_callbacks
                             or args.expect_error is not None):
        p.error("--expect-output/--expect-callbacks/--expect-error need --compare")
    if args.max_steps < 0 or not args.max_time >= 0:
        p.error("--max-steps and --max-time must not be negative")
    return args


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isfile(args.program):
        sys.stderr.write("vt_asyncio.py: %s: no such file\n" % args.program)
        return EXIT_USAGE
    if args.compare:
        try:
            expect_lines = _read_lines(args.expect_output)
            expect_cbs = (_read_lines(args.expect_callbacks)
                          if args.expect_callbacks else None)
        except OSError as e:
            sys.stderr.write("vt_asyncio.py: %s\n" % e)
            return EXIT_USAGE
        c = compare(args.program, expect_lines, expect_cbs, args.expect_status,
                    args.max_steps, args.max_time, expect_error=args.expect_error)
        sys.stderr.write(c.stderr)             # the program's stderr, for the record
        _real_print(c.report())
        return EXIT_OK if c.ok else EXIT_DIFFERS

    log = None
    if args.callbacks:
        try:
            log = open(args.callbacks, "w", encoding="utf-8")
        except OSError as e:
            sys.stderr.write("vt_asyncio.py: %s\n" % e)
            return EXIT_USAGE
    install(timestamps=args.timestamps, callback_log=log, max_steps=args.max_steps,
            max_time=args.max_time, verbose=args.verbose)
    status = run_program(args.program, error_file=args.error_file)
    if log is not None:
        log.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
