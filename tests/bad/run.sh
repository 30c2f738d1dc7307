#!/bin/sh
# run.sh BIN -- the bad-input corpus: every NNN-name.json here (and the large
# ones gen.py writes) must make `BIN check NNN-name.json` exit with status 2
# and print exactly NNN-name.expected on stderr.
#
# The check runs inside the folder that holds the file, with the bare file
# name, so the expected output does not depend on where the repo lives.
# Prints one line per failure, then "N passed, N failed"; exits 1 on failure.
#
# To add a case: write NNN-name.json, run `BIN check NNN-name.json
# 2>NNN-name.expected` in this folder, and read every line of it.

if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
case "$1" in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
if [ ! -x "$BIN" ]; then
    echo "FAIL: $BIN is not an executable program"
    echo "0 passed, 1 failed"
    exit 1
fi
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

pass=0
fail=0
failed() {
    echo "FAIL $1: $2"
    fail=$((fail + 1))
}

if ! python3 "$HERE/gen.py" "$TMP/gen"; then
    failed gen.py "could not generate the large cases (is python3 installed?)"
fi

for exp in "$HERE"/*.expected; do
    name=$(basename "$exp" .expected)
    if [ -f "$HERE/$name.json" ]; then
        dir=$HERE
    elif [ -f "$TMP/gen/$name.json" ]; then
        dir=$TMP/gen
    else
        failed "$name" "no $name.json (neither in tests/bad nor written by gen.py)"
        continue
    fi
    (cd "$dir" && "$BIN" check "$name.json" >"$TMP/out" 2>"$TMP/err")
    rc=$?
    if [ "$rc" -ne 2 ]; then
        failed "$name" "exit status $rc, expected 2"
    elif ! cmp -s "$exp" "$TMP/err"; then
        first=$(diff "$exp" "$TMP/err" | grep '^[<>]' | head -n 1 | cut -c 1-200)
        failed "$name" "stderr differs from $name.expected; first difference: $first"
    else
        pass=$((pass + 1))
    fi
done

for json in "$HERE"/*.json; do
    name=$(basename "$json" .json)
    [ -f "$HERE/$name.expected" ] || failed "$name" "no $name.expected"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
