#!/bin/sh
# app_abuse.sh BIN -- the real window under Xvfb, abused with xdotool.
#
# Re-runs itself inside xvfb-run, opens a scenario and then: resizes the
# window to tiny and huge sizes; drops (SIGUSR1 + LOOPSCOPE_TEST_DROP, as in
# tests/ui/xvfb_smoke.sh) a binary file, an empty file, a non-JSON text, a
# JSON array, a 10,000-deep nesting, a missing file and a folder (each one
# shows its errors: the title is plain "loopscope"); mashes 2,000 random
# keys; clicks the timeline 1,000 times at spread-out places (each click is
# a seek; the 10,000 random seeks with checked states are seek_test's); steps back 300
# times past the start; finally drops a valid scenario (it must open) and
# quits with Ctrl+Q (exit status 0). The app must never die.
set -u
BIN=$1
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
if [ "${XVFB_INNER:-}" != 1 ]; then
    XVFB_INNER=1 exec xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" sh "$0" "$BIN"
fi
. "$(dirname "$0")/../lib/xwin.sh" # alive, title, wait_title, key, xwin_find
xwin_wait_server
fails=0
die() { echo "FAIL: abuse: $*"; fails=$((fails + 1)); }
TMP=$(mktemp -d /tmp/loopscope-abuse.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cp "$ROOT/scenarios/two_tasks.json" "$TMP/s.json"
cp "$ROOT/scenarios/producer_consumer.json" "$TMP/good.json"

LOOPSCOPE_TEST_DROP="$TMP/drop.json" "$BIN" "$TMP/s.json" 2>"$TMP/stderr" &
PID=$!
if ! xwin_find; then
    die "no window appeared; stderr: $(cat "$TMP/stderr")"
    kill "$PID" 2>/dev/null
    exit 1
fi
sleep 0.5
first=$(title)
echo "  abuse: window $WID: $first"

echo "  abuse: tiny and huge sizes"
for sz in "1 1" "40 30" "200 120" "5000 4000" "1600 1000" "1 900" "1600 1" "800 500"; do
    xdotool windowsize "$WID" $sz
    sleep 0.3
    alive || { die "died at window size $sz"; break; }
done

echo "  abuse: dropped binary, empty and non-JSON files"
drop() { # $1: what
    kill -USR1 "$PID" 2>/dev/null
    sleep 0.8
    alive || die "died on a dropped $1"
    # an opened (not reloaded) file that is broken shows its errors: the
    # title falls back to plain "loopscope", never to a half-loaded scenario
    case "$(title)" in "loopscope"|"$first") ;; *) die "after a dropped $1: title $(title)" ;; esac
}
head -c 65536 /dev/urandom >"$TMP/drop.json"; drop "binary file"
: >"$TMP/drop.json"; drop "empty file"
printf 'Hello, this is not JSON at all.\n\000\001\002' >"$TMP/drop.json"; drop "text file"
printf '[1, 2, 3]\n' >"$TMP/drop.json"; drop "JSON array"
python3 -c 'import sys; sys.stdout.write("{\"coroutines\": " + "[" * 10000 + "]" * 10000 + "}")' >"$TMP/drop.json"
drop "10,000-deep nesting"
rm -f "$TMP/drop.json"; drop "missing file"
mkdir "$TMP/drop.json"; drop "folder"
rmdir "$TMP/drop.json"

echo "  abuse: 2,000 random keys"
keys="space Left Right Up Down Home End 1 2 3 4 5 6 7 shift+1 shift+3 n p f y t e r question Escape plus minus Page_Up Page_Down Tab a z x"
cmd=""
n=0
while [ $n -lt 2000 ]; do
    for k in $keys; do
        cmd="$cmd key --delay 1 $k"
        n=$((n + 1))
    done
done
# shellcheck disable=SC2086
xdotool $cmd 2>/dev/null
xdotool key Escape Escape
sleep 0.5
alive || die "died while mashing keys"

echo "  abuse: 1,000 timeline clicks (seeks)"
xdotool windowsize "$WID" 1600 1000
sleep 0.5
cmd=""
for j in $(seq 1 1000); do
    x=$(( (j * 7919) % 1100 + 20 ))
    y=$(( (j * 104729) % 220 + 740 ))
    cmd="$cmd mousemove --window $WID $x $y click 1"
done
# shellcheck disable=SC2086
xdotool $cmd 2>/dev/null
sleep 0.5
alive || die "died while seeking"

echo "  abuse: 300 step-backs past the start"
xdotool key Home
cmd=""
for j in $(seq 1 300); do cmd="$cmd key --delay 1 Left"; done
# shellcheck disable=SC2086
xdotool $cmd
xdotool key Right Right End Left
sleep 0.5
alive || die "died stepping back past the start"

echo "  abuse: a good file still opens"
cp "$TMP/good.json" "$TMP/drop.json"
kill -USR1 "$PID" 2>/dev/null
i=0
while [ $i -lt 50 ]; do
    case "$(title)" in *"Producer/consumer"*) break ;; esac
    sleep 0.1
    i=$((i + 1))
done
case "$(title)" in *"Producer/consumer"*) ;; *) die "the good file did not open after the abuse: $(title)" ;; esac

xdotool key --clearmodifiers ctrl+q
i=0
while alive && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if alive; then
    die "Ctrl+Q did not quit"
    kill "$PID"
fi
wait "$PID"
rc=$?
[ "$rc" = 0 ] || die "exit status $rc; stderr: $(head -c 500 "$TMP/stderr")"
[ $fails = 0 ] && echo "  abuse: app stayed up through all of it"
[ $fails = 0 ]
