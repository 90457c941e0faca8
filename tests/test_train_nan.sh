#!/usr/bin/env bash
# NaN injection: a run whose gradient is made NaN at step 300 (--inject_nan_at_step, in the
# middle of batch 3: steps 251-375) must log the recovery, put back the weights and optimiser of
# the batch's start, cut the learning rate to a tenth and repeat the batch, then finish with
# finite losses and a valid model. Its steps before the batch equal those of a clean run; from
# the batch on it runs at learning rate 1e-4, and steps.csv holds every step exactly once.
set -eu
source "$(dirname "$0")/lib.sh" SRNN
"$PYTHON" tests/train_data.py "$dir/data" --files 4 --seconds 2 --seed 9
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 16, "rnn_type": "lstm", "num_rnn_layers": 1,
 "q_type": "mu-law", "q_levels": 256}
JSON
options=(--data "$dir/data" --config "$dir/config.json" --batch_size 2 --num_epochs 1
    --chunk_length 500 --chunk_overlap 100 --val_frac 0.25 --log_every 1 --threads 1
    --generate false)
"$SRNN" train "${options[@]}" --out "$dir/clean" >"$dir/clean.log"
"$SRNN" train "${options[@]}" --out "$dir/poisoned" --inject_nan_at_step 300 >"$dir/poisoned.log"
grep "non-finite" "$dir/poisoned.log"
grep -q "^step 300: non-finite loss or gradient: weights and optimiser restored to the start of batch 3, learning rate cut to 0.0001, batch repeated$" "$dir/poisoned.log"
"$SRNN" info "$dir/poisoned/best.srnn" >/dev/null # loads only when every weight is finite
"$PYTHON" - "$dir" <<'PY'
import math, sys

def rows(path):
    lines = open(path).read().split("\n")
    keys = lines[0].split(",")
    return [dict(zip(keys, map(float, line.split(",")))) for line in lines[1:] if line]

clean = rows(f"{sys.argv[1]}/clean/steps.csv")
poisoned = rows(f"{sys.argv[1]}/poisoned/steps.csv")
steps = [int(r["step"]) for r in poisoned]
assert steps == list(range(1, len(clean) + 1)), "steps missing or repeated"
for a, b in zip(clean[:250], poisoned[:250]):
    assert a == {**b, "samples_per_second": a["samples_per_second"],
                 "elapsed_seconds": a["elapsed_seconds"]}, (a, b)
after = poisoned[250:]
assert all(r["learning_rate"] == 1e-4 for r in after), "learning rate not cut"
assert all(math.isfinite(r["loss"]) and math.isfinite(r["grad_norm"]) for r in poisoned)
assert clean[250]["loss"] == poisoned[250]["loss"], "the repeated batch must start from the same weights"
assert clean[251]["loss"] != poisoned[251]["loss"], "the repeat must run at the cut learning rate"
epoch = rows(f"{sys.argv[1]}/poisoned/epochs.csv")[0]
assert math.isfinite(epoch["val_loss"]), epoch
print(f"{len(poisoned)} steps, recovery at step 300, val_loss {epoch['val_loss']:.4f}")
PY
