#!/bin/sh
# tests/ui/xvfb_smoke.sh BIN OUTDIR -- the real window, driven under Xvfb.
#
# Runs itself again inside `xvfb-run`, then drives loopscope with xdotool:
# open a file, play, step back, change iteration, resize small and large,
# zoom and click the timeline, open another file through the O prompt, drop
# a file (SIGUSR1 + LOOPSCOPE_TEST_DROP make the app push an SDL drop
# event), reload when the file changes on disk, keep the last good version
# when a broken file is saved, reload when it is fixed, show the help, and
# quit with Ctrl+Q. The window title tells which scenario is on screen.
# Screenshots (import -window root) go to OUTDIR/xvfb-*.png.
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
step() { echo "  xvfb: $*"; }
die() { echo "FAIL: xvfb: $*"; fails=$((fails + 1)); }
TMP=$(mktemp -d /tmp/loopscope-xvfb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cp "$ROOT/tests/ui/scenarios/default.json" "$TMP/s.json"
cp "$ROOT/tests/ui/scenarios/mixed.json" "$TMP/other.json"
cp "$ROOT/tests/ui/scenarios/blocking.json" "$TMP/drop.json"

mkdir -p "$TMP/cwd"
cd "$TMP/cwd" # X exports into the current folder
LOOPSCOPE_TEST_DROP="$TMP/drop.json" "$BIN" "$TMP/s.json" 2>"$TMP/stderr" &
PID=$!
if ! xwin_find; then
    die "no window appeared; stderr: $(cat "$TMP/stderr")"
    kill "$PID" 2>/dev/null
    exit 1
fi
step "window $WID: $(title)"
wait_title "create_task only schedules" 5 || die "title of the default scenario: $(title)"

step "play, step back, iterations"
key space
sleep 1.2
key space
key Left Left Left
key Right
key Down Down Up
key 3 shift+6 n p
key End Home
import -window root "$OUT/xvfb-1-stepped.png" 2>/dev/null
alive || die "died while stepping"

step "resize small and large"
xdotool windowsize "$WID" 1024 640
sleep 0.6
import -window root "$OUT/xvfb-2-small.png" 2>/dev/null
xdotool windowsize "$WID" 700 420
sleep 0.4
xdotool windowsize "$WID" 1600 1000
sleep 0.6
alive || die "died on resize"

step "mouse: hover, zoom and click the timeline, click the queue"
xdotool mousemove --window "$WID" 500 800 sleep 0.2 click 4 click 4 click 5 sleep 0.2
xdotool mousemove --window "$WID" 600 820 click 1 sleep 0.3
xdotool mousemove --window "$WID" 400 800 mousedown 1 mousemove --window "$WID" 700 790 mouseup 1 sleep 0.3
xdotool mousemove --window "$WID" 700 150 click 1 sleep 0.3
xdotool mousemove --window "$WID" 1200 400 click 1 sleep 0.3
key f y
import -window root "$OUT/xvfb-3-mouse.png" 2>/dev/null
key Escape
alive || die "died on mouse input"

step "open another file with the O prompt"
key o
key ctrl+u
xdotool type --delay 25 "$TMP/other.json"
sleep 0.3
key Return
wait_title "Everything a task can wait for" 5 || die "the O prompt did not open other.json: $(title)"

step "drop a file (SDL drop event)"
kill -USR1 "$PID"
wait_title "A blocking call freezes every task" 5 || die "the dropped file was not opened: $(title)"
key space
sleep 0.5

step "automatic reload when the file changes"
sleep 1.1
sed 's/A blocking call freezes every task/Edited on disk/' "$TMP/drop.json" >"$TMP/drop.tmp" && mv "$TMP/drop.tmp" "$TMP/drop.json"
wait_title "Edited on disk" 5 || die "no automatic reload: $(title)"

step "a broken save keeps the last good version"
sleep 1.1
printf '{"coroutines": {"main": [{"slep": 1}]}}\n' >"$TMP/drop.json"
sleep 1.5
case "$(title)" in *"Edited on disk"*) ;; *) die "the last good version was not kept: $(title)" ;; esac
import -window root "$OUT/xvfb-4-refused.png" 2>/dev/null
key e
import -window root "$OUT/xvfb-5-refused-errors.png" 2>/dev/null
key Escape
alive || die "died on a broken file"
sleep 1.1
sed 's/A blocking call freezes every task/Fixed again/' "$TMP/other.json" >"$TMP/drop.json"
wait_title "Everything a task can wait for" 5 || die "no reload after the fix: $(title)"

step "X exports the trace, the SVG and a PNG of the frame"
key Home Right Right Right
key x
i=0 # the three files appear together (each is written aside and renamed)
while [ "$(ls "$TMP/cwd" | grep -c -E -- '-step[0-9]+\.(trace\.json|svg|png)$')" -lt 3 ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
n=$(ls "$TMP/cwd" | grep -c -E -- '-step[0-9]+\.(trace\.json|svg|png)$')
[ "$n" = 3 ] || die "X wrote $n of 3 files: $(ls "$TMP/cwd")"
for f in "$TMP"/cwd/*-step*.trace.json; do
    python3 -m json.tool "$f" >/dev/null 2>&1 || die "X: $f is not JSON"
done

step "help, then quit with Ctrl+Q"
key question
import -window root "$OUT/xvfb-6-help.png" 2>/dev/null
key Escape
key ctrl+q
i=0
while alive && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if alive; then
    die "Ctrl+Q did not quit"
    kill "$PID"
fi
wait "$PID"
rc=$?
[ "$rc" = 0 ] || die "exit status $rc; stderr: $(cat "$TMP/stderr")"
if [ $fails = 0 ]; then
    echo "  xvfb: all steps passed"
    exit 0
fi
exit 1
