#!/usr/bin/env bash
# The LV2 test hosts (tests/test_lv2_sound.c and tests/test_lv2_models.c: every check, shorter
# renders) under valgrind: no invalid access, no use of uninitialised memory, no leak, in the
# host, lilv or the plugin, with both worker kinds. Run once, on the plain build (valgrind
# cannot run sanitizer builds).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
for test in test_lv2_sound test_lv2_models; do
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$BUILD/tests/$test" --quick
done
