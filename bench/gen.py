#!/usr/bin/env python3
"""gen.py -- the generated scenarios `make bench` measures (see bench.py).

    python3 bench/gen.py KIND N OUT.json

KIND is one of:
  fanout     N worker tasks, each printing, sleeping, awaiting an I/O read and
             taking a shared Lock around a sleep(0); main creates them all and
             gathers them (N = 1,000 / 10,000 / 100,000).
  prodcons   a producer puts N items into a Queue(maxsize=64), a consumer gets
             them; they hand the loop back and forth (N = 1,000,000).
  lock       N tasks each take one Lock 10 times around a sleep(0): a convoy.
  shared     N tasks in one TaskGroup wait for one Event, then all await one
             shared task: one future with N done callbacks, an Event with N
             waiters, a group of N children (N = 100,000). Each used to be a
             list walked from its head on every add: quadratic.
  seek       a long run for the seek benchmark: 20 tasks that each yield
             N times (sleep(0)), so the recording has about 10 * 20 * N steps.
"""
import json
import sys


def fanout(n):
    return {
        "title": "bench: fan-out of %d tasks" % n,
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


def prodcons(n):
    return {
        "title": "bench: producer/consumer, %d items" % n,
        "objects": {"q": {"Queue": {"maxsize": 64}}},
        "coroutines": {
            "producer": [
                {"repeat": n, "as": "i", "body": [{"put": "q", "value": {"var": "i"}}]},
                {"put": "q", "value": None},
            ],
            "consumer": [
                {"repeat": n, "as": "i", "body": [{"get": "q", "as": "item"}]},
                {"get": "q", "as": "end"},
                {"print": "consumed, last {item}"},
            ],
            "main": [
                {"create_task": "producer", "as": "p"},
                {"create_task": "consumer", "as": "c"},
                {"await": "p"},
                {"await": "c"},
            ],
        },
    }


def lock(n):
    return {
        "title": "bench: %d tasks contend for one Lock" % n,
        "objects": {"lock": "Lock"},
        "coroutines": {
            "worker": {"params": ["i"], "body": [
                {"repeat": 10, "as": "k", "body": [
                    {"with": "lock", "body": [{"sleep": 0}]}]},
            ]},
            "main": [
                {"repeat": n, "as": "i", "body": [
                    {"create_task": "worker", "args": [{"var": "i"}], "as": "t"}]},
                {"await": "t"},
                {"sleep": 1},
                {"print": "all done"},
            ],
        },
    }


def shared(n):
    return {
        "title": "bench: %d tasks in a TaskGroup wait for one Event and await one task" % n,
        "objects": {"go": "Event"},
        "coroutines": {
            "leader": [{"sleep": 1}, {"set": "go"}, {"sleep": 1}, {"return": 42}],
            "member": {"params": ["lead", "i"], "body": [
                {"wait": "go"},
                {"await": "lead", "as": "x"},
                {"print": "member {i} got {x}"},
            ]},
            "main": [
                {"create_task": "leader", "as": "lead"},
                {"task_group": "tg", "body": [
                    {"repeat": n, "as": "i", "body": [
                        {"create_task": "member", "args": [{"var": "lead"}, {"var": "i"}],
                         "group": "tg"}]}]},
                {"print": "all done"},
            ],
        },
    }


def seek(n):
    return {
        "title": "bench: a long run for seeking",
        "coroutines": {
            "spinner": {"params": ["i"], "body": [
                {"repeat": n, "as": "k", "body": [{"sleep": 0}]},
            ]},
            "main": [
                {"repeat": 20, "as": "i", "body": [
                    {"create_task": "spinner", "args": [{"var": "i"}], "as": "t"}]},
                {"await": "t"},
                {"sleep": 1},
            ],
        },
    }


KINDS = {"fanout": fanout, "prodcons": prodcons, "lock": lock, "shared": shared, "seek": seek}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    with open(sys.argv[3], "w") as f:
        json.dump(KINDS[sys.argv[1]](int(sys.argv[2])), f)
