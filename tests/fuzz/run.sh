#!/bin/sh
# run.sh SECONDS   -- builds the libFuzzer target and fuzzes for SECONDS seconds
# run.sh regress   -- replays every file in tests/fuzz/regressions, and the
#                    seed files (no libFuzzer needed)
#
# The fuzzer (tests/fuzz/fuzz_scenario.c) loads the bytes as a scenario and,
# when it loads, runs, seeks and exports it under ASan+UBSan. Its seed corpus
# is scenarios/, tests/bad/, tests/runaway/ and tests/conformance/cases, copied
# into a work folder (build-fuzz/corpus) that grows between runs. Crashes,
# leaks and timeouts are written into tests/fuzz/regressions/, which the
# regress mode (part of `make test`) replays; run.sh exits 1 when the fuzzer
# found something. Uses clang (clang-14 if plain clang is missing).
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=${FUZZ_BUILD:-build-fuzz}
REG=tests/fuzz/regressions
CC=${FUZZ_CC:-$(command -v clang || command -v clang-14 || echo clang)}
SRCS="src/core/*.c src/scenario/*.c src/export/*.c"
INC="-Isrc/core -Isrc/scenario -Isrc/export"
mkdir -p "$OUT" "$REG"

if [ $# -ne 1 ]; then
    echo "usage: $0 SECONDS | regress" >&2
    exit 2
fi

if [ "$1" = regress ]; then
    # plain build under the sanitizers, replays each file once
    "$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=address,undefined \
        -fno-sanitize-recover=undefined -fno-omit-frame-pointer -DFUZZ_STANDALONE \
        $INC -o "$OUT/fuzz_regress" tests/fuzz/fuzz_scenario.c $SRCS -lcjson -lm || exit 1
    set -- "$REG"/*
    [ -e "$1" ] || set --
    # the seeds too: clang's UBSan sees what gcc's (make asan) does not, such
    # as arithmetic on a NULL pointer (value.c val__new_list_room, found by
    # the fuzzer on a conformance case as it was, before any mutation)
    ASAN_OPTIONS=detect_leaks=1 "$OUT/fuzz_regress" "$@" scenarios/*.json scenarios/lectures/*.json \
        tests/bad/*.json tests/runaway/*.json tests/conformance/cases/*.json || exit 1
    exit 0
fi

SECS=$1
"$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    $INC -o "$OUT/fuzz_scenario" tests/fuzz/fuzz_scenario.c $SRCS -lcjson -lm || exit 1

mkdir -p "$OUT/corpus" "$OUT/seeds"
cp scenarios/*.json scenarios/lectures/*.json tests/bad/*.json tests/runaway/*.json "$OUT/seeds/" 2>/dev/null
find tests/conformance/cases -name '*.json' -exec cp {} "$OUT/seeds/" \; 2>/dev/null
cp "$REG"/* "$OUT/seeds/" 2>/dev/null

# -rss_limit_mb: the loader refuses >1 MB strings, limits cap a run at 64 MB
# of state; -max_len: big enough for real scenarios; -timeout: a slow input is a bug
ASAN_OPTIONS=detect_leaks=1 "$OUT/fuzz_scenario" "$OUT/corpus" "$OUT/seeds" \
    -max_total_time="$SECS" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -dict=tests/fuzz/scenario.dict -artifact_prefix="$REG/" -print_final_stats=1 \
    2>&1 | tee "$OUT/last.log" | grep -E '^#[0-9]+.*(pulse|DONE|NEW)|ERROR|SUMMARY|stat::|Test unit written' | tail -n 40
rc=0
grep -q 'Test unit written' "$OUT/last.log" && rc=1
exit $rc
