#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds, and plays the shipped default model.
# Without an audio device srnn play says so in one line, and a wav is rendered instead.
set -eu
cd "$(dirname "$0")"
source ./deps.sh
need_packages "${BUILD_PACKAGES[@]}"
make -j"$(nproc)" --no-print-directory build/srnn >/dev/null
model=${1:-models/default.srnn}
status=0
build/srnn play "$model" || status=$?
[ $status -eq 3 ] || exit $status # 3: no audio output device
echo "play.sh: rendering 10 s to default.wav instead"
exec build/srnn render "$model" -o default.wav --seconds 10
