#!/usr/bin/env bash
# make bench-mpi: srnn train over MPI on this machine, in one run: training samples/s of one
# process and of mpirun -np 2 (one OpenBLAS thread each, the same global batch), the share of
# the 2-process run's training time spent in the gradient sums (waiting for the other rank
# included), the gradient bytes summed per step, and one MPI_Allreduce of that many bytes on
# loopback (bench/bench_allreduce.c, after a barrier: the transfer alone).
set -eu
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
SRNN=${SRNN:-$BUILD/srnn}
BATCHES=${BATCHES:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # containers run as root
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The default model's shape (GRU D=256 L=2, frames 16/64, seq_len 1024), batch 16: 31 steps a
# batch of 2-second chunks.
"$PYTHON" tests/train_data.py "$dir/data" --files 12 --seconds 8 --seed 3 >/dev/null
cat >"$dir/config.json" <<'JSON'
{"seq_len": 1024, "frame_sizes": [16, 64], "dim": 256, "rnn_type": "gru", "num_rnn_layers": 2,
 "q_type": "mu-law", "q_levels": 256, "skip_conn": false}
JSON
options=(--data "$dir/data" --config "$dir/config.json" --batch_size 16 --chunk_length 2000
    --chunk_overlap 0 --val_frac 0.25 --threads 1 --log_every 5 --max_batches "$BATCHES"
    --generate false)
# samples/s over the log intervals after the first (which holds the start)
rate() { awk -F, 'NR > 2 { sum += $8; n++ } END { printf "%.0f", n ? sum / n : 0 }' "$1"; }

load=$(cut -d' ' -f1-3 /proc/loadavg) # other jobs' share of the cores: the figures need quiet
"$SRNN" train "${options[@]}" --out "$dir/one" >"$dir/one.log"
mpirun -np 2 "$SRNN" train "${options[@]}" --out "$dir/two" >"$dir/two.log"
one=$(rate "$dir/one/steps.csv") two=$(rate "$dir/two/steps.csv")
sums=$(grep '^MPI: .* gradient sums' "$dir/two.log")
bytes=$(sed -n 's/^MPI: [0-9]* gradient sums of \([0-9]*\) bytes.*/\1/p' <<<"$sums")
echo "GRU D=256 L=2, frames 16/64, seq_len 1024, batch 16, 1 OpenBLAS thread per process"
echo "  ($(nproc) cores; load average before: $load, now: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  1 process:   %8s samples/s\n' "$one"
printf '  2 processes: %8s samples/s (%.2fx)\n' "$two" "$(awk -v a="$two" -v b="$one" 'BEGIN { print a / b }')"
echo "  ${sums#MPI: }"
mpirun -np 2 "$BUILD/bench/bench_allreduce" $((bytes / 4)) 200 | sed 's/^/  loopback: /'
