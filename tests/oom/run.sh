#!/bin/sh
# run.sh [SCENARIO...] -- allocation-failure test (see oom_test.c): builds the
# core, loader and exporters with -DLOOPSCOPE_FAILALLOC under ASan+UBSan and
# fails every allocation of load + run + export in turn. Default: every
# scenarios/*.json and the lectures. Then the unit tests in the same build,
# which adds their out-of-memory cases (test_scenario_out_of_memory: every
# allocation of the loader fails in turn on valid and invalid files).
# Exits 1 on any problem or leak.
set -u
cd "$(dirname "$0")/../.."
OUT=${OOM_BUILD:-build-oom}
CC=${OOM_CC:-cc}
mkdir -p "$OUT"
"$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -DLOOPSCOPE_FAILALLOC \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -Isrc/core -Isrc/scenario -Isrc/export -o "$OUT/oom_test" tests/oom/oom_test.c tests/lib/failalloc.c \
    src/core/*.c src/scenario/*.c src/export/*.c -lcjson -lm || exit 1
"$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -DLOOPSCOPE_FAILALLOC \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -Isrc/core -Isrc/scenario -Isrc/export -o "$OUT/test_unit" tests/unit/*.c tests/lib/failalloc.c \
    src/core/*.c src/scenario/*.c src/export/*.c -lcjson -lm || exit 1
[ $# -gt 0 ] || set -- scenarios/*.json scenarios/lectures/*.json
ASAN_OPTIONS=detect_leaks=1 "$OUT/oom_test" "$@" || exit 1
ASAN_OPTIONS=detect_leaks=1 "$OUT/test_unit"
