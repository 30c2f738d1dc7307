#!/bin/sh
# tests/lecture/xvfb_lecture.sh BIN OUTDIR -- a lecture given with the clicker keys only.
#
# Runs itself inside xvfb-run, opens a copy of scenarios/lectures/ in lecture
# mode and presses only PageDown (the clicker's "next") until the window
# title says the last slide and the lecture has nothing more to show, then
# PageUp (the clicker's "back"); the title ("slide i/n") tells where the app
# is. Along the way: a digit answers a question, Ctrl+plus/minus change the
# presenter fonts, and hot reload keeps the current slide (the lecture file
# is edited, broken and fixed on disk). Screenshots go to OUTDIR.
set -u
BIN=$1
OUT=$2
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
case $OUT in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
if [ "${XVFB_INNER:-}" != 1 ]; then
    XVFB_INNER=1 exec xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" sh "$0" "$BIN" "$OUT"
fi
. "$(dirname "$0")/../lib/xwin.sh" # alive, title, wait_title, key, xwin_find
xwin_wait_server
fails=0
step() { echo "  lecture: $*"; }
die() { echo "FAIL: lecture: $*"; fails=$((fails + 1)); }
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/loopscope-lecture.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cp -r "$ROOT/scenarios/lectures" "$TMP/lec"
L="$TMP/lec/asyncio-basics.json"
N=$(python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))['slides']))" "$L")

"$BIN" "$L" 2>"$TMP/stderr" &
PID=$!
KEY_PAUSE=0.3
if ! xwin_find; then
    die "no window appeared; stderr: $(cat "$TMP/stderr")"
    kill "$PID" 2>/dev/null
    exit 1
fi
wait_title "slide 1/$N" 5 || die "the lecture did not open on slide 1: $(title)"
import -window root "$OUT/lecture-1-open.png" 2>/dev/null

step "Ctrl+plus, Ctrl+minus: presenter fonts"
key ctrl+plus ctrl+plus
import -window root "$OUT/lecture-2-bigger.png" 2>/dev/null
key ctrl+minus

step "PageDown only, to the end of the lecture"
presses=0
answered=0
while [ $presses -lt 200 ] && alive; do
    case "$(title)" in *"slide 4/$N - stop 2/3"*) if [ $answered = 0 ]; then key 2; answered=1; sleep 0.3
        import -window root "$OUT/lecture-3-answered.png" 2>/dev/null; fi ;; esac
    case "$(title)" in *"slide $N/$N"*) break ;; esac
    key Next
    presses=$((presses + 1))
    [ $((presses % 10)) = 0 ] && step "$presses presses: $(title)"
done
wait_title "slide $N/$N" 3 || die "PageDown did not reach the last slide after $presses presses: $(title)"
[ $answered = 1 ] || die "never paused at the question of slide 4 (stop 2/3)"
# the last slide: run it, reveal the claim; more presses change nothing
for k in 1 2 3 4 5 6; do key Next; done
sleep 2.5
import -window root "$OUT/lecture-4-claim.png" 2>/dev/null
wait_title "slide $N/$N" 1 || die "pressing on at the end left the last slide: $(title)"
step "reached slide $N/$N after $presses presses"

step "PageUp: back a slide"
key Prior
wait_title "slide $((N - 1))/$N" 3 || die "PageUp did not go back: $(title)"

step "hot reload keeps the slide"
sed -i 's/"title": "asyncio, step by step"/"title": "asyncio, step by step (edited)"/' "$L"
sleep 1.5
wait_title "(edited) - slide $((N - 1))/$N" 4 || die "reload did not keep slide $((N - 1)): $(title)"
cp "$L" "$TMP/good.json"
printf '{"title": "broken", "slides": [' >"$L"
sleep 1.5
sleep 1
wait_title "(edited) - slide $((N - 1))/$N" 2 || die "a broken lecture replaced the good one: $(title)"
import -window root "$OUT/lecture-5-refused.png" 2>/dev/null
cp "$TMP/good.json" "$L"
sed -i 's/(edited)/(fixed)/' "$L"
sleep 1.5
wait_title "(fixed) - slide $((N - 1))/$N" 4 || die "the fixed lecture did not reload: $(title)"

alive || die "the app died; stderr: $(cat "$TMP/stderr")"
key ctrl+q
i=0
while alive && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if alive; then
    die "Ctrl+Q did not quit"
    kill "$PID"
fi
wait "$PID" 2>/dev/null
rc=$?
[ $rc = 0 ] || die "exit status $rc; stderr: $(cat "$TMP/stderr")"
[ $fails = 0 ]
