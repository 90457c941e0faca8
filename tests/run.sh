#!/usr/bin/env bash
# Runs every test against each build directory given (e.g. build build-asan) and ends with one
# line "N passed, N failed". A test is a program build/tests/test_* or a script tests/test_*.sh,
# run for every build, or a script tests/once_*.sh (slow system tests), run for the first build
# only; it passes when it exits 0. Each gets BUILD, SRNN (the tool), GOLDEN (reference data) and
# PYTHON in its environment, and its output is shown only when it fails.
set -u
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- build
PYTHON=${PYTHON:-/usr/bin/python3}
GOLDEN=${GOLDEN:-build/golden}
export PYTHON GOLDEN

passed=0 failed=0 failures=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

run_one() { # name, command...
    local name=$1; shift
    local start=$SECONDS
    "$@" >"$log/out" 2>&1 </dev/null
    local rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); printf 'PASS %s (%ds)\n' "$name" $((SECONDS - start))
    else
        failed=$((failed + 1)); failures+=("$name")
        printf 'FAIL %s (exit %d)\n' "$name" $rc
        sed 's/^/    /' "$log/out" | tail -n 40
    fi
}

# The reference data every numeric test compares with, written by PyTorch (tests/reference).
run_one "reference: golden models and logits" \
    "$PYTHON" tests/reference/make_golden.py "$GOLDEN"

for build in "$@"; do
    export BUILD=$build SRNN=$build/srnn
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        run_one "$build: $(basename "$t")" "$t"
    done
    for t in tests/test_*.sh; do
        [ -f "$t" ] || continue
        run_one "$build: $(basename "$t")" bash "$t"
    done
    if [ "$build" = "$1" ]; then
        for t in tests/once_*.sh; do
            [ -f "$t" ] || continue
            run_one "$build: $(basename "$t")" bash "$t"
        done
    fi
done

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
