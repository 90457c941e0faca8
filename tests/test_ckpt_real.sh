#!/usr/bin/env bash
# The checkpoint reader on real TensorFlow checkpoints (../shared/data/tf-checkpoints, from
# public repositories): `srnn ckpt-ls` must list the same tensors, dtypes and shapes as the
# independent Python reader (tests/reference/prism_ckpt.py), both verifying every checksum,
# and where the data shards are there, the same min, max and mean of every number tensor
# (means within 1e-9 relative: the sums run in different orders). Then the facts the data's
# README states about the two-shard Keras GRU checkpoint, and a checkpoint of every dtype.
set -u
source "$(dirname "$0")/lib.sh" SRNN
DATA=${TF_CHECKPOINTS:-../shared/data/tf-checkpoints}
[ -d "$DATA" ] || { echo "no checkpoints at $DATA" >&2; exit 1; }
checked=0

while IFS= read -r index; do
    prefix=${index%.index}
    name=${prefix#"$DATA"/}
    checked=$((checked + 1))
    mode=--index-only
    ls "$prefix".data-* >/dev/null 2>&1 && mode=--stats
    if ! "$SRNN" ckpt-ls $mode "$prefix" >"$dir/c" 2>"$dir/err"; then
        fail "$name: srnn ckpt-ls $mode: $(cat "$dir/err")"
        continue
    fi
    "$PYTHON" tests/reference/prism_ckpt.py stats ${mode/--stats/} "$prefix" >"$dir/py" ||
        { fail "$name: the Python reader failed"; continue; }
    summary=$(tail -n 1 "$dir/c")
    if ! "$PYTHON" - "$dir/c" "$dir/py" <<'PY'; then
import sys
c_lines = open(sys.argv[1]).read().splitlines()[:-1]
py_lines = open(sys.argv[2]).read().splitlines()
if len(c_lines) != len(py_lines):
    sys.exit(f"{len(c_lines)} tensors listed, the Python reader finds {len(py_lines)}")
for c, p in zip(c_lines, py_lines):
    c, p = c.split(), p.split()
    if c[:3] != p[:3] or len(c) != len(p):
        sys.exit(f"listed {' '.join(c)}, the Python reader has {' '.join(p)}")
    for label, got, want in zip(c[3::2], c[4::2], p[4::2]):
        got, want = float(got), float(want)
        limit = 1e-9 * abs(want) if label == "mean" else 0.0
        if abs(got - want) > limit:
            sys.exit(f"{c[0]}: {label} {got!r}, the Python reader's {want!r}")
PY
        fail "$name: differs from the Python reader"
        continue
    fi
    echo "ok $name: $summary"
done < <(find "$DATA" -name '*.index' | sort)
[ $checked -ge 4 ] || fail "found $checked checkpoints in $DATA, expected 4"

# The README's description of DinoRNN's checkpoint (Keras save_weights, two data shards).
dino=$DATA/MikeGongolidis+DinoRNN/training_checkpoints/1/ckpt_1
"$SRNN" ckpt-ls "$dino" >"$dir/dino" 2>&1 || fail "DinoRNN: $(cat "$dir/dino")"
for expected in \
    'layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE float32 [27,64]' \
    'layer_with_weights-1/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE float32 [64,768]' \
    'layer_with_weights-1/cell/recurrent_kernel/.ATTRIBUTES/VARIABLE_VALUE float32 [256,768]' \
    'layer_with_weights-1/cell/bias/.ATTRIBUTES/VARIABLE_VALUE float32 [2,768]' \
    'layer_with_weights-2/kernel/.ATTRIBUTES/VARIABLE_VALUE float32 [256,27]' \
    'layer_with_weights-2/bias/.ATTRIBUTES/VARIABLE_VALUE float32 [27]' \
    'layer_with_weights-1/cell/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE float32 [64,768]' \
    'optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE int64 []' \
    '_CHECKPOINTABLE_OBJECT_GRAPH string []' \
    '24 tensors in 2 data shards; every checksum verified'; do
    awk '{ $1 = $1; print }' "$dir/dino" | grep -qxF -- "$expected" ||
        fail "DinoRNN: no line '$expected'"
done

# Every dtype the Python writer knows, scalars and empty tensors included: listed with its
# name, and for real numbers the same stats (checks the reader's dtype table and conversions).
"$PYTHON" - "$dir/dtypes" <<'EOF' || fail "cannot write the dtype checkpoint"
import sys
import numpy as np
sys.path.insert(0, "tests/reference")
from prism_ckpt import NUMPY_TYPES, write_bundle
rng = np.random.default_rng(3)
values = rng.normal(0, 1e3, (3, 5)) + 1j * rng.normal(0, 1, (3, 5))
kinds = {"c": values, "u": np.abs(values.real)}
tensors = {f"t{code:02d}": kinds.get(np.dtype(t).kind, values.real).astype(t)
           for code, t in NUMPY_TYPES.items()}
tensors["scalar"] = np.asarray(np.float32(-2.5))
tensors["empty"] = np.zeros((2, 0, 3), np.int64)
tensors["text"] = b"a string tensor"
write_bundle(sys.argv[1], tensors, shards=2)
EOF
if "$SRNN" ckpt-ls --stats "$dir/dtypes" >"$dir/c" 2>"$dir/err"; then
    "$PYTHON" tests/reference/prism_ckpt.py stats "$dir/dtypes" >"$dir/py"
    sed '$d' "$dir/c" | awk '{ $1 = $1; print }' >"$dir/c2"
    if diff "$dir/c2" "$dir/py" >"$dir/diff"; then
        echo "ok every dtype: $(awk '{ printf "%s ", $2 }' "$dir/c2")"
    else
        fail "dtypes listed differently: $(head -c 800 "$dir/diff")"
    fi
else
    fail "ckpt-ls of every dtype: $(cat "$dir/err")"
fi

finish "$checked checkpoints, $failed failures"
