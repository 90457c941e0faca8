#!/usr/bin/env bash
# Runs every test against each build directory given (e.g. build build-asan) and ends with one
# line "N passed, N failed". A test is a program build/tests/test_* or a script tests/test_*.sh,
# run for every build, or a script tests/once_*.sh (slow system tests), run for the first build
# only; it passes when it exits 0. Each gets BUILD, SRNN (the tool), GOLDEN (reference data) and
# PYTHON in its environment, and its output is shown only when it fails.
#
#   tests/run.sh [-k PATTERN]... [BUILD...]
#
# -k PATTERN runs only the tests whose file name contains PATTERN (test_lv2_sound,
# test_play_jack.sh, once_neon.sh); with several, a test runs when its name contains any of
# them; none matching is a failure. The golden data is then written only when it is missing or
# older than its generator.
set -u
cd "$(dirname "$0")/.."
patterns=() builds=()
while [ $# -gt 0 ]; do
    case $1 in
    -k) [ $# -ge 2 ] || { echo "run.sh: -k needs a pattern" >&2; exit 2; }
        patterns+=("$2"); shift 2 ;;
    -k*) patterns+=("${1#-k}"); shift ;;
    -*) echo "run.sh: unknown option $1 (usage: tests/run.sh [-k PATTERN]... [BUILD...])" >&2
        exit 2 ;;
    *) builds+=("$1"); shift ;;
    esac
done
[ ${#builds[@]} -gt 0 ] || builds=(build)
set -- "${builds[@]}"
PYTHON=${PYTHON:-/usr/bin/python3}
GOLDEN=${GOLDEN:-build/golden}
export PYTHON GOLDEN

passed=0 failed=0 failures=() matched=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

selected() { # file name: whether -k lets it run
    local p
    [ ${#patterns[@]} -eq 0 ] && return 0
    for p in "${patterns[@]}"; do
        case $1 in *"$p"*) matched=$((matched + 1)); return 0 ;; esac
    done
    return 1
}

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
stale=$(find tests/reference -name '*.py' -newer "$GOLDEN/cases.txt" 2>/dev/null | head -n 1)
if [ ${#patterns[@]} -eq 0 ] || [ ! -f "$GOLDEN/cases.txt" ] || [ -n "$stale" ]; then
    run_one "reference: golden models and logits" \
        "$PYTHON" tests/reference/make_golden.py "$GOLDEN"
fi

for build in "$@"; do
    export BUILD=$build SRNN=$build/srnn
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] && [ -f "$t" ] && selected "$(basename "$t")" || continue
        run_one "$build: $(basename "$t")" "$t"
    done
    for t in tests/test_*.sh; do
        [ -f "$t" ] && selected "$(basename "$t")" || continue
        run_one "$build: $(basename "$t")" bash "$t"
    done
    if [ "$build" = "$1" ]; then
        for t in tests/once_*.sh; do
            [ -f "$t" ] && selected "$(basename "$t")" || continue
            run_one "$build: $(basename "$t")" bash "$t"
        done
    fi
done

if [ ${#patterns[@]} -gt 0 ] && [ $matched -eq 0 ]; then
    failed=$((failed + 1)); failures+=("no test matches -k ${patterns[*]}")
fi
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
