#!/usr/bin/env python3
"""stock_asyncio.py -- run an exported program on stock CPython asyncio, with
only its clock made virtual (a reference for bench.py).

    python3 bench/stock_asyncio.py PROGRAM.py

The conformance harness (tests/conformance/vt_asyncio.py) is what loopscope
is checked against, and so what bench.py compares it with first. To be
exact about callbacks it swaps in the pure-Python Task and Future and logs
from a Python-level ready queue, which makes it slower than the asyncio
people run. This runner changes nothing but the time: the C Task and
Future (_asyncio), the plain deque of ready handles and the heapq timers
stay as they ship. loop.time() is a virtual clock, and the selector, asked
to wait, jumps it to the earliest timer instead of sleeping. So a program
that sleeps for minutes runs at full speed, through the same callbacks.

Only for timing: it keeps float seconds like asyncio itself, where the
harness keeps exact nanoseconds; bench.py checks that its output is
loopscope's.
"""
import asyncio
import runpy
import selectors
import sys


class JumpSelector(selectors.BaseSelector):
    """No file descriptors but the loop's self-pipe, which nothing writes:
    select() only moves the virtual clock."""

    def __init__(self):
        self._map = {}
        self.loop = None

    def register(self, fileobj, events, data=None):
        fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
        key = selectors.SelectorKey(fileobj, fd, events, data)
        self._map[fileobj] = key
        return key

    def unregister(self, fileobj):
        return self._map.pop(fileobj)

    def select(self, timeout=None):
        loop = self.loop
        if timeout is None:
            # nothing ready, no timer: the real loop would wait forever
            raise RuntimeError("stock_asyncio: the program waits forever (deadlock)")
        if timeout > 0:
            when = loop._scheduled[0]._when if loop._scheduled else loop.now + timeout
            loop.now = max(loop.now, when)
        return []

    def get_map(self):
        return self._map

    def close(self):
        self._map.clear()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        selector = JumpSelector()
        super().__init__(selector)
        selector.loop = self
        self.now = 0.0

    def time(self):
        return self.now


class Policy(asyncio.DefaultEventLoopPolicy):
    _loop_factory = VirtualClockLoop


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: stock_asyncio.py PROGRAM.py")
    assert asyncio.Task.__module__ == "_asyncio", "the C Task is not in use"
    asyncio.set_event_loop_policy(Policy())
    runpy.run_path(sys.argv[1], run_name="__main__")


if __name__ == "__main__":
    main()
