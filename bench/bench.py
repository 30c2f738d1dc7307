#!/usr/bin/env python3
"""bench.py -- loopscope's speed and memory, as ratios measured in one run (make bench).

    python3 bench/bench.py BIN [--quick] [--out bench/results.md]

Prints a table and writes it, as Markdown, to bench/results.md:

 1. Simulation throughput vs CPython. Scenarios from bench/gen.py: fan-out
    of 1,000 / 10,000 / 100,000 tasks, a producer/consumer Queue with
    1,000,000 items, 1,000 tasks contending for one Lock, and 100,000
    tasks in one TaskGroup that wait for one Event and await one task
    (a future with 100,000 callbacks: was quadratic). Each is run by
    `BIN run` (the whole simulation, recorded step by step; output to
    /dev/null) and, exported to Python, by real CPython asyncio on the
    virtual clock of the conformance harness (tests/conformance/vt_asyncio.py).
    Also run by stock asyncio (the C Task and Future) with only its clock
    made virtual (bench/stock_asyncio.py), the fairer reference; the three
    runs must print the same output. Reported: wall times (median of
    several runs), the two ratios, micro-steps per second, peak RSS of all
    three, and loopscope's bytes per task.
 2. Seeking: a run of over 10 million micro-steps; 1,000 random seeks
    (keyframes + replay) against replaying from the start (bench/seek_bench).
 3. Drawing: offscreen frame time of the full app at 1600x1000 (median and
    99th percentile of 300 frames) for the two-task scenario, 1,000 tasks
    and 100,000 tasks (bench/draw_bench).
 4. Start-up: process start to the first frame saved offscreen (`shot`),
    and `check` of the largest scenario.

Nothing here asserts a time: the machine is shared and noisy; ratios
measured side by side in the same run are the figures to compare.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HARNESS = os.path.join(ROOT, "tests", "conformance", "vt_asyncio.py")
STOCK = os.path.join(HERE, "stock_asyncio.py")
sys.path.insert(0, HERE)
import gen  # noqa: E402


RSS_RUN = None  # bench/rss_run.c, built beside the binary (set in main)


def run(cmd, out=None):
    """Wall seconds and peak RSS (KB) of one process, measured by rss_run:
    a child forked from this Python process would report at least Python's
    own RSS (see bench/rss_run.c). Its output goes to the file `out`, or
    nowhere."""
    with open(out or os.devnull, "wb") as f:
        p = subprocess.run([RSS_RUN] + cmd, stdout=f, stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    last = err.rstrip("\n").split("\n")[-1].split()
    if p.returncode != 0 or len(last) != 4 or last[0] != "rss_run:":
        sys.exit("bench: rss_run failed on %s: %s" % (" ".join(cmd[:3]), err[-300:]))
    dt, kb, code = float(last[1]), int(last[2]), int(last[3])
    if code != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd[:3]), code, err[:300]))
    return dt, kb


def median_run(cmd, n, out=None):
    times, rss = [], 0
    for _ in range(n):
        t, r = run(cmd, out)
        times.append(t)
        rss = max(rss, r)
    return statistics.median(times), rss


def steps_of(binary, scn):
    """Micro-steps of the run: the lines of `run --stages` that start with a
    step number (streamed, so this process stays small: a child's peak RSS
    as wait4 reports it starts from its parent's, forked)."""
    p = subprocess.Popen([binary, "run", "--stages", "--max-steps", "100000000", "--max-memory",
                          str(8 << 30), scn], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    n = sum(1 for ln in p.stdout if ln[:8].strip().isdigit())
    p.wait()
    return n


def held(nbytes, steps):
    """Keyframe memory: MB, and bytes per step of the run."""
    return "%.0f MB (%.0f B/step)" % (nbytes / 1048576.0, nbytes / float(steps)) if nbytes >= 1048576 else \
        "%.0f KB (%.1f B/step)" % (nbytes / 1024.0, nbytes / float(steps))


def mb(kb):
    return "%.0f MB" % (kb / 1024.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, one run each (a smoke test)")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"))
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    draw = os.path.join(os.path.dirname(binary), "draw_bench")
    seek = os.path.join(os.path.dirname(binary), "seek_bench")
    global RSS_RUN
    RSS_RUN = os.path.join(os.path.dirname(binary), "rss_run")
    q = a.quick
    reps_ls, reps_py = (1, 1) if q else (3, 3)
    out = []

    def emit(line=""):
        print(line, flush=True)
        out.append(line)

    with tempfile.TemporaryDirectory() as d:
        def make(kind, n):
            path = os.path.join(d, "%s%d.json" % (kind, n))
            with open(path, "w") as f:
                json.dump(gen.KINDS[kind](n), f)
            return path

        emit("# loopscope benchmarks")
        emit()
        emit("Machine: %s, %d cores; Python %s. Generated by `make bench` (bench/bench.py)%s."
             % (os.uname().machine, os.cpu_count(), sys.version.split()[0], ", --quick" if q else ""))
        emit()
        emit("## 1. Simulation throughput vs CPython (virtual clock)")
        emit()
        emit("| scenario | micro-steps | loopscope | CPython, harness | ratio | CPython, stock | ratio | steps/s "
             "| RSS loopscope | RSS harness | RSS stock | bytes/task |")
        emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        cases = [("fanout", 1000), ("fanout", 10000), ("fanout", 100000), ("prodcons", 1000000), ("lock", 1000),
                 ("shared", 100000)]
        if q:
            cases = [("fanout", 1000), ("fanout", 10000), ("prodcons", 10000), ("lock", 100), ("shared", 1000)]
        for kind, n in cases:
            scn = make(kind, n)
            py = scn[:-5] + ".py"
            subprocess.run([binary, "export", "--python", py, scn], check=True)
            steps = steps_of(binary, scn)
            outs = [os.path.join(d, name) for name in ("out-loopscope", "out-harness", "out-stock")]
            t_ls, r_ls = median_run([binary, "run", "--max-steps", "100000000", "--max-memory", str(8 << 30), scn],
                                    reps_ls, outs[0])
            big = kind == "prodcons" or n >= 100000
            t_py, r_py = median_run([sys.executable, HARNESS, py], 1 if big else reps_py, outs[1])
            t_st, r_st = median_run([sys.executable, STOCK, py], 1 if big else reps_py, outs[2])
            texts = []
            for o in outs:
                with open(o, "rb") as f:
                    texts.append(f.read())
            if texts[1] != texts[0] or texts[2] != texts[0]:
                sys.exit("bench: %s %d: the three runs printed different output (%s)" % (kind, n, d))
            tasks = n + 1 if kind in ("fanout", "lock") else 3
            per_task = "%.0f" % (r_ls * 1024.0 / tasks) if kind == "fanout" else ""
            emit("| %s %s | %d | %.3f s | %.3f s | **%.1fx** | %.3f s | **%.1fx** | %.2fM | %s | %s | %s | %s |" % (
                kind, "{:,}".format(n), steps, t_ls, t_py, t_py / t_ls, t_st, t_st / t_ls, steps / t_ls / 1e6,
                mb(r_ls), mb(r_py), mb(r_st), per_task))
        emit()
        emit("ratio = CPython time / loopscope time for the same program (higher is better). *CPython, "
             "harness* is the conformance harness (tests/conformance/vt_asyncio.py) that loopscope is "
             "checked against: exact virtual nanoseconds, the pure-Python Task and Future, a logging ready "
             "queue. *CPython, stock* is asyncio as it ships (the C Task and Future) with only its clock "
             "made virtual (bench/stock_asyncio.py): the faster, and the fairer, reference. All three runs "
             "print the same output (checked). bytes/task = loopscope's peak RSS / tasks (recording "
             "included: every step, packed, every span, handle, task and printed line). `run` only goes "
             "forward, so it keeps no keyframes; the app keeps them as well (section 2). CPython's big runs are measured once, everything else is a median of %d." % reps_ls)
        emit()

        emit("## 2. Seeking")
        emit()
        scn = make("seek", 10000 if q else 130000)
        line = subprocess.run([seek, scn, "1000"], stdout=subprocess.PIPE, check=True).stdout.decode().split()
        n, run_s, med, p99, replay = int(line[0]), float(line[1]), float(line[2]), float(line[3]), float(line[4])
        back, back99, keys = float(line[5]), float(line[6]), int(line[7])
        emit("| run | micro-steps | run to the end | seek median | seek p99 | step back median | step back p99 "
             "| replay from start (mean) | seek speed-up | keyframes hold |")
        emit("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        emit("| 20 tasks yielding | %s | %.2f s | %.4f ms | %.4f ms | %.4f ms | %.4f ms | %.1f ms | **%.0fx** | %s |" % (
            "{:,}".format(n), run_s, med, p99, back, back99, replay, replay / med if med else 0, held(keys, n)))
        big = make("fanout", 10000 if q else 100000)
        line = subprocess.run([seek, big, "200"], stdout=subprocess.PIPE, check=True).stdout.decode().split()
        n, run_s, med, p99, replay = int(line[0]), float(line[1]), float(line[2]), float(line[3]), float(line[4])
        back, back99, keys = float(line[5]), float(line[6]), int(line[7])
        emit("| fan-out of %s tasks | %s | %.2f s | %.4f ms | %.4f ms | %.4f ms | %.4f ms | %.1f ms | **%.0fx** | %s |" % (
            "{:,}".format(10000 if q else 100000), "{:,}".format(n), run_s, med, p99, back, back99, replay,
            replay / med if med else 0, held(keys, n)))
        emit()
        emit("Seeks to random steps (fixed seed: 1,000, and 200 in the big fan-out); the reference steps a "
             "fresh simulation from step 0; *step back* is 200 seeks one step back at a time (the app's "
             "left arrow). A keyframe is a copy of the state that shares the 4 KB chunks that did not change "
             "with the keyframe before it (src/core/keyframe.c); *keyframes hold* is what they take beyond "
             "the recording, which is what the app adds to `run`'s memory. Keyframes are at least 1,024 "
             "steps and state size / 256 steps apart (each reads the whole state) and farther when their changes "
             "pass 64 bytes a step, so with 100,000 live tasks a seek restores about 25 MB and replays "
             "up to about 130,000 steps; stepping back leaves an extra keyframe a few hundred steps "
             "behind, so the following step-backs stay short.")
        emit()

        emit("## 3. Drawing (offscreen, software renderer, 1600x1000)")
        emit()
        emit("| scenario | tasks | frame median | frame p99 | vs two tasks | UI work median | UI work p99 | vs two tasks |")
        emit("|---|---:|---:|---:|---:|---:|---:|---:|")
        base = None
        for name, path, tasks, step in [
                ("two_tasks", os.path.join(ROOT, "scenarios", "two_tasks.json"), 2, 200000),
                ("fan-out", make("fanout", 1000), 1000, 200000),
                ("fan-out", make("fanout", 1000 if q else 100000), 1000 if q else 100000, 200000),
                ("20 tasks yielding, step %s of a long run" % ("400,000" if q else "4,000,000"),
                 make("seek", 10000 if q else 130000), 21, 400000 if q else 4000000)]:
            line = subprocess.run([draw, path, str(step), "1600x1000", "60" if q else "300"],
                                  stdout=subprocess.PIPE, check=True).stdout.decode().split()
            med, p99, umed, up99 = float(line[0]), float(line[1]), float(line[3]), float(line[4])
            base = base or (med, umed)
            emit("| %s | %s | %.2f ms | %.2f ms | %.1fx | %.3f ms | %.3f ms | %.1fx |" % (
                name, "{:,}".format(tasks), med, p99, med / base[0], umed, up99, umed / base[1]))
        emit()
        emit("A frame is the whole app (every panel, hover work included) drawn into an image by SDL's "
             "software renderer; *UI work* is loopscope's own part of it (ui_frame: layout, level of detail, "
             "the draw list), the rest is SDL rasterizing pixels, which a window with an accelerated renderer "
             "hands to the GPU. The timeline draws only visible lanes and merges what falls into one pixel. "
             "The app records at most 8,000,000 steps (the long run's first 8 million).")
        emit()

        emit("## 4. Start-up")
        emit()
        png = os.path.join(d, "x.png")
        t_shot, _ = median_run([binary, "shot", os.path.join(ROOT, "scenarios", "two_tasks.json"), "-o", png], 5)
        largest = make("fanout", 10000 if q else 100000)
        t_check, _ = median_run([binary, "check", largest], 3)
        t_big, _ = median_run([binary, "shot", largest, "--step", "99999999", "-o", png], 3)
        emit("| what | time |")
        emit("|---|---:|")
        emit("| process start to the first frame saved (`shot` two_tasks, 1600x1000) | %.0f ms |" % (t_shot * 1e3))
        emit("| `check` of the %s-task scenario | %.0f ms |" % ("{:,}".format(10000 if q else 100000), t_check * 1e3))
        emit("| process start to the first frame saved (`shot` of the %s-task fan-out at its end: the whole run "
             "recorded, keyframes and the timeline's lanes built) | %.0f ms |" % (
                 "{:,}".format(10000 if q else 100000), t_big * 1e3))
        emit()
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print("bench: written to %s" % os.path.relpath(a.out))


if __name__ == "__main__":
    main()
