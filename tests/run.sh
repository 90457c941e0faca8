#!/usr/bin/env bash
# Runs every test against each build directory given (e.g. build build-asan) and ends with one
# line "N passed, N failed". A test is a program build/tests/test_* or a script tests/test_*.sh,
# run for every build, or a script tests/once_*.sh (slow system tests), run for the first build
# only; it passes when it exits 0. Each gets BUILD, SRNN (the tool), GOLDEN (reference data) and
# PYTHON in its environment, and its output is shown only when it fails.
#
#   tests/run.sh [-j JOBS] [-k PATTERN]... [BUILD...]
#
# -j JOBS runs that many tests at once (default: the number of cores; tests share no state: temp
# directories, JACK servers and X displays of their own). The slow system tests start first, so
# that the longest do not end the run alone. A test whose source (the script, or tests/NAME.c
# for a program) has a line "# run.sh: alone" runs after all others, with nothing beside it: it
# measures this machine's speed, or keeps time with a JACK server, which a neighbour would upset.
# -k PATTERN runs only the tests whose file name contains PATTERN (test_lv2_sound,
# once_play_jack.sh, once_neon.sh); with several, a test runs when its name contains any of
# them; none matching is a failure. The golden data is then written only when it is missing or
# older than its generator.
set -u
cd "$(dirname "$0")/.."
patterns=() builds=() jobs=$(nproc)
while [ $# -gt 0 ]; do
    case $1 in
    -j) [ $# -ge 2 ] && [ "$2" -ge 1 ] 2>/dev/null ||
            { echo "run.sh: -j needs a number of tests at once, 1 or more" >&2; exit 2; }
        jobs=$2; shift 2 ;;
    -k) [ $# -ge 2 ] || { echo "run.sh: -k needs a pattern" >&2; exit 2; }
        patterns+=("$2"); shift 2 ;;
    -k*) patterns+=("${1#-k}"); shift ;;
    -*) echo "run.sh: unknown option $1 (usage: tests/run.sh [-j JOBS] [-k PATTERN]... [BUILD...])" >&2
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

# A test runs in the background with its output in $log/N; a finished one is reported (and its
# output shown if it failed) as soon as it ends, so lines come in the order tests finish.
declare -A running_name=() running_start=() running_out=()
count=0

report() { # pid, exit status
    local pid=$1 rc=$2 name=${running_name[$1]}
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS %s (%ds)\n' "$name" $((SECONDS - ${running_start[$pid]}))
    else
        failed=$((failed + 1)); failures+=("$name")
        printf 'FAIL %s (exit %d)\n' "$name" "$rc"
        sed 's/^/    /' "${running_out[$pid]}" | tail -n 40
    fi
    unset "running_name[$pid]" "running_start[$pid]" "running_out[$pid]"
}

wait_for_one() { # waits for any running test to end and reports it
    local pid rc
    wait -n -p pid "${!running_name[@]}"
    rc=$?
    report "$pid" "$rc"
}

wait_below() { # N: waits until fewer than N tests run
    while [ ${#running_name[@]} -ge "$1" ]; do wait_for_one; done
}

# start NAME BUILD COMMAND...: starts a test once fewer than JOBS run.
start() {
    local name=$1 build=$2 pid; shift 2
    wait_below "$jobs"
    count=$((count + 1))
    BUILD=$build SRNN=$build/srnn "$@" >"$log/$count" 2>&1 </dev/null &
    pid=$!
    running_name[$pid]=$name running_start[$pid]=$SECONDS running_out[$pid]=$log/$count
}

# run_one NAME SOURCE BUILD COMMAND...: starts a test, or keeps it for the end when SOURCE (its
# script or C file) asks for it to run alone.
alone=()
run_one() {
    if grep -qs '^# run.sh: alone' "$2"; then
        alone+=("$(printf '%q ' "$1" "$3" "${@:4}")")
    else
        start "$1" "${@:3}"
    fi
}

# The reference data every numeric test compares with, written by PyTorch (tests/reference).
stale=$(find tests/reference -name '*.py' -newer "$GOLDEN/cases.txt" 2>/dev/null | head -n 1)
if [ ${#patterns[@]} -eq 0 ] || [ ! -f "$GOLDEN/cases.txt" ] || [ -n "$stale" ]; then
    start "reference: golden models and logits" "" "$PYTHON" tests/reference/make_golden.py "$GOLDEN"
    wait_below 1 # every test reads it
fi

for build in "$@"; do
    if [ "$build" = "$1" ]; then
        for t in tests/once_*.sh; do
            [ -f "$t" ] && selected "$(basename "$t")" || continue
            run_one "$build: $(basename "$t")" "$t" "$build" bash "$t"
        done
    fi
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] && [ -f "$t" ] && selected "$(basename "$t")" || continue
        run_one "$build: $(basename "$t")" "tests/$(basename "$t").c" "$build" "$t"
    done
    for t in tests/test_*.sh; do
        [ -f "$t" ] && selected "$(basename "$t")" || continue
        run_one "$build: $(basename "$t")" "$t" "$build" bash "$t"
    done
done
wait_below 1
jobs=1
for test in "${alone[@]}"; do
    eval "start $test"
    wait_below 1
done

if [ ${#patterns[@]} -gt 0 ] && [ $matched -eq 0 ]; then
    failed=$((failed + 1)); failures+=("no test matches -k ${patterns[*]}")
fi
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
