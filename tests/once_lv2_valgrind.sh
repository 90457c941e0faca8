#!/usr/bin/env bash
# The LV2 test hosts (tests/test_lv2_sound.c and tests/test_lv2_models.c: every check, shorter
# renders) under valgrind: no invalid access, no use of uninitialised memory, no leak, in the
# host, lilv or the plugin, with both worker kinds. Run once, on the plain build (valgrind
# cannot run sanitizer builds). The hosts run side by side, test_lv2_sound in two halves:
# valgrind runs a program on one core, and this test is the suite's longest.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
runs=("test_lv2_sound 1" "test_lv2_sound 2" "test_lv2_models") pids=()
for run in "${runs[@]}"; do
    read -r test part <<<"$run"
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$BUILD/tests/$test" --quick $part >"$dir/$test$part" 2>&1 &
    pids+=($!)
done
failed=0 i=0
for run in "${runs[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "FAIL $run under valgrind:"
        cat "$dir/${run// /}"
        failed=1
    fi
    i=$((i + 1))
done
exit $failed
