#!/usr/bin/env bash
# Sparse training (srnn train --prune_*): a small run with a checkpoint after every batch, the
# densities of the three kinds different and the schedule's end inside the run. Every
# checkpoint must keep, in each prunable matrix, exactly the pieces the cubic schedule gives
# for the last choice before it (counted here from the weights, in the pieces of 4 inputs x 8
# outputs of the matrices the engine runs), with every weight of the other pieces exactly zero
# although Adam updated the model for hundreds of steps since; those matrices the engine runs
# as stored must be stored block-sparse (version 4), and srnn export --prism must write the
# pruned weights as PRiSM's dense tensors. (Resuming with pruning: test_train_resume.sh.)
set -eu
source "$(dirname "$0")/lib.sh" SRNN
"$PYTHON" tests/train_data.py "$dir/data" --files 4 --seconds 2 --seed 7
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 16, "rnn_type": "gru", "num_rnn_layers": 2,
 "q_type": "mu-law", "q_levels": 256, "skip_conn": true}
JSON
# 125 steps a batch, 6 batches an epoch: checkpoints at steps 125, 250, ..., 750 (and the
# epoch's); choices at 100, 150, ..., 500
"$SRNN" train --data "$dir/data" --config "$dir/config.json" --out "$dir/run" --batch_size 2 \
    --num_epochs 1 --chunk_length 500 --chunk_overlap 100 --val_frac 0.25 --threads 1 \
    --checkpoint_every_batches 1 --max_checkpoints none --generate false --log_every 25 \
    --prune_density_rnn 0.5 --prune_density_upsampling 0.25 --prune_density_mlp 0.375 \
    --prune_start 100 --prune_end 500 --prune_every 50 >"$dir/log"
grep -q "density 0.4" "$dir/log" || { echo "the log lines name no density"; exit 1; }

last=$(ls "$dir/run"/ckpt-*.srnn | tail -1)
"$SRNN" export --prism "$dir/prism" "$last" >"$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }

"$PYTHON" - "$dir/run" "$dir/prism" <<'PY'
import glob, math, re, subprocess, sys
sys.path.insert(0, "tests/reference")
import numpy as np
from srnn_format import PIECE_COLUMNS, PIECE_ROWS, decode_model, piece_grid

run, prism = sys.argv[1], sys.argv[2]
FINAL = {"rnn": 0.5, "upsampling": 0.25, "mlp": 0.375}
START, END, EVERY = 100, 500, 50


def density(kind, t):  # the issue's schedule, written from its formula
    if t <= START:
        return 1.0
    if t >= END:
        return FINAL[kind]
    return 1 - (1 - FINAL[kind]) * (1 - (1 - (t - START) / (END - START)) ** 3)


def last_choice(step):  # choices are made before the step after t, for t on the schedule
    return max(t for t in list(range(START, END + 1, EVERY)) + [END] if t <= step - 1)


def nonzero_pieces(m):
    down, across = piece_grid(m.shape)
    padded = np.zeros((down * PIECE_ROWS, across * PIECE_COLUMNS), bool)
    padded[:m.shape[0], :m.shape[1]] = m != 0
    return int(padded.reshape(down, PIECE_ROWS, across, PIECE_COLUMNS).any(axis=(1, 3)).sum())


def engine_matrices(name, w, skip):  # (kind, [the matrices the engine runs])
    if name.endswith("/upsample"):
        return "upsampling", [u.T for u in w]
    if name in ("sample_mlp/hidden1/kernel", "sample_mlp/hidden2/kernel",
                "sample_mlp/output/kernel"):
        return "mlp", [w]
    if name == "frame/rnn/layer_0/kernel":  # the halves' sum; either half nonzero marks it
        half = w.shape[0] // 2
        return "rnn", [(w[:half] != 0) | (w[half:] != 0)] if skip else [w]
    if re.search(r"/layer_\d+/(kernel|recurrent_kernel|skip_out/kernel)$", name) and \
            name != "big_frame/rnn/layer_0/kernel":
        return "rnn", [w]
    return None, []


checked = set()
for path in sorted(glob.glob(f"{run}/ckpt-*.srnn")):
    step = int(re.search(r"ckpt-(\d+)", path).group(1))
    masks = {}
    with open(path, "rb") as f:
        cfg, tensors, _ = decode_model(f.read(), masks)
    t = last_choice(step)
    for name, w in tensors.items():
        kind, matrices = engine_matrices(name, w, cfg.skip_conn)
        if kind is None:
            assert np.count_nonzero(w == 0) <= 1, f"{path}: {name} was pruned"
            continue
        for m in matrices:
            down, across = piece_grid(m.shape)
            want = math.ceil(density(kind, t) * down * across)
            got = nonzero_pieces(m)
            assert got == want, f"{path}: {name}: {got} pieces hold a nonzero, the schedule " \
                                f"keeps {want} of {down * across} ({kind}, density at step {t})"
        stored = name in masks
        as_stored = kind is not None and not name.endswith("/upsample") and \
            name not in ("sample_mlp/hidden1/kernel", "frame/rnn/layer_0/kernel")
        if as_stored and density(kind, t) < 1:
            assert stored, f"{path}: {name} is not stored block-sparse"
        checked.add((kind, round(density(kind, t), 4)))
print(f"{len(glob.glob(f'{run}/ckpt-*.srnn'))} checkpoints follow the schedule: "
      f"{len(checked)} (kind, density) pairs seen")
assert len({d for k, d in checked if k == "rnn"}) >= 5, "too few densities on the way"

out = subprocess.run([sys.executable, "tests/reference/prism_ckpt.py", "restore",
                      f"{prism}/model.ckpt-0", sorted(glob.glob(f"{run}/ckpt-*.srnn"))[-1]],
                     capture_output=True, text=True)
assert out.returncode == 0, f"export --prism does not restore: {out.stderr}"
print("export --prism: PRiSM's dense tensors, zeros where pruned")
PY
