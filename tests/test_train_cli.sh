#!/usr/bin/env bash
# srnn train on bad input: missing or unreadable data, configs and checkpoints, absurd option
# values, data too small for the batch, a resume that does not match, a run directory another
# trainer is using. Each must give exactly one line on stderr naming the problem and a non-zero
# exit status (never a crash); the good cases around them must pass.
set -u
source "$(dirname "$0")/lib.sh" SRNN
"$PYTHON" tests/train_data.py "$dir/data" --files 2 --seconds 1 || exit 1
mkdir "$dir/empty" "$dir/junk"
echo "not audio" >"$dir/junk/notes.txt"
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 8, "rnn_type": "gru", "num_rnn_layers": 1,
 "q_type": "mu-law", "q_levels": 256}
JSON
echo '{"seq_len": 64, "frame_sizes": [4, 16], "dim": -3' >"$dir/broken.json"
sed 's/"dim": 8/"dim": -3/' "$dir/config.json" >"$dir/negative.json"
sed 's/"seq_len": 64/"seq_len": 65/' "$dir/config.json" >"$dir/seq_len.json"
echo "SRNNMODL but not really" >"$dir/fake.srnn"
common=(--threads 1 --generate false --num_epochs 1 --chunk_overlap 0)
# with NAME VALUE...: the good data options with some changed, one word per line
with() {
    local -A set=([--data]="$dir/data" [--config]="$dir/config.json" [--batch_size]=2
        [--chunk_length]=250 [--val_frac]=0.3)
    while [ $# -gt 0 ]; do set[$1]=$2; shift 2; done
    for name in "${!set[@]}"; do printf '%s\n%s\n' "$name" "${set[$name]}"; done
}
good=(); mapfile -t good < <(with)
good+=("${common[@]}")

# expect_fail WORDS ARGS...: fails with one stderr line containing WORDS
expect_fail() {
    local words=$1
    shift
    "$SRNN" train "$@" >"$dir/out" 2>"$dir/err" </dev/null
    local rc=$? lines
    lines=$(wc -l <"$dir/err")
    if [ $rc -eq 0 ] || [ $rc -ge 124 ] || [ "$lines" -ne 1 ] || ! grep -q "^srnn: " "$dir/err" ||
        ! grep -qF -- "$words" "$dir/err"; then
        echo "FAILED: srnn train $* -> exit $rc, stderr:"
        cat "$dir/err"
        failed=$((failed + 1))
    else
        echo "ok (exit $rc): $(cat "$dir/err")"
    fi
}

expect_fail "missing --data"
expect_fail "missing --out" --data "$dir/data" --config "$dir/config.json"
expect_fail "unknown option" "${good[@]}" --out "$dir/x" --bogus 1
expect_fail "No such file or directory" $(with --data "$dir/nowhere") "${common[@]}" --out "$dir/x"
expect_fail "no audio file libsndfile can read" $(with --data "$dir/empty") "${common[@]}" --out "$dir/x"
expect_fail "no audio file libsndfile can read" $(with --data "$dir/junk") "${common[@]}" --out "$dir/x"
expect_fail "No such file or directory" $(with --config "$dir/none.json") "${common[@]}" --out "$dir/x"
expect_fail "not valid JSON" $(with --config "$dir/broken.json") "${common[@]}" --out "$dir/x"
expect_fail "dim" $(with --config "$dir/negative.json") "${common[@]}" --out "$dir/x"
expect_fail "seq_len" $(with --config "$dir/seq_len.json") "${common[@]}" --out "$dir/x"
expect_fail "--batch_size must be" $(with --batch_size 0) "${common[@]}" --out "$dir/x"
expect_fail "--learning_rate" "${good[@]}" --out "$dir/x" --learning_rate -1
expect_fail "not a finite number" "${good[@]}" --out "$dir/x" --learning_rate nan
expect_fail "--optimizer must be" "${good[@]}" --out "$dir/x" --optimizer adagrad
expect_fail "--val_frac must be" $(with --val_frac 1.5) "${common[@]}" --out "$dir/x"
expect_fail "--temperature must be" "${good[@]}" --out "$dir/x" --temperature 0.9,0
expect_fail "must be shorter than --chunk_length" $(with --chunk_length 250) --threads 1 --chunk_overlap 300 --out "$dir/x"
expect_fail "neither true nor false" "${good[@]}" --out "$dir/x" --resume maybe
expect_fail "at least a batch" $(with --batch_size 50) "${common[@]}" --out "$dir/x"
expect_fail "shorter than seq_len" $(with --chunk_length 3) "${common[@]}" --out "$dir/x"
expect_fail "fake.srnn" "${good[@]}" --out "$dir/x" --resume_from "$dir/fake.srnn"
expect_fail "--prune_density must be" "${good[@]}" --out "$dir/x" --prune_density 0
expect_fail "--prune_density_mlp must be" "${good[@]}" --out "$dir/x" --prune_density_mlp 1.5
expect_fail "--prune_start (50) must come before --prune_end (10)" "${good[@]}" --out "$dir/x" \
    --prune_density 0.5 --prune_start 50 --prune_end 10
touch "$dir/file"
expect_fail "$dir/file" "${good[@]}" --out "$dir/file/run"

# a good run, then resumes that do not fit it
if ! "$SRNN" train "${good[@]}" --checkpoint_every_batches 1 --out "$dir/run" >/dev/null \
    2>"$dir/err"; then
    echo "FAILED: the good run"; cat "$dir/err"; failed=$((failed + 1))
fi
expect_fail "--batch_size 2" $(with --batch_size 1) --threads 1 --generate false --chunk_overlap 0 --num_epochs 2 --out "$dir/run"
expect_fail "already holds checkpoints" "${good[@]}" --out "$dir/run" --resume false
first=$(ls "$dir/run"/ckpt-*.srnn | head -1)
expect_fail "holds later checkpoints than --resume_from" "${good[@]}" --out "$dir/run" \
    --resume_from "$first"
state=$(ls "$dir/run"/*.state | tail -1)
printf 'X' | dd of="$state" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_fail "checksum mismatch" $(with) --threads 1 --generate false --chunk_overlap 0 --num_epochs 2 --out "$dir/run"

# a pruned run resumed with other pruning
pruned=(--prune_density 0.5 --prune_start 0 --prune_end 4 --prune_every 2)
"$SRNN" train "${good[@]}" "${pruned[@]}" --checkpoint_every_batches 1 --out "$dir/pruned" \
    >/dev/null 2>"$dir/err" || fail "the pruned run: $(cat "$dir/err")"
expect_fail "the checkpoint was made with --prune_density_rnn 0.5" $(with) --threads 1 \
    --generate false --chunk_overlap 0 --num_epochs 2 --out "$dir/pruned" --prune_density 0.25

# Two trainers on one run directory: the second is refused while the first runs, and a kill -9
# of the first frees the directory (the kernel drops its lock).
"$SRNN" train $(with) --threads 1 --generate false --chunk_overlap 0 --num_epochs 1000 \
    --early_stopping_patience 1000 --out "$dir/busy" >/dev/null 2>"$dir/busy.err" &
busy=$!
for _ in $(seq 200); do
    grep -qx "$busy" "$dir/busy/train.lock" 2>/dev/null && break
    sleep 0.05
done
expect_fail "$dir/busy is in use by another srnn train (process $busy)" "${good[@]}" \
    --out "$dir/busy"
kill -0 $busy 2>/dev/null || fail "the first trainer had stopped: $(cat "$dir/busy.err")"
kill -9 $busy
wait $busy 2>/dev/null
"$SRNN" train "${good[@]}" --max_batches 1 --out "$dir/busy" >/dev/null 2>"$dir/err" ||
    fail "after kill -9 the run directory is still refused: $(cat "$dir/err")"
finish "$failed failures"
