#!/bin/sh
# tests/lecture/run.sh BIN -- lectures: the shipped ones check clean; every
# stage stop pauses exactly where its stage happens (and a task stop on a
# step of that task); handouts have one page per stop (PNG and PDF); the
# writers refuse to overwrite the lecture and leave nothing half-written;
# then the real window under Xvfb, driven with the clicker keys only
# (xvfb_lecture.sh). Prints one line per failure, then a summary.
set -u
BIN=${1:?usage: run.sh BIN}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

for L in scenarios/lectures/*.json; do
    if out=$("$BIN" check "$L" 2>&1) && [ "$out" = "$L: ok" ]; then ok; else bad "check $L: $out"; fi
    # where every stop falls, compared with what the lecture asks for
    if "$BIN" lecture --stops "$L" >"$TMP/stops" 2>"$TMP/err" &&
        python3 tests/lecture/check_stops.py "$L" "$TMP/stops" "$BIN"; then ok; else bad "stops of $L: $(cat "$TMP/err")"; fi
    # handouts: PNG pages and PDF pages, one per stop (+1 per revealed claim)
    want=$(python3 tests/lecture/check_stops.py --pages "$L" "$TMP/stops")
    rm -rf "$TMP/png"
    if "$BIN" lecture --png-dir "$TMP/png" --pdf "$TMP/h.pdf" --size 1280x800 "$L" 2>"$TMP/err"; then
        n=$(ls "$TMP/png" | grep -c '\.png$')
        [ "$n" = "$want" ] && ok || bad "$L: $n PNG pages, expected $want"
        size=$(python3 -c "import struct,sys;d=open(sys.argv[1],'rb').read(24);print('%dx%d'%struct.unpack('>II',d[16:24]))" "$(ls "$TMP"/png/*.png | head -1)")
        [ "$size" = "1280x800" ] && ok || bad "$L: PNG size $size, expected 1280x800"
        pages=$(python3 -c "import re,sys;print(len(re.findall(rb'/Type\s*/Page[^s]',open(sys.argv[1],'rb').read())))" "$TMP/h.pdf")
        [ "$pages" = "$want" ] && ok || bad "$L: $pages PDF pages, expected $want"
        head -c 5 "$TMP/h.pdf" | grep -q '%PDF-' && ok || bad "$L: not a PDF"
        ls "$TMP"/png | grep -q tmp && bad "$L: a temporary file was left" || ok
    else
        bad "lecture handouts of $L: $(cat "$TMP/err")"
    fi
done

# the writers: never over the lecture, never a half-written file
cp -r scenarios/lectures "$TMP/lec"
cp "$TMP/lec/cancellation-and-timeouts.json" "$TMP/before.json"
"$BIN" lecture --pdf "$TMP/lec/cancellation-and-timeouts.json" "$TMP/lec/cancellation-and-timeouts.json" 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && cmp -s "$TMP/before.json" "$TMP/lec/cancellation-and-timeouts.json" && grep -q "refusing" "$TMP/err"; then ok
else bad "--pdf over the lecture: exit $rc, $(cat "$TMP/err")"; fi
"$BIN" lecture --pdf "$TMP/no/such/dir/h.pdf" scenarios/lectures/cancellation-and-timeouts.json 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q "cannot write" "$TMP/err" && [ ! -e "$TMP/no" ]; then ok; else bad "--pdf into a missing folder: exit $rc, $(cat "$TMP/err")"; fi
echo "old" >"$TMP/keep.pdf"
"$BIN" lecture --pdf "$TMP/keep.pdf" tests/bad/101-lecture-missing-scenario.json 2>/dev/null
[ "$(cat "$TMP/keep.pdf")" = "old" ] && [ -z "$(ls "$TMP" | grep 'keep.pdf.tmp')" ] && ok || bad "a failed handout changed the old PDF"
"$BIN" lecture --stops scenarios/two_tasks.json >/dev/null 2>"$TMP/err"
[ $? = 2 ] && grep -q "not a lecture" "$TMP/err" && ok || bad "lecture on a scenario: $(cat "$TMP/err")"

# the real window, clicker keys only
if command -v xvfb-run >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
    mkdir -p build/lecture-shots
    if sh tests/lecture/xvfb_lecture.sh "$BIN" "$ROOT/build/lecture-shots"; then ok; else bad "lecture under Xvfb (see above)"; fi
else
    bad "the lecture window test needs xvfb-run and xdotool (make deps-test installs them)"
fi

echo "lecture tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
