#!/bin/sh
# run.sh BIN -- the command line's contract: exit statuses, what goes to
# stdout and what to stderr, --timestamps' format, safe exports, verify.
#
# What a scenario prints is checked against CPython by tests/conformance;
# here only the promises of the CLI itself are checked. Prints one line per
# check that fails, then "N passed, N failed"; exits 1 on any failure.

if [ $# -ne 1 ]; then
    echo "usage: $0 BIN" >&2
    exit 2
fi
case "$1" in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
REPO=$(cd "$(dirname "$0")/../.." && pwd)
S=$REPO/scenarios
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_status WANT NAME CMD... : runs CMD (stdout -> $TMP/out, stderr -> $TMP/err)
expect_status() {
    want=$1; name=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$name: exit status $got, expected $want"; fi
}
# expect_grep FILE PATTERN NAME
expect_grep() {
    if grep -q -- "$2" "$1"; then ok; else bad "$3: no line matching '$2' in $(basename "$1'"):"; sed 's/^/    /' "$1" | head -5; fi
}
expect_empty() {
    if [ ! -s "$1" ]; then ok; else bad "$2: expected nothing, got:"; sed 's/^/    /' "$1" | head -5; fi
}

# 0: a normal run; stdout has only the prints, stderr nothing
expect_status 0 "run two_tasks" "$BIN" run "$S/two_tasks.json"
expect_empty "$TMP/err" "run two_tasks stderr"
expect_grep "$TMP/out" '^Main: All tasks started!$' "run two_tasks stdout"
# --timestamps: "[%7.3f] " exactly
expect_status 0 "run --timestamps" "$BIN" run --timestamps "$S/two_tasks.json"
expect_grep "$TMP/out" '^\[  2\.000\] A: Finished after 2s$' "--timestamps format"
# --stages: every step carries a stage 1-7 and the printed lines are there
expect_status 0 "run --stages" "$BIN" run --stages "$S/two_tasks.json"
expect_grep "$TMP/out" ' 4 Register the awaited operation ' "--stages stage 4"
# a task that fails while the shutdown cancels it is logged by the shutdown,
# not as "never retrieved" later (the step text once said so)
expect_status 0 "run --stages shutdown_failures" "$BIN" run --stages "$REPO/tests/conformance/logs/shutdown_failures.json"
expect_grep "$TMP/out" 'Task-2 raises: task failed (the task keeps the exception' "shutdown failure's step text"
expect_grep "$TMP/out" '! unhandled exception during asyncio.run() shutdown' "--stages marks a log with !"
expect_grep "$TMP/out" ' 6 Resume completed tasks ' "--stages stage 6"
# a task created during asyncio.run's shutdown is left pending (CPython destroys
# it at exit: make diff --known checks that its stderr says so); the last step
# says so, and a run that leaves nothing pending does not
expect_status 0 "run --stages task_created_during_shutdown" "$BIN" run --stages "$REPO/tests/diff/found/task_created_during_shutdown.json"
expect_grep "$TMP/out" 'the run is over (asyncio.run returned); Task-3 is still pending: created during asyncio.run.s shutdown' "a task left pending at the end"
expect_grep "$TMP/out" 'logging "Task was destroyed but it is pending!"' "a task left pending at the end: CPython's log"
# and tasks a RecursionError left pending (cancelling a long chain) are named
# with what CPython's collector may do
expect_status 1 "run --stages cancel_chain_depth" "$BIN" run --stages "$REPO/tests/conformance/cases/cancel_chain_depth.json"
expect_grep "$TMP/out" 'the run is over (main raised); [0-9]* tasks (Task-[0-9]* first) are still pending: the RecursionError cut' "tasks a RecursionError left pending"
expect_status 0 "run --stages forgotten_task" "$BIN" run --stages "$S/forgotten_task.json"
if grep -q "still pending" "$TMP/out"; then bad "forgotten_task: a pending task named at the end"; else ok; fi
# 1: main raised: one line "ExcType: message" as the last line of stderr
expect_status 1 "uncaught exception" "$BIN" run "$S/uncaught_error.json"
if [ "$(tail -n 1 "$TMP/err")" = "KeyError: 'user42'" ]; then ok; else bad "uncaught: last stderr line is '$(tail -n 1 "$TMP/err")'"; fi
# 2: invalid input, file:line:col on stderr, nothing on stdout
printf '{"coroutines": {"main": [{"sleep": "two"}]}}\n' >"$TMP/bad.json"
expect_status 2 "invalid scenario" "$BIN" run "$TMP/bad.json"
expect_grep "$TMP/err" 'bad.json:1:36: error: \$.coroutines.main\[0\].sleep: expected a number of seconds >= 0, got "two"' "invalid scenario message"
expect_empty "$TMP/out" "invalid scenario stdout"
expect_status 2 "missing file" "$BIN" run "$TMP/nope.json"
expect_grep "$TMP/err" 'nope.json' "missing file names the file"
expect_status 2 "unknown command" "$BIN" frobnicate
# 3: deadlock, the waiting set named on stderr
expect_status 3 "deadlock" "$BIN" run "$S/deadlock.json"
expect_grep "$TMP/err" 'ping waits for Event pong_ready, which only pong could set' "deadlock names the cycle"
# 4: runaway recursion stopped by a limit, said on stderr
printf '{"coroutines": {"f": [{"call": "f"}], "main": [{"call": "f"}]}}\n' >"$TMP/rec.json"
expect_status 4 "runaway recursion" "$BIN" run "$TMP/rec.json"
expect_grep "$TMP/err" 'limit' "recursion limit message"
expect_status 4 "step limit" "$BIN" run --max-steps 10 "$S/two_tasks.json"
expect_grep "$TMP/err" 'max-steps' "step limit message"
# check: all files, errors of all of them
expect_status 2 "check reports every file" "$BIN" check "$S/two_tasks.json" "$TMP/bad.json"
expect_grep "$TMP/out" 'two_tasks.json: ok' "check ok line"
# export: never overwrite the scenario; a failed export leaves the old file
cp "$S/two_tasks.json" "$TMP/s.json"
expect_status 2 "export over the scenario" "$BIN" export --python "$TMP/s.json" "$TMP/s.json"
if cmp -s "$S/two_tasks.json" "$TMP/s.json"; then ok; else bad "export damaged the scenario"; fi
expect_grep "$TMP/err" 'refusing' "export over the scenario message"
expect_status 2 "export into a missing folder" "$BIN" export --python "$TMP/no/dir/x.py" "$S/two_tasks.json"
expect_status 0 "export --python" "$BIN" export --python "$TMP/x.py" "$S/two_tasks.json"
expect_grep "$TMP/x.py" 'asyncio.run(main())' "export --python content"
if ls "$TMP" | grep -q 'tmp-'; then bad "a temporary file was left behind"; else ok; fi
# verify: without python3 it says so, exit 2
expect_status 2 "verify without python3" env PATH=/nonexistent "$BIN" verify "$S/two_tasks.json"
expect_grep "$TMP/err" 'python3 was not found' "verify without python3 message"
if command -v python3 >/dev/null 2>&1; then
    expect_status 0 "verify" "$BIN" verify "$S/two_tasks.json"
    expect_grep "$TMP/out" '^matches CPython 3\.' "verify message"
    # the known difference of a task left pending by the shutdown: CPython
    # prints its finally's line last and says the task was destroyed; verify
    # says what that is
    expect_status 5 "verify task_created_during_shutdown" "$BIN" verify "$REPO/tests/diff/found/task_created_during_shutdown.json"
    expect_grep "$TMP/out" 'CPython:   \[  0\.000\] late: finally' "verify: CPython's finally line comes last"
    expect_grep "$TMP/err" 'Task was destroyed but it is pending!' "verify: CPython destroys the task"
    expect_grep "$TMP/err" '^loopscope verify: note: Task-3 is still pending' "verify names the known difference"
    expect_status 0 "verify forgotten_task" "$BIN" verify "$S/forgotten_task.json"
    if grep -q "note:" "$TMP/err"; then bad "verify forgotten_task: a note"; else ok; fi
else
    bad "python3 is missing: verify cannot be tested"
fi

# The drawing commands live in a module beside the executable
# (loopscope-app.so, src/appmod.c); the others must not need it, and without
# it a drawing command says where it looked, exit 2.
mkdir "$TMP/nomod" && cp "$BIN" "$TMP/nomod/loopscope"
expect_status 0 "run without the app module" "$TMP/nomod/loopscope" run "$S/two_tasks.json"
expect_grep "$TMP/out" '^Main: All tasks started!$' "run without the app module stdout"
expect_status 0 "export --svg without the app module" "$TMP/nomod/loopscope" export --svg "$TMP/nomod.svg" "$S/two_tasks.json"
expect_status 2 "shot without the app module" "$TMP/nomod/loopscope" shot "$S/two_tasks.json" -o "$TMP/nomod.png"
expect_grep "$TMP/err" "the app module $TMP/nomod/loopscope-app.so was not found" "shot without the app module message"
if [ -e "$TMP/nomod.png" ]; then bad "shot without the app module wrote a file"; else ok; fi
printf 'not an ELF file\n' >"$TMP/nomod/loopscope-app.so"
expect_status 2 "open with a broken app module" env DISPLAY= "$TMP/nomod/loopscope" "$S/two_tasks.json"
expect_grep "$TMP/err" "cannot load the app module $TMP/nomod/loopscope-app.so: " "broken app module message"
# and `run` maps no SDL library (it starts fast: bench/results.md, start-up)
if command -v ldd >/dev/null 2>&1; then
    if ldd "$BIN" | grep -q -i -e sdl -e cairo; then bad "the executable links SDL or cairo"; else ok; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
