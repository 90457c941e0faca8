#!/usr/bin/env bash
# The default model's data: renders ../shared/data/beethoven's MIDI files (its render.sh:
# FluidSynth, about 200 s) into build/beethoven/wav and links each wav into
# build/beethoven/{train,valid,test} as that folder's manifest.tsv splits them.
# Usage: models/beethoven_data.sh [SHARED_BEETHOVEN_DIR]   (default ../shared/data/beethoven)
set -eu
source_dir=$(cd "${1:-../shared/data/beethoven}" && pwd)
out=build/beethoven
mkdir -p "$out/wav" "$out/train" "$out/valid" "$out/test"
bash "$source_dir/render.sh" "$out/wav"
tail -n +2 "$source_dir/manifest.tsv" | while IFS=$'\t' read -r midi split _; do
    wav=${midi%.mid}.wav
    [ -f "$out/wav/$wav" ] || { echo "beethoven_data: $out/wav/$wav was not rendered" >&2; exit 1; }
    ln -sfn "../wav/$wav" "$out/$split/$wav"
done
for split in train valid test; do echo "$out/$split: $(ls "$out/$split" | wc -l) files"; done
