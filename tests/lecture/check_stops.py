#!/usr/bin/env python3
"""check_stops.py LECTURE STOPS_OUT BIN -- checks `loopscope lecture --stops` output
against what the lecture asks for: as many stops per slide; a stage stop pauses
just after a step of that stage (of that task, when named); a time stop where
the clock has reached that time; a step stop after exactly that step.
check_stops.py --pages LECTURE STOPS_OUT -- prints the number of handout pages
(one per stop, one for a slide without stops, one more per differing claim)."""
import json
import re
import sys


def parse(out):
    slides = []
    for line in open(out, encoding="utf-8"):
        m = re.match(r"slide (\d+): .* \((\d+) steps\)$", line.rstrip("\n"))
        if m:
            slides.append({"stops": [], "claim": False, "nsteps": int(m.group(2))})
            continue
        m = re.match(r"  stop (\d+): after step (\d+): stage (\d+), iteration (\d+), t=([0-9.]+): (.*)$", line.rstrip("\n"))
        if m:
            slides[-1]["stops"].append({"pos": int(m.group(2)), "stage": int(m.group(3)),
                                        "t": float(m.group(5)), "what": m.group(6)})
            continue
        if line.startswith("  claim: line"):
            slides[-1]["claim"] = True
    return slides


def main():
    if sys.argv[1] == "--pages":
        lec = json.load(open(sys.argv[2], encoding="utf-8"))
        got = parse(sys.argv[3])
        print(sum(max(1, len(s["stops"])) + (1 if s["claim"] else 0) for s in got))
        return 0
    lec = json.load(open(sys.argv[1], encoding="utf-8"))
    got = parse(sys.argv[2])
    errors = []
    if len(got) != len(lec["slides"]):
        errors.append("%d slides listed, the lecture has %d" % (len(got), len(lec["slides"])))
    for i, (sl, g) in enumerate(zip(lec["slides"], got)):
        stops = sl.get("stops", [])
        if len(stops) != len(g["stops"]):
            errors.append("slide %d: %d stops listed, %d in the lecture" % (i + 1, len(g["stops"]), len(stops)))
            continue
        prev = 0
        for k, (want, st) in enumerate(zip(stops, g["stops"])):
            where = "slide %d stop %d" % (i + 1, k + 1)
            if st["pos"] < prev:
                errors.append("%s: at step %d, before the previous stop (%d)" % (where, st["pos"], prev))
            prev = st["pos"]
            if "stage" in want:
                if st["stage"] != want["stage"]:
                    errors.append("%s: wants stage %d, pauses after a stage-%d step (%s)"
                                  % (where, want["stage"], st["stage"], st["what"]))
                if "task" in want and want["task"] not in st["what"]:
                    errors.append("%s: wants a step of %s, pauses after: %s" % (where, want["task"], st["what"]))
            if "time" in want and st["t"] + 1e-9 < want["time"]:
                errors.append("%s: wants t>=%g, pauses at t=%g" % (where, want["time"], st["t"]))
            if "step" in want and st["pos"] != want["step"]:
                errors.append("%s: wants step %d, pauses after step %d" % (where, want["step"], st["pos"]))
            if "line" in want and not (0 < st["pos"] < g["nsteps"]):
                errors.append("%s: a line stop outside the run" % where)
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
