#!/bin/sh
# tests/ui/screenshots.sh BIN OUTDIR -- the README's pictures, made by `loopscope shot`.
#
# Renders the app offscreen (software renderer, no display needed) on the
# built-in default scenario and on the UI test scenarios. Extras for
# documentation pictures, read by `shot` only:
#   LOOPSCOPE_SHOT_WHY=N      select step N for "Why is this here?"
#   LOOPSCOPE_SHOT_HELP=1     show the help overlay
#   LOOPSCOPE_SHOT_MOUSE=x,y  the pointer rests at x,y (hover and tooltip)
set -eu
BIN=${1:-build/loopscope}
OUT=${2:-build/screenshots}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SC="$ROOT/tests/ui/scenarios"
mkdir -p "$OUT"
export SDL_VIDEODRIVER=dummy
"$BIN" shot "$SC/default.json" --step 12 --size 1600x1000 -o "$OUT/overview.png"
"$BIN" shot "$SC/default.json" --step 8 --size 1600x1000 -o "$OUT/create-task-only-schedules.png"
LOOPSCOPE_SHOT_WHY=27 "$BIN" shot "$SC/default.json" --step 28 --size 1600x1000 -o "$OUT/why.png"
"$BIN" shot "$SC/blocking.json" --step 60 --size 1600x1000 -o "$OUT/blocking.png"
"$BIN" shot "$SC/deadlock.json" --step 999999 --size 1600x1000 -o "$OUT/deadlock.png"
LOOPSCOPE_SHOT_MOUSE=760,180 "$BIN" shot "$SC/fifty.json" --step 499 --size 1600x1000 -o "$OUT/fifty-tasks.png"
"$BIN" shot "$SC/broken.json" --size 1280x800 -o "$OUT/errors.png" 2>/dev/null || true
LOOPSCOPE_SHOT_HELP=1 "$BIN" shot "$SC/default.json" --step 5 --size 1280x800 -o "$OUT/help.png"
echo "screenshots in $OUT"
