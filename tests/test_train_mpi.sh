#!/usr/bin/env bash
# srnn train over MPI (issue 16), on this machine's loopback:
# - mpirun -np 2 with the same global batch logs the losses of the one-process run within 1e-5
#   relative over 50 steps, and its step-50 checkpoint holds the same weights within 1e-5;
# - -np 3 with a batch of 4 (shares 2, 1, 1) does too; -np 5 with a batch of 4 is refused with
#   one line; ranks whose weights part (another optimiser on one) stop at the first checksum;
# - kill -9 of one rank mid-run ends the job, and the same command resumes from the last
#   checkpoint and logs exactly the losses of an uninterrupted 2-process run;
# - SIGTERM to one rank at a random step stops every rank at the same step with a checkpoint,
#   and resuming logs exactly the uninterrupted run's losses; likewise SIGUSR1 to mpirun (which
#   forwards it), and SIGINT to a run without
#   mpirun (GRU and LSTM), which resumed by 2 processes says so; a pruned run resumed by 2
#   processes matches its uninterrupted run. (A second signal:
#   tests/test_train_stop.c.)
set -eu
source "$(dirname "$0")/lib.sh" SRNN BUILD
trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
pid= # empty until the first background run: kill -9 0 would kill the whole process group

command -v mpirun >/dev/null || { echo "mpirun missing: apt-get install openmpi-bin"; exit 1; }
[ "$(cat "$BUILD/mpi" 2>/dev/null)" = 1 ] ||
    { echo "$SRNN was built without MPI: apt-get install libopenmpi-dev, then make MPI=1"; exit 1; }
# The tests run as root in containers, which Open MPI refuses unless told; two cores here.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# MPI's own allocations at start are never freed: no leak check under mpirun (the ASan build)
mpi() {
    ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0 mpirun --oversubscribe -np "$@"
}

"$PYTHON" tests/train_data.py "$dir/data" --files 2 --seconds 2 --seed 5
cat >"$dir/config.json" <<'JSON'
{"seq_len": 64, "frame_sizes": [4, 16], "dim": 16, "rnn_type": "gru", "num_rnn_layers": 2,
 "q_type": "mu-law", "q_levels": 256, "skip_conn": true}
JSON
# 4 batches of 50 steps, a resume point after each
options=(--data "$dir/data" --config "$dir/config.json" --batch_size 4
    --chunk_length 200 --chunk_overlap 50 --val_frac 0.25 --log_every 1 --threads 1
    --checkpoint_every_batches 1 --max_checkpoints none --generate false)

# (two epochs alone: time for a signal in the middle)
"$SRNN" train "${options[@]}" --num_epochs 2 --out "$dir/one" >"$dir/one.log"
options+=(--num_epochs 1)
mpi 2 "$SRNN" train "${options[@]}" --out "$dir/two" >"$dir/two.log"
mpi 3 "$SRNN" train "${options[@]}" --max_batches 1 --out "$dir/three" >"$dir/three.log"
grep -q "^MPI: 3 processes" "$dir/three.log" || fail "-np 3: no MPI line: $(head -3 "$dir/three.log")"
grep -q "^MPI: .* gradient sums of" "$dir/two.log" || fail "-np 2: no allreduce figures"
# Processes that update differently (another optimiser on rank 1, MPMD): the weight checksums
# part at the first comparison, which stops the job with one line.
if mpi 1 "$SRNN" train "${options[@]}" --out "$dir/parted" : -np 1 "$SRNN" train \
    "${options[@]}" --optimizer sgd --out "$dir/parted" >"$dir/parted.log" 2>&1; then
    fail "ranks with different optimisers: the run went on"
fi
grep -q "^srnn: train: .*the processes' weights differ at step 50 " "$dir/parted.log" ||
    fail "ranks with different optimisers: $(grep -m1 'srnn: train' "$dir/parted.log")"
ls "$dir/parted" | grep -q ckpt && fail "ranks with different optimisers: a checkpoint written"

checkpoints() { ls "$1" 2>/dev/null | grep -c '\.state$' || true; }
[ "$(grep -c "^checkpoint" "$dir/two.log")" -eq "$(checkpoints "$dir/two")" ] ||
    fail "-np 2: checkpoints not said once each"

# Losses within 1e-5 relative over the first 50 steps, weights at step 50 within 1e-5.
"$PYTHON" - "$dir" <<'PY' || fail "processes change the numbers"
import csv, sys
sys.path.insert(0, "tests/reference")
import numpy as np
from srnn_format import read_model

d = sys.argv[1]
def losses(run):
    with open(f"{d}/{run}/steps.csv") as f:
        return np.array([float(row["loss"]) for row in csv.DictReader(f)][:50])
