#!/usr/bin/env bash
# srnn train end to end on a synthetic periodic signal (tests/train_data.py: period 40 samples,
# three harmonics, noise 0.003): a tiny GRU model trained for 3 epochs must reach a validation
# NLL below 1.2 nats and below half the entropy of the signal's value histogram (what a model
# ignoring the past would get, about 3.6 nats; chance is 5.55); audio generated from it must
# repeat with the training period (autocorrelation peak at 40 +-1 samples, above 0.9). On the
# way: the non-audio file is skipped, and the chunks of the silent file and the two of the
# half-silent one that are at least half silence are left out (chunk_audio.py's rule), as the log
# says: 8 files, 32 chunks of 500 ms with 100 ms overlap, 26 kept.
set -eu
source "$(dirname "$0")/lib.sh" SRNN
"$PYTHON" tests/train_data.py "$dir/data" --files 6 --seconds 2 --period 40 --silent --half-silent \
    --junk
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 24, "rnn_type": "gru", "num_rnn_layers": 1,
 "q_type": "mu-law", "q_levels": 256}
JSON
"$SRNN" train --data "$dir/data" --config "$dir/config.json" --out "$dir/run" --batch_size 4 \
    --num_epochs 3 --chunk_length 500 --chunk_overlap 100 --val_frac 0.2 --learning_rate 0.005 \
    --log_every 100 --threads 1 --generate false >"$dir/log"
cat "$dir/log"
grep -q "8 audio files (1 others skipped, 0 shorter than a chunk), 26 chunks of 8000 samples, 6 silent chunks left out" "$dir/log"
"$SRNN" render "$dir/run/best.srnn" -o "$dir/generated.wav" --seconds 2 --temperature 0.5 --seed 3
"$PYTHON" - "$dir" <<'PY'
import sys, wave
sys.path.insert(0, "tests/reference")
import numpy as np
from srnn_format import read_model
from srnn_ref import quantise

run = sys.argv[1]
rows = [line.split(",") for line in open(f"{run}/run/epochs.csv").read().split("\n")[1:] if line]
best_val = min(float(r[4]) for r in rows)

def read(path):
    with wave.open(path) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768

cfg = read_model(f"{run}/run/best.srnn")[0]
levels = quantise(read(f"{run}/data/tone00.wav"), cfg)
p = np.bincount(levels, minlength=256) / len(levels)
histogram_entropy = float(-(p[p > 0] * np.log(p[p > 0])).sum())
print(f"best val_loss {best_val:.4f} nats; value-histogram entropy {histogram_entropy:.4f} nats")
assert best_val < 1.2 and best_val < 0.5 * histogram_entropy, "validation NLL above the bound"

x = read(f"{run}/generated.wav")[4000:]
x = x - x.mean()
ac = np.correlate(x, x, "full")[len(x) - 1:]
ac /= ac[0]
lag = int(np.argmax(ac[10:400])) + 10
print(f"generated: rms {np.sqrt((x * x).mean()):.3f}, autocorrelation peak at lag {lag} "
      f"({ac[lag]:.3f})")
assert abs(lag - 40) <= 1 and ac[lag] > 0.9, "the generated audio lost the period"
PY
