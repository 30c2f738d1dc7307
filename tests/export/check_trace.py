#!/usr/bin/env python3
"""check_trace.py -- structural checks of one `export --chrome-trace` file.

    python3 tests/export/check_trace.py TRACE.json STAGES.txt PRINTS.txt [SPEEDSCOPE.jsonl]

TRACE.json   the exported trace
STAGES.txt   `loopscope run --stages` of the same scenario (task names must appear in it)
PRINTS.txt   `loopscope run` stdout of the same scenario (what the print instants must say)
SPEEDSCOPE   the line speedscope_check.mjs printed for this file (optional)

Prints one line per failed check ("FAIL what") and exits 1 if any failed,
else prints "ok N checks" and exits 0. What is checked (ecosystem.md 3):
object form; every non-M event has numeric ts, integer pid/tid, never tid 0;
X has a numeric dur >= 0; B/E pair up per tid with equal names; slices on a
tid nest strictly (no partial overlap); v1 flows pair up s -> f by (cat,
name, id) with f not before s; tid 1 is "event loop", tids 2.. are the
tasks, each named, with thread_sort_index; no event is named Profile,
ProfileChunk or CpuProfile; print instants say exactly what the program
printed, in order; and, given speedscope's result, one profile per thread
named "<title> (pid 1), <thread> (tid N)" with no warnings.
"""
import json
import sys
from collections import defaultdict

fails = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        fails.append(what)
    return cond


