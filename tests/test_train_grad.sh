#!/usr/bin/env bash
# The C trainer against PyTorch autograd (tests/reference/train_ref.py) on small models of every
# variant (GRU, LSTM, skip connections, linear quantisation, frame sizes) and every optimiser:
# all parameter gradients of two subsequences (the second with carried states) within 1e-3
# relative or 1e-5 absolute, and the losses of 20 training steps within 1e-3 nats. Two cases
# are pruned (srnn train --prune_*): the C trainer prunes with its own code, the reference with
# its own, and the pruned weights must stay exactly zero through the steps.
set -eu
source "$(dirname "$0")/lib.sh" BUILD
"$PYTHON" tests/reference/train_ref.py grad "$dir"
cases=$(cat "$dir/cases.txt")
[ "$(echo "$cases" | wc -w)" -ge 6 ] || { echo "train_ref.py wrote too few cases"; exit 1; }
status=0
for name in $cases; do
    "$BUILD/tests/train_check" "$dir" "$name" || status=1
done
exit $status
