#!/usr/bin/env bash
# The LV2 test hosts (tests/test_lv2_sound.c and tests/test_lv2_models.c: every check, shorter
# renders) under valgrind: no invalid access, no use of uninitialised memory, no leak, in the
# host, lilv or the plugin, with both worker kinds. Run once, on the plain build (valgrind
# cannot run sanitizer builds). The two hosts run side by side: valgrind runs a program on one
# core, and this test is the suite's longest.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pids=()
for test in test_lv2_sound test_lv2_models; do
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$BUILD/tests/$test" --quick >"$dir/$test" 2>&1 &
    pids+=($!)
done
failed=0 i=0
for test in test_lv2_sound test_lv2_models; do
    if ! wait "${pids[$i]}"; then
        echo "FAIL $test under valgrind:"
        cat "$dir/$test"
        failed=1
    fi
    i=$((i + 1))
done
exit $failed
