#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds, and runs every test: the plain build, then the
# ASan/UBSan build. Ends with one line "N passed, N failed".
set -eu
cd "$(dirname "$0")"
source ./deps.sh
need_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
make -j"$(nproc)" --no-print-directory tests asan >/dev/null
make --no-print-directory test
