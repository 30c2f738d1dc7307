#!/bin/sh
# run.sh BIN -- the normal (unsanitized) binary under valgrind memcheck:
# a headless app render (`shot`), `run --stages` of every scenario, both
# exports, and `check` of the small bad-input files. Any memcheck error or
# definitely/indirectly lost block fails (exit status 99 from valgrind).
# Fails when valgrind is not installed (`make test` installs it).
if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
BIN=$1
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null 2>&1; then
    echo "FAIL: valgrind not installed (make deps-test installs it)"
    exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
pass=0
fail=0
vg() {
    $VG "$@" >/dev/null 2>"$TMP/err"
    if [ $? -eq 99 ]; then
        echo "FAIL valgrind: $*"
        grep '^==' "$TMP/err" | head -n 20
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}
vg "$BIN" shot scenarios/two_tasks.json --step 20 -o "$TMP/x.png"
vg "$BIN" shot tests/bad/028-wrong-types.json -o "$TMP/y.png"
for f in scenarios/*.json; do
    vg "$BIN" run --stages "$f"
done
vg "$BIN" export --python "$TMP/o.py" scenarios/producer_consumer.json
vg "$BIN" export --text "$TMP/o.txt" scenarios/taskgroup_failure.json
vg "$BIN" run --max-memory 5000000 tests/runaway/growing_queue.json
vg "$BIN" check tests/bad/*.json
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
