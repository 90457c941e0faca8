#!/usr/bin/env bash
# make bench-train: training throughput (samples/s of full steps: forward, backward, clipping,
# Adam) of the C trainer against the PyTorch reference (tests/reference/train_ref.py, float32,
# nn.GRU/nn.LSTM, the model written as PRiSM writes it) on the same model, batch and threads,
# in one run. Each side is measured twice, alternately, and keeps its better figure, so that a
# burst of load from elsewhere hurts neither side alone. Prints one line per case and the ratio.
set -eu
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
C_STEPS=${C_STEPS:-6}
PY_STEPS=${PY_STEPS:-2}
rate() { sed -n 's/^samples_per_second=//p'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

# name: the model (bench_train and train_ref.py take the same flags), batch, threads
cases=(
    "GRU D=256 L=2 (the default model)|--dim 256 --layers 2|16|1"
    "GRU D=256 L=2 (the default model)|--dim 256 --layers 2|16|2"
    "LSTM D=128 L=3|--dim 128 --layers 3 --rnn lstm|16|1"
)
echo "frames 16/64, seq_len 1024, mu-law; samples/s of training"
printf '%-48s %10s %10s %7s\n' case C PyTorch ratio
for entry in "${cases[@]}"; do
    IFS='|' read -r name model batch threads <<<"$entry"
    c=0 py=0
    for round in 1 2; do
        c=$(best "$c" "$("$BUILD/bench/bench_train" $model --batch "$batch" --threads "$threads" \
            --steps "$C_STEPS" | rate)")
        py=$(best "$py" "$(OMP_NUM_THREADS=$threads "$PYTHON" tests/reference/train_ref.py bench \
            $model --batch "$batch" --threads "$threads" --steps "$PY_STEPS" | rate)")
    done
    printf '%-48s %10.0f %10.0f %6.2fx\n' "$name, B=$batch, $threads thr" "$c" "$py" \
        "$(awk -v a="$c" -v b="$py" 'BEGIN { print a / b }')"
done
