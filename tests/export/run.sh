#!/bin/sh
# run.sh BIN -- the timeline exports: --chrome-trace, --svg, --png (issue 4).
#
# 1. every scenarios/*.json (and tests/export/big.json) exported with
#    --chrome-trace: `python3 -m json.tool` parses it; check_trace.py checks
#    its structure (numeric ts, never tid 0, B/E pairs, strict nesting per
#    tid, flows pair up, one named track per task, prints = the program's
#    output); speedscope's own importer (speedscope@1.25.0 run under node by
#    speedscope_check.mjs) imports it with no warning, one profile per task
#    plus the loop; known spans exist (two_tasks: sleep(2) waits 2,000,000 us).
# 2. every scenario exported with --svg passes `xmllint --noout`; two_tasks
#    and big.json are rendered by headless Chromium and the PNG is not blank.
# 3. --png writes a PNG of the requested size; no writer overwrites the
#    scenario (exit 2, file intact); a missing folder fails with a clear
#    message and leaves no temporary file; a failed export keeps the old file.
#
# A check that cannot run (node, npm, chromium, xmllint missing) counts as a
# failure, never as a pass. Prints "N passed, M failed"; exits 1 on failure.
set -u
BIN=${1:?usage: run.sh BIN}
cd "$(dirname "$0")/../.."
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
HERE=tests/export
NPM_DIR=${EXPORT_NPM_DIR:-build/npm}
SS="$NPM_DIR/node_modules/speedscope"
TMP=$(mktemp -d /tmp/loopscope-export.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---- tools -------------------------------------------------------------------
if ! have node || ! have npm; then
    bad "node and npm are needed (apt-get install nodejs npm)"
elif [ "$(node -e "try{console.log(require('./$SS/package.json').version)}catch(e){}" 2>/dev/null)" != 1.25.0 ]; then
    mkdir -p "$NPM_DIR"
    npm install --prefix "$NPM_DIR" --no-audit --no-fund --silent speedscope@1.25.0 >"$TMP/npm.log" 2>&1 ||
        { bad "npm install speedscope@1.25.0 failed:"; tail -5 "$TMP/npm.log"; }
fi
have xmllint || bad "xmllint is needed (apt-get install libxml2-utils)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || bad "chromium is needed for the SVG rendering check (apt-get install chromium)"
have identify && have convert || bad "imagemagick is needed (identify, convert)"

# ---- 1. chrome traces ----------------------------------------------------------
SCEN="scenarios/*.json $HERE/big.json"
for s in $SCEN; do
    b=$(basename "$s" .json)
    "$BIN" run --stages "$s" >"$TMP/$b.stages" 2>/dev/null
    "$BIN" run "$s" >"$TMP/$b.prints" 2>/dev/null
    if "$BIN" export --chrome-trace "$TMP/$b.trace.json" "$s" 2>"$TMP/err"; then ok; else
        bad "$b: export --chrome-trace failed: $(cat "$TMP/err")"; continue; fi
    if python3 -m json.tool "$TMP/$b.trace.json" >/dev/null 2>"$TMP/err"; then ok; else
        bad "$b: json.tool: $(head -3 "$TMP/err")"; fi
done
ss_ok=false
if [ -f "$SS/package.json" ] && have node; then
    node "$HERE/speedscope_check.mjs" "$SS" "$TMP"/*.trace.json >"$TMP/speedscope.jsonl" 2>"$TMP/ss.err"
    rc=$?
    if [ $rc -eq 0 ]; then ok; ss_ok=true; else
        bad "speedscope import: exit $rc $(head -3 "$TMP/ss.err")"
        [ -s "$TMP/speedscope.jsonl" ] && ss_ok=true
    fi
else
    bad "speedscope import: speedscope@1.25.0 or node is missing"
fi
for s in $SCEN; do
    b=$(basename "$s" .json)
    [ -f "$TMP/$b.trace.json" ] || continue
    line=""
    if $ss_ok; then
        grep -F "\"file\":\"$TMP/$b.trace.json\"" "$TMP/speedscope.jsonl" >"$TMP/$b.ss"
        [ -s "$TMP/$b.ss" ] && line="$TMP/$b.ss" || bad "$b: no speedscope result"
    fi
    if python3 "$HERE/check_trace.py" "$TMP/$b.trace.json" "$TMP/$b.stages" "$TMP/$b.prints" $line >"$TMP/check" 2>&1; then
        ok
    else
        bad "$b: check_trace.py:"; head -10 "$TMP/check"
    fi
done
# known spans, in the file and as speedscope sees them
python3 - "$TMP" "$ss_ok" <<'EOF' >"$TMP/known" 2>&1 && ok || { bad "known spans:"; cat "$TMP/known"; }
import json, sys
tmp, ss_ok = sys.argv[1], sys.argv[2] == "true"
def trace(b):
    return json.load(open("%s/%s.trace.json" % (tmp, b)))["traceEvents"]
def tid_of(evs, name):
    return [e["tid"] for e in evs if e["ph"] == "M" and e["name"] == "thread_name" and e["args"]["name"] == name]
errs = []
evs = trace("two_tasks")
# task_a is the task created second (Task-2) and does sleep(2)
t = tid_of(evs, "Task-2")
if not any(e["ph"] == "X" and e["tid"] in t and e["name"] == "await sleep(2)" and e["dur"] == 2000000 for e in evs):
    errs.append("two_tasks: Task-2 has no X 'await sleep(2)' of 2000000 us")
if not any(e["ph"] == "i" and e["tid"] in t and e["name"] == "A: Started" for e in evs):
    errs.append("two_tasks: Task-2 has no print instant 'A: Started'")
if sum(1 for e in evs if e["ph"] == "s") < 3:
    errs.append("two_tasks: fewer than 3 timer flows")
evs = trace("blocking_call")
if not any(e["ph"] == "X" and e["tid"] == 1 and e["name"].startswith("loop blocked") and e["dur"] == 2000000 for e in evs):
    errs.append("blocking_call: no 2 s 'loop blocked' slice on the loop track")
w = tid_of(evs, "worker")
if not any(e["ph"] == "X" and e["tid"] in w and e["name"] == "time.sleep(2) blocks the loop" for e in evs):
    errs.append("blocking_call: worker has no 'time.sleep(2) blocks the loop' slice")
if not any(e["ph"] == "X" and e["tid"] == 1 and e["name"].startswith("select()") for e in evs):
    errs.append("blocking_call: no select() slice on the loop track")
if ss_ok:
    res = {}
    for line in open("%s/speedscope.jsonl" % tmp):
        d = json.loads(line)
        res[d["file"].rsplit("/", 1)[1]] = d
    prof = [p for p in res["two_tasks.trace.json"]["profiles"] if p["name"].endswith(", Task-2 (tid 3)")]
    if not prof or ["await sleep(2)", 0, 2000000] not in prof[0]["slices"]:
        errs.append("speedscope: Task-2 of two_tasks has no 'await sleep(2)' frame of 2000000 us")
else:
    errs.append("speedscope results missing")
print("\n".join(errs) or "ok")
sys.exit(1 if errs else 0)
EOF

# ---- 2. SVG ------------------------------------------------------------------------
for s in $SCEN; do
    b=$(basename "$s" .json)
    if "$BIN" export --svg "$TMP/$b.svg" "$s" 2>"$TMP/err"; then ok; else
        bad "$b: export --svg failed: $(cat "$TMP/err")"; continue; fi
    if have xmllint; then
        if xmllint --noout "$TMP/$b.svg" 2>"$TMP/err"; then ok; else bad "$b: xmllint: $(head -3 "$TMP/err")"; fi
    fi
    grep -q 'font-family="DejaVu Sans, sans-serif"' "$TMP/$b.svg" && ok || bad "$b: svg has no DejaVu font-family"
done
grep -q 'await sleep(2)' "$TMP/two_tasks.svg" && ok || bad "two_tasks.svg: no 'await sleep(2)' span"
grep -q 'url(#blocked)' "$TMP/blocking_call.svg" && ok || bad "blocking_call.svg: no blocked band"
size=$(wc -c <"$TMP/big.svg")
[ "$size" -lt 5000000 ] && ok || bad "big.svg is $size bytes (aggregation should keep it small)"
for b in two_tasks big; do
    [ -n "$CHROMIUM" ] || break
    rm -f "$TMP/$b.png"
    timeout 120 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=1400,900 --screenshot="$TMP/$b.png" "file://$TMP/$b.svg" >/dev/null 2>&1
    if [ -s "$TMP/$b.png" ]; then ok; else bad "$b: chromium made no screenshot"; continue; fi
    if have convert; then
        sd=$(convert "$TMP/$b.png" -colorspace Gray -format '%[fx:standard_deviation]' info: 2>/dev/null)
        if python3 -c "import sys; sys.exit(0 if float('${sd:-0}') > 0.02 else 1)"; then ok; else
            bad "$b: the rendered SVG looks blank (standard deviation ${sd:-?})"; fi
    fi
    [ -n "${EXPORT_KEEP:-}" ] && cp "$TMP/$b.png" "$EXPORT_KEEP/svg_$b.png"
done

# ---- 3. PNG and safe writing --------------------------------------------------------
S=scenarios/two_tasks.json
if "$BIN" export --png "$TMP/f.png" --step 20 --size 800x600 "$S" 2>"$TMP/err"; then ok; else
    bad "export --png failed: $(cat "$TMP/err")"; fi
if have identify; then
    dim=$(identify -format '%m %wx%h' "$TMP/f.png" 2>/dev/null)
    [ "$dim" = "PNG 800x600" ] && ok || bad "export --png: got '$dim', want 'PNG 800x600'"
fi
"$BIN" export --png "$TMP/g.png" "$S" 2>/dev/null && [ -s "$TMP/g.png" ] && ok || bad "export --png with default size"
"$BIN" export --png "$TMP/h.png" --size 10x10 "$S" 2>/dev/null
[ $? -eq 2 ] && [ ! -e "$TMP/h.png" ] && ok || bad "export --png --size 10x10 is refused (exit 2, no file)"
cp "$S" "$TMP/s.json"
for kind in png svg chrome-trace; do
    "$BIN" export --$kind "$TMP/s.json" "$TMP/s.json" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 2 ] && ok || bad "export --$kind over the scenario: exit $rc, want 2"
    cmp -s "$S" "$TMP/s.json" && ok || { bad "export --$kind damaged the scenario"; cp "$S" "$TMP/s.json"; }
    grep -q refusing "$TMP/err" && ok || bad "export --$kind over the scenario: no 'refusing' message"
    "$BIN" export --$kind "$TMP/no/such/dir/out.x" "$S" 2>"$TMP/err"
    rc=$?
    [ $rc -eq 2 ] && ok || bad "export --$kind into a missing folder: exit $rc, want 2"
    grep -q 'cannot write .*no/such/dir/out.x: No such file or directory' "$TMP/err" && ok ||
        bad "export --$kind into a missing folder: unclear message: $(cat "$TMP/err")"
    # a failed export keeps the old file: the scenario is invalid here
    echo old >"$TMP/old.out"
    "$BIN" export --$kind "$TMP/old.out" tests/bad/005-truncated.json 2>/dev/null
    [ $? -eq 2 ] && [ "$(cat "$TMP/old.out")" = old ] && ok || bad "export --$kind of a bad scenario touched the old file"
    # an existing file is replaced whole
    "$BIN" export --$kind "$TMP/old.out" "$S" 2>/dev/null && [ "$(cat "$TMP/old.out")" != old ] && ok ||
        bad "export --$kind did not replace an existing file"
done
left=$(find "$TMP" -name '*.tmp-*' | head -3)
[ -z "$left" ] && ok || bad "temporary files left behind: $left"

# ---- result --------------------------------------------------------------------------
echo "exports: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
