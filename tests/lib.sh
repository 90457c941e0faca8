# Sourced by the shell tests (tests/test_*.sh, and tests/once_soak_play.sh) for the preamble
# each would otherwise write again, after `set -u` (or `set -eu`):
#
#     source "$(dirname "$0")/lib.sh" SRNN GOLDEN    # the variables the test needs
#
# - Each variable named must be set and not empty, or the test ends with one line on stderr
#   and exit 1 (tests/run.sh gives every test BUILD, SRNN, GOLDEN and PYTHON).
# - PYTHON defaults to /usr/bin/python3.
# - $dir is a new temporary directory, removed when the test exits. A test that must do more
#   at exit sets its own EXIT trap, which then removes $dir itself.
# - fail MESSAGE... prints "FAIL MESSAGE" and counts it in $failed (0 at first).
# - finish SUMMARY prints the summary line and ends the test, with exit 0 when nothing failed.
# - start_xvfb LOG starts Xvfb on a display no other server holds and exports DISPLAY; its
#   process is $xvfb_pid, for the test to end at exit. Non-zero when it did not start.
#
# Not a test itself: tests/run.sh runs only tests/test_*.sh and tests/once_*.sh.

PYTHON=${PYTHON:-/usr/bin/python3}

declare -A test_lib_meaning=([SRNN]="path of the srnn tool" [GOLDEN]="directory of the golden data"
    [BUILD]="build directory of the tests")
for test_lib_name in "$@"; do
    if [ -z "${!test_lib_name:-}" ]; then
        echo "$0: $test_lib_name: ${test_lib_meaning[$test_lib_name]:-not set}" >&2
        exit 1
    fi
done
unset test_lib_meaning test_lib_name

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

failed=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

start_xvfb() { # log
    command -v Xvfb >/dev/null || { echo "Xvfb missing: apt-get install xvfb" >&2; return 1; }
    local number="$1.display"
    : >"$number"
    # -displayfd: Xvfb takes the first free display itself and writes its number when ready,
    # so that tests side by side never pick the same one
    Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3>"$number" >"$1" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 100); do
        if [ -s "$number" ]; then
            export DISPLAY=":$(tr -d '[:space:]' <"$number")"
            return 0
        fi
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$1" >&2
    return 1
}

finish() { # summary
    echo "$1"
    exit $((failed > 0))
}
