#!/usr/bin/env bash
# The NLL of a model on every audio file in a folder (srnn eval: teacher forced, from silence),
# per file and over all of them (weighted by samples), in nats and bits per sample.
# Usage: models/eval_split.sh MODEL DIR [SRNN]   (SRNN defaults to build/srnn)
set -eu
model=$1 dir=$2 srnn=${3:-build/srnn}
total=0 nats=0
for file in "$dir"/*; do
    out=$("$srnn" eval "$model" "$file")
    samples=$(sed -n 's/^samples: //p' <<<"$out")
    nll=$(sed -n 's/^nll_nats: //p' <<<"$out")
    printf '%-45s %9d samples  %.4f nats  %.4f bits  accuracy %s\n' "$(basename "$file")" \
        "$samples" "$nll" "$(awk -v n="$nll" 'BEGIN { print n / log(2) }')" \
        "$(sed -n 's/^accuracy: //p' <<<"$out")"
    total=$((total + samples))
    nats=$(awk -v a="$nats" -v n="$nll" -v s="$samples" 'BEGIN { printf "%.9f", a + n * s }')
done
awk -v a="$nats" -v t="$total" 'BEGIN { printf "all: %d samples  %.4f nats  %.4f bits\n", t, a / t, a / t / log(2) }'
