#!/usr/bin/env bash
# srnn train's TensorBoard event file, read by an independent parser
# (tests/reference/tfevents_read.py: TFRecord framing with every CRC-32C checked, Event and
# Summary protocol buffers): the file version record first; loss, accuracy, learning_rate and
# grad_norm at every logged step equal to steps.csv's; val_loss, val_accuracy, epoch_loss and
# epoch_accuracy equal to epochs.csv's. A flipped byte must make the parser fail.
set -eu
source "$(dirname "$0")/lib.sh" SRNN
"$PYTHON" tests/train_data.py "$dir/data" --files 4 --seconds 1
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 8, "rnn_type": "lstm", "num_rnn_layers": 1,
 "q_type": "linear", "q_levels": 64}
JSON
"$SRNN" train --data "$dir/data" --config "$dir/config.json" --out "$dir/run" --batch_size 2 \
    --num_epochs 2 --chunk_length 300 --chunk_overlap 50 --val_frac 0.3 --log_every 10 \
    --threads 1 --generate false >/dev/null
"$PYTHON" - "$dir/run" <<'PY'
import glob, math, sys, time
sys.path.insert(0, "tests/reference")
from tfevents_read import read_events

run = sys.argv[1]
(path,) = glob.glob(f"{run}/events.out.tfevents.*")
# not *.srnn: those are the run's models, which srnn play lists
assert not path.endswith(".srnn"), path
events = read_events(path)
assert events[0].get("file_version") == "brain.Event:2", events[0]
assert all(abs(e["wall_time"] - time.time()) < 3600 for e in events), "implausible wall_time"
points = {(e["step"], tag): value for e in events for tag, value in e["scalars"]}

def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))

def table(name):
    lines = open(f"{run}/{name}").read().split("\n")
    keys = lines[0].split(",")
    return [dict(zip(keys, map(float, line.split(",")))) for line in lines[1:] if line]

steps, epochs = table("steps.csv"), table("epochs.csv")
assert len(steps) >= 10 and len(epochs) == 2, (len(steps), len(epochs))
for row in steps:
    for tag in ("loss", "accuracy", "learning_rate", "grad_norm"):
        assert close(points[int(row["step"]), tag], row[tag]), (row, tag)
for row in epochs:
    for tag, column in (("val_loss", "val_loss"), ("val_accuracy", "val_accuracy"),
                        ("epoch_loss", "loss"), ("epoch_accuracy", "accuracy")):
        assert close(points[int(row["step"]), tag], row[column]), (row, tag)
print(f"{len(events)} events, {len(points)} scalars agree with steps.csv and epochs.csv")

data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x10
open(f"{run}/damaged.tfevents", "wb").write(data)
try:
    read_events(f"{run}/damaged.tfevents")
except ValueError as e:
    print(f"a flipped byte is caught: {e}")
else:
    raise SystemExit("the parser accepted a damaged file")
PY