one = losses("one")
assert len(one) == 50, len(one)
ok = True
for run in ("two", "three"):
    other = losses(run)
    worst = np.max(np.abs(other - one) / np.abs(one))
    a = read_model(f"{d}/one/ckpt-000000050.srnn")[1]
    b = read_model(f"{d}/{run}/ckpt-000000050.srnn")[1]
    weights = max(float(np.max(np.abs(a[k] - b[k]))) for k in a)
    print(f"{run}: losses within {worst:.2g} relative over 50 steps, weights within {weights:.2g}")
    if not (worst <= 1e-5 and weights <= 1e-5):
        print(f"{run}: too far")
        ok = False
sys.exit(0 if ok else 1)
PY

# More processes than rows of a batch: one line, no run.
if mpi 5 "$SRNN" train "${options[@]}" --out "$dir/five" >"$dir/five.log" 2>&1; then
    fail "-np 5 with --batch_size 4 ran"
fi
grep -q "^srnn: train: --batch_size 4 is smaller than the 5 processes" "$dir/five.log" ||
    fail "-np 5: $(head -3 "$dir/five.log")"
ls "$dir/five" 2>/dev/null | grep -q ckpt && fail "-np 5 wrote checkpoints"

# $1 run directory, $2 the signal, $3 a number of steps, then the command: runs it in the
# background and, once it has logged a random number of steps past its first checkpoint (step
# 50), fewer than $3 more, sends the signal to its last process. On a loaded machine the run
# can end before the signal lands (a step takes about a millisecond): then it starts again
# afresh, at most 3 times.
interrupt() {
    local out=$1 signal=$2 most=$3
    shift 3
    for try in 1 2 3; do
        rm -rf "$out" "$out.log"
        interrupt_once "$out" "$signal" $((50 + RANDOM % most)) "$@"
        [ $status -eq 0 ] && ! grep -q "^stopped at step" "$out.log" || return 0
        echo "$(basename "$out"): the run ended before the $signal (try $try)"
    done
}
interrupt_once() {
    local out=$1 signal=$2 steps=$3
    shift 3
    "$@" >>"$out.log" 2>&1 &
    pid=$!
    for _ in $(seq 3000); do
        [ "$(checkpoints "$out")" -gt 0 ] &&
            [ "$(($(wc -l <"$out/steps.csv" 2>/dev/null || echo 1) - 1))" -ge $steps ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.02
    done
    # down to mpirun's last rank: not the shell, not mpirun (but SIGUSR1 goes to mpirun, which
    # forwards it to every rank)
    local target=$pid child
    while child=$(pgrep -P $target | tail -n 1) && [ -n "$child" ]; do
        target=$child
        [ "$signal" = USR1 ] && [ "$(ps -o comm= -p $target)" = mpirun ] && break
    done
    kill "-$signal" $target 2>/dev/null || true
    status=0
    wait $pid || status=$?
    pid=
}
same_as() { # uninterrupted run, resumed run: the same logs and final weights
    for log in steps.csv epochs.csv; do
        cmp -s <(cut -d, -f1-7 "$dir/$1/$log") <(cut -d, -f1-7 "$dir/$2/$log") || {
            diff <(cut -d, -f1-7 "$dir/$1/$log") <(cut -d, -f1-7 "$dir/$2/$log") | head -5
            fail "$2: $log differs from $1's"
        }
    done
    local last
    last=$(ls "$dir/$1" | grep '\.srnn$' | grep ckpt | tail -n 1)
    cmp -s "$dir/$1/$last" "$dir/$2/$last" || {
        "$PYTHON" - "$dir/$1/$last" "$dir/$2/$last" <<'PY' || fail "$2: $last differs from $1's"
import sys
sys.path.insert(0, "tests/reference")
import numpy as np
from srnn_format import read_model
a, b = read_model(sys.argv[1])[1], read_model(sys.argv[2])[1]
sys.exit(0 if all(np.array_equal(a[k], b[k]) for k in a) else 1)
PY
    }
}

# kill -9 of one rank: the job ends; the same command resumes and matches the straight run.
interrupt "$dir/killed" KILL 50 mpi 2 "$SRNN" train "${options[@]}" --out "$dir/killed"
[ $status -ne 0 ] || fail "kill -9 of a rank: mpirun exited 0"
echo "kill -9 of a rank after $(checkpoints "$dir/killed") checkpoints: mpirun exit $status"
mpi 2 "$SRNN" train "${options[@]}" --out "$dir/killed" >>"$dir/killed.log" 2>&1
grep -q "^resuming from" "$dir/killed.log" || fail "kill -9: the rerun did not resume"
same_as two killed

# A pruned run stopped after 2 batches and resumed by 2 processes: rank 0 reads the mask and
# hands it to the other.
pruning=(--prune_density 0.5 --prune_start 0 --prune_end 60 --prune_every 20) # done before the resume
mpi 2 "$SRNN" train "${options[@]}" "${pruning[@]}" --out "$dir/pruned" >"$dir/pruned.log"
mpi 2 "$SRNN" train "${options[@]}" "${pruning[@]}" --max_batches 2 --out "$dir/pruned_resumed" \
    >"$dir/pruned_resumed.log"
mpi 2 "$SRNN" train "${options[@]}" "${pruning[@]}" --out "$dir/pruned_resumed" \
    >>"$dir/pruned_resumed.log" 2>&1 ||
    fail "pruned: the resumed run failed: $(grep -m1 '^srnn: train' "$dir/pruned_resumed.log")"
same_as pruned pruned_resumed

# SIGTERM to one rank: every rank stops at the same resume point, with a checkpoint.
interrupt "$dir/termed" TERM 50 mpi 2 "$SRNN" train "${options[@]}" --out "$dir/termed"
stopped=$(grep "^stopped at step" "$dir/termed.log" || true)
echo "SIGTERM to a rank: ${stopped:-not stopped} (exit $status)"
[ -n "$stopped" ] && [ $status -eq 0 ] || fail "SIGTERM to a rank: no stop line or exit $status"
step=$(sed -n 's/^stopped at step \([0-9]*\) .*/\1/p' "$dir/termed.log")
[ -n "$step" ] && [ -f "$dir/termed/ckpt-$(printf %09d "$step").state" ] ||
    fail "SIGTERM: no checkpoint at the stop step"
mpi 2 "$SRNN" train "${options[@]}" --out "$dir/termed" >>"$dir/termed.log" 2>&1
same_as two termed

# SIGUSR1 to mpirun (the way to stop a job: its Ctrl-C kills the ranks a second later): the same.
grep -q "^MPI: to stop with a checkpoint, pkill -USR1 -x mpirun" "$dir/two.log" ||
    fail "-np 2: how to stop is not said"
interrupt "$dir/usr1" USR1 50 mpi 2 "$SRNN" train "${options[@]}" --out "$dir/usr1"
stopped=$(grep "^stopped at step .*(SIGUSR1)" "$dir/usr1.log" || true)
echo "SIGUSR1 to mpirun: ${stopped:-not stopped} (exit $status)"
[ -n "$stopped" ] && [ $status -eq 0 ] || fail "SIGUSR1 to mpirun: no stop line or exit $status"
mpi 2 "$SRNN" train "${options[@]}" --out "$dir/usr1" >>"$dir/usr1.log" 2>&1
same_as two usr1

# SIGINT without mpirun: the same; the resumed run under 2 processes says so.
options[-1]=2
interrupt "$dir/inted" INT 50 "$SRNN" train "${options[@]}" --out "$dir/inted"
stopped=$(grep "^stopped at step" "$dir/inted.log" || true)
echo "SIGINT: ${stopped:-not stopped} (exit $status)"
[ -n "$stopped" ] && [ $status -eq 0 ] || fail "SIGINT: no stop line or exit $status"
grep -q "Ctrl-C again stops at once" "$dir/inted.log" || fail "SIGINT: not acknowledged"
cp -r "$dir/inted" "$dir/inted2"
"$SRNN" train "${options[@]}" --out "$dir/inted" >>"$dir/inted.log" 2>&1
same_as one inted
# An LSTM carries cell states too.
sed 's/"gru"/"lstm"/' "$dir/config.json" >"$dir/lstm.json"
lstm=("${options[@]/config.json/lstm.json}")
"$SRNN" train "${lstm[@]}" --out "$dir/lstm" >"$dir/lstm.log"
interrupt "$dir/lstm_inted" INT 50 "$SRNN" train "${lstm[@]}" --out "$dir/lstm_inted"
grep "^stopped at step" "$dir/lstm_inted.log" || fail "LSTM: SIGINT did not stop the run"
"$SRNN" train "${lstm[@]}" --out "$dir/lstm_inted" >>"$dir/lstm_inted.log" 2>&1
same_as lstm lstm_inted
mpi 2 "$SRNN" train "${options[@]}" --out "$dir/inted2" >"$dir/inted2.log" 2>&1
grep -q "^note: the checkpoint was made by 1 process, this run has 2" "$dir/inted2.log" ||
    fail "resuming with another number of processes is not said: $(grep -m1 note "$dir/inted2.log")"

finish "srnn train over MPI: $failed failures"
