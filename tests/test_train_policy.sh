#!/usr/bin/env bash
# train.py's epoch-level policies: --reduce_learning_rate_after N (from epoch N+1 on the rate is
# multiplied by exp(-0.1) each epoch), --max_checkpoints (only the newest kept),
# --checkpoint_policy Best (checkpoints only at epochs that improve the monitored metric, which
# best.srnn holds), --early_stopping_patience (the run ends after that many epochs without
# improvement: checked against the run's own epochs.csv, and the learning rate is high enough
# that it must stop early).
set -eu
source "$(dirname "$0")/lib.sh" SRNN
"$PYTHON" tests/train_data.py "$dir/data" --files 4 --seconds 1 --seed 3
cat >"$dir/config.json" <<'JSON'
{"seq_len": 32, "frame_sizes": [2, 8], "dim": 8, "rnn_type": "gru", "num_rnn_layers": 1,
 "q_type": "linear", "q_levels": 32}
JSON
options=(--data "$dir/data" --config "$dir/config.json" --batch_size 2 --chunk_length 200
    --chunk_overlap 0 --val_frac 0.3 --log_every 1000 --threads 1 --generate false)

"$SRNN" train "${options[@]}" --out "$dir/schedule" --num_epochs 4 --reduce_learning_rate_after 2 \
    --max_checkpoints 2 --early_stopping_patience 10 >/dev/null
"$SRNN" train "${options[@]}" --out "$dir/best" --num_epochs 30 --learning_rate 0.05 \
    --checkpoint_policy Best --max_checkpoints none --early_stopping_patience 2 >"$dir/best.log"
"$PYTHON" - "$dir" <<'PY'
import glob, math, re, sys
sys.path.insert(0, "tests/reference")
import numpy as np
from srnn_format import read_model

d = sys.argv[1]

def epochs(run):
    lines = open(f"{d}/{run}/epochs.csv").read().split("\n")
    keys = lines[0].split(",")
    return [dict(zip(keys, map(float, line.split(",")))) for line in lines[1:] if line]

def steps_of_checkpoints(run):
    return sorted(int(re.search(r"ckpt-(\d+)", p).group(1))
                  for p in glob.glob(f"{d}/{run}/ckpt-*.srnn"))

rows = epochs("schedule")
rates = [r["learning_rate"] for r in rows]
expected = [1e-3, 1e-3, 1e-3 * math.exp(-0.1), 1e-3 * math.exp(-0.2)]
assert len(rows) == 4 and all(abs(a - b) < 1e-12 for a, b in zip(rates, expected)), rates
assert steps_of_checkpoints("schedule") == [int(r["step"]) for r in rows[-2:]], "max_checkpoints"

rows = epochs("best")
best, improving, waited, stop = math.inf, [], 0, None
for i, r in enumerate(rows):
    if r["val_loss"] < best:
        best, waited = r["val_loss"], 0
        improving.append(int(r["step"]))
    else:
        waited += 1
    if waited >= 2:
        stop = i + 1
        break
assert stop is not None and stop < 30, "the run should have stopped early"
assert len(rows) == stop, f"stopped after {len(rows)} epochs, the rule says {stop}"
assert "early stopping: no improvement for 2 epochs" in open(f"{d}/best.log").read()
assert steps_of_checkpoints("best") == improving, (steps_of_checkpoints("best"), improving)
last = f"{d}/best/ckpt-{improving[-1]:09d}.srnn"
a, b = read_model(last)[1], read_model(f"{d}/best/best.srnn")[1]
assert all(np.array_equal(a[k], b[k]) for k in a), "best.srnn is not the best epoch's model"
print(f"schedule {rates}; early stop after {stop} epochs, checkpoints at {improving}")
PY
