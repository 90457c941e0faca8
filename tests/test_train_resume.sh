#!/usr/bin/env bash
# kill -9 at random moments and resume: a run killed three times (each time at a random moment
# after a new checkpoint, so in the middle of training or of writing a checkpoint) and resumed
# until done must log exactly the losses, accuracies, learning rates and gradient norms of an
# uninterrupted run (steps.csv, epochs.csv), and end with bit-identical weights. Every file a
# kill leaves must be either complete or ignored. Twice: dense, and pruning while it trains
# (the masks and the schedule's position come back from the checkpoints).
set -eu
source "$(dirname "$0")/lib.sh" SRNN
# lib.sh's trap, and the run left in the background killed too
trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
pid= # empty until the first background run: kill -9 0 would kill the whole process group
"$PYTHON" tests/train_data.py "$dir/data" --files 4 --seconds 2 --seed 5
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 16, "rnn_type": "gru", "num_rnn_layers": 2,
 "q_type": "mu-law", "q_levels": 256, "skip_conn": true}
JSON
common=(--data "$dir/data" --config "$dir/config.json" --batch_size 2
    --chunk_length 500 --chunk_overlap 100 --val_frac 0.25 --log_every 1 --threads 1
    --checkpoint_every_batches 1 --max_checkpoints none --generate false)
# 125 steps a batch, 6 batches an epoch: two epochs dense; one pruned, the pruning ending in the
# 5th batch
pruning=(--num_epochs 1 --prune_density 0.3 --prune_start 100 --prune_end 550 --prune_every 50)

for variant in dense pruned; do
    options=("${common[@]}")
    if [ $variant = dense ]; then options+=(--num_epochs 2); else options+=("${pruning[@]}"); fi
    run=$dir/$variant
    checkpoints() { ls "$run/killed" 2>/dev/null | grep -c '\.state$' || true; }

    "$SRNN" train "${options[@]}" --out "$run/straight" >"$dir/straight.log"
    for kill in 1 2 3; do
        before=$(checkpoints)
        "$SRNN" train "${options[@]}" --out "$run/killed" >>"$run/killed.log" 2>&1 &
        pid=$!
        for _ in $(seq 600); do # up to a minute for one more checkpoint
            [ "$(checkpoints)" -gt "$before" ] && break
            kill -0 $pid 2>/dev/null || break
            sleep 0.1
        done
        sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
        kill -9 $pid 2>/dev/null || true
        wait $pid 2>/dev/null || true
        echo "$variant: kill $kill: $(checkpoints) checkpoints"
    done
    "$SRNN" train "${options[@]}" --out "$run/killed" >>"$run/killed.log"
    resumes=$(grep -c "^resuming from" "$run/killed.log" || true)
    echo "$variant: resumed $resumes times"
    [ "$resumes" -ge 3 ]
    ls "$run/killed" | grep -q '\.tmp-' && { echo "temporary files left behind"; exit 1; }

    for log in steps.csv epochs.csv; do
        # every column but the timing ones (samples/s, elapsed seconds)
        if ! cmp <(cut -d, -f1-7 "$run/straight/$log") <(cut -d, -f1-7 "$run/killed/$log"); then
            diff <(cut -d, -f1-7 "$run/straight/$log") <(cut -d, -f1-7 "$run/killed/$log") | head
            exit 1
        fi
    done
    echo "$variant: steps.csv: $(($(wc -l <"$run/straight/steps.csv") - 1)) steps identical"
    "$PYTHON" - "$run" "$variant" <<'PY'
import glob, sys
sys.path.insert(0, "tests/reference")
import numpy as np
from srnn_format import read_model

d, variant = sys.argv[1], sys.argv[2]
last = sorted(glob.glob(f"{d}/straight/ckpt-*.srnn"))[-1].rsplit("/", 1)[1]
a, b = read_model(f"{d}/straight/{last}")[1], read_model(f"{d}/killed/{last}")[1]
assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a), "weights differ"
for path in glob.glob(f"{d}/killed/ckpt-*.srnn"):
    read_model(path)  # every checkpoint left is complete
zeros = sum(int(np.sum(a[k] == 0)) for k in a)
assert (zeros > 0) == (variant == "pruned"), f"{variant}: {zeros} zero weights"
print(f"{variant}: {last}: identical weights ({zeros} pruned)")
PY
done
