#!/bin/sh
# run.sh BIN -- runaway scenarios: each one here must be stopped by a safety
# limit (exit status 4) within seconds, with one stderr line that names the
# limit and the flag that raises it; and the recording up to the limit must
# stay viewable: `BIN shot FILE --step N` renders a PNG of it.
#
#   self_recreate.json  a coroutine that schedules itself again  --max-tasks
#   repeat_1e12.json    10^12 iterations of sleep(0)              --max-steps (default) / --max-memory (given)
#   growing_queue.json  an unbounded Queue that only grows        --max-steps (default) / --max-memory (given)
# (A step is recorded in about 20 bytes, all in all, so with the default
# limits the 50,000,000 steps come before the 2 GiB.)
#   recursion.json      a coroutine that awaits itself            --max-depth
#   sleep_forever.json  sleep(1000) for ever                      --max-time
#   cancel_cycle_group.json  a TaskGroup's abort cancels a task in a cycle of
#                       tasks awaiting each other (no flag: CPython recurses
#                       until RecursionError there, which loopscope does not raise)
#   cancel_chain_group.json  the same down a chain of 300,000 tasks awaiting
#                       each other (it used to crash: C recursion 300,000 deep)
#
# Prints one line per failure, then "N passed, N failed"; exits 1 on failure.
if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
case "$1" in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

# expect FILE FLAG WORDS [ARGS...]: exit 4, stderr mentions WORDS and FLAG, under 60 s
expect() {
    file=$1 flag=$2 words=$3
    shift 3
    timeout 60 "$BIN" run "$@" "$HERE/$file" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" -ne 4 ]; then
        echo "FAIL $file $*: exit status $rc, expected 4 ($(head -c 200 "$TMP/err"))"
        fail=$((fail + 1))
    elif ! grep -q -- "$flag" "$TMP/err" || ! grep -q -- "$words" "$TMP/err"; then
        echo "FAIL $file $*: stderr does not name '$words' and '$flag': $(head -c 200 "$TMP/err")"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

expect self_recreate.json --max-tasks "task limit"
expect repeat_1e12.json --max-steps "step limit"
expect repeat_1e12.json --max-steps "step limit" --max-steps 100000
expect repeat_1e12.json --max-memory "memory limit" --max-memory 20000000
expect growing_queue.json --max-steps "step limit"
expect growing_queue.json --max-memory "memory limit" --max-memory 10000000
expect recursion.json --max-depth "call-depth limit"
expect sleep_forever.json --max-time "virtual-time limit"
expect sleep_forever.json --max-time "virtual-time limit" --max-time 5000
expect self_recreate.json --max-tasks "task limit" --max-tasks 50
expect cancel_cycle_group.json "RecursionError" "a cancel went round a cycle of tasks awaiting each other"
expect cancel_chain_group.json "RecursionError" "or down a chain of about 1,000"

# the recording up to the limit stays viewable: a screenshot mid-way and at the end
for f in self_recreate recursion sleep_forever repeat_1e12 cancel_cycle_group cancel_chain_group; do
    for step in 5 1000000000; do
        rm -f "$TMP/x.png"
        if timeout 120 "$BIN" shot "$HERE/$f.json" --step "$step" --size 800x500 -o "$TMP/x.png" \
                >"$TMP/out" 2>"$TMP/err" && [ -s "$TMP/x.png" ]; then
            pass=$((pass + 1))
        else
            echo "FAIL shot $f.json --step $step: $(head -c 200 "$TMP/err")"
            fail=$((fail + 1))
        fi
    done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