def main():
    trace_path, stages_path, prints_path = sys.argv[1:4]
    ss_path = sys.argv[4] if len(sys.argv) > 4 else None
    with open(trace_path, encoding="utf-8") as f:
        doc = json.load(f)
    check(isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list), "object form with traceEvents")
    check(doc.get("displayTimeUnit") == "ms", "displayTimeUnit is ms")
    check(isinstance(doc.get("otherData"), dict), "otherData is an object")
    evs = doc["traceEvents"]
    check(len(evs) > 0 and "cat" not in evs[0], "first event has no cat (speedscope's profile sniffing)")

    def num(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    names = {}
    sort_index = {}
    title = None
    slices = defaultdict(list)  # tid -> [(t0, t1, order, name)]
    open_b = defaultdict(list)
    flows_s, flows_f = {}, {}
    prints = []
    bad_ts = bad_tid = 0
    for i, e in enumerate(evs):
        ph = e.get("ph")
        if not check(isinstance(ph, str) and isinstance(e.get("pid"), int) and isinstance(e.get("tid"), int),
                     "event %d has ph, integer pid and tid" % i):
            continue
        if e.get("name") in ("Profile", "ProfileChunk", "CpuProfile"):
            check(False, "event %d is named %s" % (i, e["name"]))
        tid = e["tid"]
        if ph == "M":
            a = e.get("args", {})
            if e["name"] == "process_name":
                title = a.get("name")
            elif e["name"] == "thread_name":
                names[tid] = a.get("name")
            elif e["name"] == "thread_sort_index":
                sort_index[tid] = a.get("sort_index")
            continue
        if not num(e.get("ts")):
            bad_ts += 1
            continue
        if tid == 0:
            bad_tid += 1
        ts = e["ts"]
        if ph == "X":
            if check(num(e.get("dur")) and e["dur"] >= 0, "X event %d has a numeric dur >= 0" % i):
                slices[tid].append((ts, ts + e["dur"], i, e["name"]))
        elif ph == "B":
            open_b[tid].append((ts, i, e["name"]))
        elif ph == "E":
            if check(open_b[tid], "E event %d closes an open B" % i):
                t0, j, nm = open_b[tid].pop()
                check(nm == e.get("name"), "E event %d has the name of its B (%r vs %r)" % (i, e.get("name"), nm))
                check(ts >= t0, "E event %d does not end before its B" % i)
                slices[tid].append((t0, ts, j, nm))
        elif ph in ("s", "f"):
            key = (e.get("cat"), e.get("name"), e.get("id"))
            check(isinstance(e.get("id"), int), "flow event %d has an integer id" % i)
            d = flows_s if ph == "s" else flows_f
            check(key not in d, "flow %r has one %s" % (key, ph))
            d[key] = (ts, tid)
        elif ph == "i":
            check(e.get("s") in ("t", "p", "g"), "instant %d has a scope" % i)
            if e.get("cat") == "print":
                a = e.get("args", {})
                # a print named Profile/ProfileChunk/CpuProfile is renamed; args.text keeps it
                prints.append((ts, a.get("step", -1), i, a.get("text", e["name"])))
    check(bad_ts == 0, "every non-M event has a numeric ts (%d do not)" % bad_ts)
    check(bad_tid == 0, "no event uses tid 0 (%d do)" % bad_tid)
    for tid, st in open_b.items():
        check(not st, "every B on tid %d is closed" % tid)

    # strict nesting per tid
    for tid, sl in slices.items():
        sl.sort(key=lambda s: (s[0], -s[1], s[2]))
        stack = []
        for t0, t1, i, nm in sl:
            while stack and stack[-1][1] <= t0:
                stack.pop()
            if stack and t1 > stack[-1][1]:
                check(False, "tid %d: %r [%s, %s] partially overlaps %r [%s, %s]"
                      % (tid, nm, t0, t1, stack[-1][3], stack[-1][0], stack[-1][1]))
            stack.append((t0, t1, i, nm))
    check(True, "nesting checked")

    # flows pair up
    for key, (ts, tid) in flows_s.items():
        if check(key in flows_f, "flow %r has an end" % (key,)):
            check(flows_f[key][0] >= ts, "flow %r does not end before it starts" % (key,))
    for key in flows_f:
        check(key in flows_s, "flow %r has a start" % (key,))

    # tracks
    check(names.get(1) == "event loop", "tid 1 is named 'event loop'")
    tids = sorted(names)
    check(tids == list(range(1, len(tids) + 1)), "tids are 1..N without gaps")
    ntasks = doc.get("otherData", {}).get("tasks")
    check(ntasks == len(tids) - 1, "one track per task (%s tasks, %d task tracks)" % (ntasks, len(tids) - 1))
    for tid in tids:
        check(sort_index.get(tid) == tid, "tid %d has thread_sort_index %d" % (tid, tid))
    with open(stages_path, encoding="utf-8") as f:
        stages = f.read()
    for tid in tids[1:]:
        check(isinstance(names[tid], str) and names[tid] in stages,
              "task track %d's name %r is a task of the recording" % (tid, names[tid]))
    for tid in set(slices) | set(names):
        if tid != 1:
            check(tid in names, "tid %d has a thread_name" % tid)
    for tid in tids:
        check(slices.get(tid), "tid %d has at least one slice (so speedscope makes it a profile)" % tid)

    # prints: exactly the program's output, in order
    with open(prints_path, encoding="utf-8") as f:
        out = f.read()
    prints.sort(key=lambda p: (p[0], p[1], p[2]))
    got = "".join(p[3] + "\n" for p in prints)
    check(got == out, "print instants say what the program printed (%d instants)" % len(prints))

    if ss_path:
        with open(ss_path, encoding="utf-8") as f:
            ss = json.loads(f.read())
        check(ss.get("error") is None, "speedscope imported it (%s)" % ss.get("error"))
        check(not ss.get("warnings"), "speedscope gave no warnings (%s)" % ss.get("warnings", [])[:3])
        want = ["%s (pid 1), %s (tid %d)" % (title, names[t], t) for t in tids]
        got_names = [p["name"] for p in ss.get("profiles", [])]
        check(sorted(got_names) == sorted(want), "speedscope profiles are the loop plus one per task: %r vs %r"
              % (got_names[:4], want[:4]))
        for p in ss.get("profiles", []):
            check(p.get("unit") == "microseconds", "profile %r is in microseconds" % p.get("name"))

    for f in fails:
        print("FAIL " + f)
    if not fails:
        print("ok %d checks" % checks)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
