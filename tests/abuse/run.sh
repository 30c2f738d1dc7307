#!/bin/sh
# run.sh BIN -- the app under abuse.
#
#  1. seek_test (built here under ASan+UBSan): 10,000 random seeks per
#     scenario, including step-backs past the start, each equal to a fresh
#     run to the same step, and stepping forward after a seek equal too;
#  2. app_abuse.sh under Xvfb (a failure when Xvfb/xdotool are missing:
#     `make test` installs them): tiny and huge window sizes, dropped binary, empty and
#     non-JSON files, key mashing, thousands of timeline clicks (seeks) and
#     step-backs past the start; the app must stay up, keep the last good
#     scenario and quit cleanly.
set -u
BIN=${1:?usage: run.sh BIN}
cd "$(dirname "$0")/../.."
mkdir -p build
fail=0
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -Isrc/core -Isrc/scenario -o build/seek_test tests/abuse/seek_test.c src/core/*.c src/scenario/*.c \
    -lcjson -lm || exit 1
build/seek_test scenarios/*.json tests/abuse/big_state.json tests/runaway/recursion.json tests/runaway/self_recreate.json \
    tests/runaway/sleep_forever.json || fail=1
if command -v xvfb-run >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
    sh tests/abuse/app_abuse.sh "$BIN" || fail=1
else
    echo "FAIL: app abuse needs xvfb-run and xdotool (make deps-test installs them)"
    fail=1
fi
[ "$fail" -eq 0 ] && echo "abuse: all passed"
exit "$fail"
