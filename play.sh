#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds, and plays the shipped default model.
# Without an audio device (or before the player exists) it says so and renders a wav instead.
set -eu
cd "$(dirname "$0")"
source ./deps.sh
need_packages "${BUILD_PACKAGES[@]}"
make -j"$(nproc)" --no-print-directory build/srnn >/dev/null
model=${1:-models/default.srnn}
if build/srnn play --help >/dev/null 2>&1; then
    exec build/srnn play "$model"
fi
echo "play.sh: no audio player in this build yet; rendering 10 s to default.wav instead"
exec build/srnn render "$model" -o default.wav --seconds 10
