#!/bin/sh
# tests/ui/run.sh BIN -- the desktop app's tests (called by `make uitest` / `make test`).
#
#  1. headless draw-list tests: tests/ui/test_ui.c built against the pure UI
#     files (no SDL), the real core and loader; asserts on what panels draw;
#  2. offscreen snapshots: `BIN shot` of several scenarios at several steps
#     and sizes: each succeeds, writes a PNG of the right size, and renders
#     the same bytes twice (deterministic); an invalid file renders the
#     error panel and exits 2;
#  3. a real window under Xvfb driven with xdotool: open, play, step back,
#     resize, open by prompt, drop a file (SDL drop event pushed by the
#     LOOPSCOPE_TEST_DROP hook), reload on change, refuse a broken save,
#     quit cleanly. Skipped, with a visible SKIP line, where Xvfb or xdotool
#     is missing.
#
# Prints a summary; exits non-zero when anything failed. The PNGs stay in
# $BUILD/ui-shots for people to look at.
set -u
BIN=${1:-build/loopscope}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=$(dirname "$BIN")
OUT="$BUILD/ui-shots"
rm -rf "$OUT"
mkdir -p "$OUT"
PASS=0
FAIL=0
SKIP=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
skip() { SKIP=$((SKIP + 1)); echo "SKIP: $*"; }

CC=${CC:-cc}
SC="tests/ui/scenarios"

# ---- 1. headless draw-list tests ------------------------------------------------
PURE=$(ls src/ui/*.c | grep -v -e '/app\.c$' -e '_sdl\.c$')
EXPORT_OBJ=$(ls "$BUILD"/src/export/*.o 2>/dev/null || true)
if $CC -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Wall -Wextra -Wno-unused-parameter \
    ${EXTRA_CFLAGS:-} -Isrc/core -Isrc/scenario -Isrc/export -Isrc/ui \
    -o "$BUILD/test_ui" tests/ui/test_ui.c $PURE "$BUILD"/src/scenario/*.o $EXPORT_OBJ \
    "$BUILD/libcore.a" ${EXTRA_LDFLAGS:-} -lcjson -lm; then
    if "$BUILD/test_ui"; then ok; else bad "draw-list tests (build/test_ui)"; fi
else
    bad "cannot build the draw-list tests"
fi

# ---- 2. offscreen snapshots -------------------------------------------------------
export SDL_VIDEODRIVER=dummy
unset DISPLAY WAYLAND_DISPLAY 2>/dev/null || true

png_size() { # prints WxH of a PNG from its IHDR
    od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}

shot() { # name file step size [expected-rc]
    name=$1 file=$2 step=$3 size=$4 want=${5:-0}
    png="$OUT/$name.png"
    "$BIN" shot "$file" --step "$step" --size "$size" -o "$png" 2>"$OUT/$name.err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        bad "shot $name: exit $rc (wanted $want): $(cat "$OUT/$name.err")"
        return 1
    fi
    if [ ! -s "$png" ]; then
        bad "shot $name: no PNG"
        return 1
    fi
    got=$(png_size "$png")
    if [ "$got" != "$size" ]; then
        bad "shot $name: PNG is $got, wanted $size"
        return 1
    fi
    ok
}

DEF=tests/ui/scenarios/default.json
for size in 1024x640 1280x800 1600x1000 3840x2160; do
    shot "default-s8-$size" "$DEF" 8 "$size"
    shot "default-s27-$size" "$DEF" 27 "$size"
    shot "default-end-$size" "$DEF" 999999 "$size"
    shot "fifty-s500-$size" "$SC/fifty.json" 500 "$size"
    shot "longnames-s30-$size" "$SC/longnames.json" 30 "$size"
    shot "deadlock-end-$size" "$SC/deadlock.json" 999999 "$size"
    shot "blocking-s60-$size" "$SC/blocking.json" 60 "$size"
    shot "mixed-s120-$size" "$SC/mixed.json" 120 "$size"
    shot "broken-$size" "$SC/broken.json" 0 "$size" 2
done
shot "default-s0-1280x800" "$DEF" 0 1280x800
shot "tiny-800x500" "$DEF" 20 800x500
shot "huge-step-1280x800" "$SC/mixed.json" 4294967295 1280x800
LOOPSCOPE_SHOT_WHY=27 shot "why-1600x1000" "$DEF" 28 1600x1000
LOOPSCOPE_SHOT_HELP=1 shot "help-1280x800" "$DEF" 10 1280x800
shot "missing-file" /nonexistent/nothing.json 0 1280x800 2
if "$BIN" shot "$DEF" --step 5 --size 1280x800 -o /nonexistent-dir/x.png 2>/dev/null; then
    bad "shot to an unwritable path should fail"
else ok; fi

# determinism: the same picture twice
for name in default-s27-1280x800 fifty-s500-1600x1000 deadlock-end-1024x640 blocking-s60-3840x2160; do
    set -- $(echo "$name" | sed 's/-\([0-9]*x[0-9]*\)$/ \1/')
    base=$1 size=$2
    case $base in
        default-s27) f=$DEF s=27 ;;
        fifty-s500) f=$SC/fifty.json s=500 ;;
        deadlock-end) f=$SC/deadlock.json s=999999 ;;
        blocking-s60) f=$SC/blocking.json s=60 ;;
    esac
    "$BIN" shot "$f" --step "$s" --size "$size" -o "$OUT/again.png" 2>/dev/null
    a=$(md5sum <"$OUT/$name.png" | cut -d' ' -f1)
    b=$(md5sum <"$OUT/again.png" | cut -d' ' -f1)
    if [ "$a" = "$b" ]; then ok; else bad "shot $name is not deterministic"; fi
done
rm -f "$OUT/again.png"

# no display: a clear message and exit status 2, never an SDL error dump
msg=$(env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$BIN" "$DEF" 2>&1)
rc=$?
case "$msg" in
    *"no display"*"loopscope shot"*) if [ $rc = 2 ]; then ok; else bad "no display: exit $rc, wanted 2"; fi ;;
    *) bad "no display: unexpected message: $msg" ;;
esac

# ---- 3. a real window under Xvfb ------------------------------------------------------
if ! command -v xvfb-run >/dev/null 2>&1 || ! command -v xdotool >/dev/null 2>&1; then
    skip "real-window smoke test: xvfb-run or xdotool is not installed"
else
    unset SDL_VIDEODRIVER
    if sh tests/ui/xvfb_smoke.sh "$BIN" "$OUT"; then ok; else bad "real-window smoke test under Xvfb (see above)"; fi
fi

echo "ui tests: $PASS passed, $FAIL failed, $SKIP skipped (pictures in $OUT)"
# a skipped check is not a pass: `make test` installs Xvfb and xdotool first
[ "$FAIL" = 0 ] && [ "$SKIP" = 0 ]
