#!/usr/bin/env bash
# The NEON kernels on 64-bit ARM, without an ARM machine: the kernels and tests/test_kernels.c
# cross-compiled for aarch64 (the engine's flags, no fused multiply-add) and run under qemu, so
# NEON is checked against the plain C level bit for bit like the x86 levels. Also checks that
# every engine source compiles for aarch64 without a warning.
set -u
cd "$(dirname "$0")/.."
CC_ARM=aarch64-linux-gnu-gcc
for tool in "$CC_ARM" qemu-aarch64; do
    command -v "$tool" >/dev/null || { echo "missing $tool (deps.sh TEST_PACKAGES)" >&2; exit 1; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
flags=(-std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla -Werror -D_POSIX_C_SOURCE=200809L
       -D_DEFAULT_SOURCE -O3 -ffp-contract=off -Iengine)
for source in engine/*.c; do
    "$CC_ARM" "${flags[@]}" -c "$source" -o "$dir/$(basename "$source" .c).o" || exit 1
done
# -O2 for the test itself: GCC 12's aarch64 vectoriser fails on it at -O3 (internal error)
"$CC_ARM" "${flags[@]/-O3/-O2}" tests/test_kernels.c "$dir"/kernels*.o "$dir/dtype.o" \
    "$dir/sampler.o" "$dir/sparse.o" -lm -o "$dir/test_kernels" || exit 1
qemu-aarch64 -L /usr/aarch64-linux-gnu "$dir/test_kernels" >"$dir/out"
rc=$?
cat "$dir/out"
grep -q "^level neon     tested" "$dir/out" || { echo "FAIL: the NEON level was not tested"; exit 1; }
exit $rc
