#!/usr/bin/env bash
# PRiSM checkpoints in, and back out. For every golden case, tests/reference/prism_ckpt.py
# (independent of the C code) writes the model as PRiSM's training would save it, each case
# in another way: one to three data shards, Keras save_weights or the older tf.train.Checkpoint
# layout ("model/..."), Snappy-compressed or tiny table blocks, with or without Adam's state,
# a mu-law config saying q_levels 512, a config without sample_rate; and the checkpoint is
# named as a prefix, an .index file, a data shard or a run directory. Then:
#   - `srnn import` must give the golden model's config and weights bit for bit, and
#     `srnn eval` its NLL within 1e-5 relative of the PyTorch reference's;
#   - `srnn export --prism` of the golden model must restore in the Python reader the way
#     TensorFlow's object-based restore walks it, to the same weights bit for bit, and
#     importing the export must give back the golden model file byte for byte.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
[ -s "$GOLDEN/cases.txt" ] || { echo "no golden cases in $GOLDEN/cases.txt" >&2; exit 1; }
checked=0
golden() { awk -F= -v k="$2" '$1 == k { print $2 }' "$GOLDEN/$1.golden.txt"; }

# How each case is saved and named: prism_ckpt.py flags | the path given to import | extra
# import flags | what is done to the config.
declare -A SAVE PATH_FORM FLAGS CONFIG_EDIT
SAVE=([gru]="" [lstm]="--shards 2 --block-size 200 --restart-interval 3"
      [gru_skip]="--layout checkpoint" [lstm_skip]="--snappy --shards 3"
      [linear512]="--no-optimizer" [frames_4_12]="--q-levels-in-config 512"
      [frames_8_8]="--snappy --layout checkpoint --block-size 64"
      [lstm_linear]="--shards 2 --restart-interval 1")
PATH_FORM=([lstm]=index [gru_skip]=directory [lstm_skip]=shard [frames_8_8]=directory)
FLAGS=([frames_4_12]="--sample-rate 8000")
CONFIG_EDIT=([gru]=drop_rate [frames_4_12]=drop_rate)

same_model() { # a b: same config and weights, bit for bit (metadata aside)
    "$PYTHON" - "$1" "$2" <<'EOF'
import sys
sys.path.insert(0, "tests/reference")
from srnn_format import read_model
a, b = read_model(sys.argv[1]), read_model(sys.argv[2])
if a[0] != b[0]:
    sys.exit(f"config {a[0]} != {b[0]}")
for name in a[1]:
    if a[1][name].tobytes() != b[1][name].tobytes():
        sys.exit(f"{name} differs")
EOF
}

while read -r name; do
    [ -n "$name" ] || continue
    checked=$((checked + 1))
    run=$dir/$name/run
    mkdir -p "$run"
    prefix=$run/model.ckpt-7
    # shellcheck disable=SC2086
    "$PYTHON" tests/reference/prism_ckpt.py write "$GOLDEN/$name.srnn" "$prefix" \
        "$dir/$name/config.json" --seed "$checked" ${SAVE[$name]:-} >/dev/null ||
        { fail "$name: prism_ckpt.py write"; continue; }
    if [ "${CONFIG_EDIT[$name]:-}" = drop_rate ]; then
        "$PYTHON" -c 'import json, sys; c = json.load(open(sys.argv[1])); del c["sample_rate"]
json.dump(c, open(sys.argv[1], "w"))' "$dir/$name/config.json"
    fi
    case ${PATH_FORM[$name]:-prefix} in
        prefix) path=$prefix ;;
        index) path=$prefix.index ;;
        shard) path=$prefix.data-00001-of-00003 ;;
        directory) path=$run
            printf 'model_checkpoint_path: "model.ckpt-7"\nall_model_checkpoint_paths: "model.ckpt-7"\n' \
                >"$run/checkpoint" ;;
    esac
    model=$dir/$name/imported.srnn
    # shellcheck disable=SC2086
    if ! "$SRNN" import --config "$dir/$name/config.json" --checkpoint "$path" -o "$model" \
            ${FLAGS[$name]:-} >"$dir/out" 2>&1; then
        fail "$name: import: $(cat "$dir/out")"
        continue
    fi
    problem=$(same_model "$model" "$GOLDEN/$name.srnn" 2>&1) ||
        fail "$name: imported model differs from the golden one: $problem"
    if ! "$SRNN" eval "$model" "$GOLDEN/$name.wav" >"$dir/eval" 2>&1; then
        fail "$name: eval: $(cat "$dir/eval")"
        continue
    fi
    nll=$(awk '$1 == "nll_nats:" { print $2 }' "$dir/eval")
    want=$(golden "$name" nll_nats)
    awk -v got="$nll" -v want="$want" \
        'BEGIN { d = got - want; if (d < 0) d = -d; exit !(got != "" && d <= 1e-5 * want) }' ||
        fail "$name: NLL $nll nats, PyTorch's $want"

    # Out to PRiSM and back.
    out=$dir/$name/export
    if ! "$SRNN" export --prism "$out" "$GOLDEN/$name.srnn" >"$dir/out" 2>&1; then
        fail "$name: export: $(cat "$dir/out")"
        continue
    fi
    "$PYTHON" tests/reference/prism_ckpt.py restore "$out/model.ckpt-0" "$GOLDEN/$name.srnn" \
        >"$dir/out" 2>&1 || fail "$name: the export does not restore: $(cat "$dir/out")"
    back=$dir/$name/back.srnn dense=$dir/$name/dense.srnn
    # a checkpoint holds dense tensors: a block-sparse golden model comes back as its dense
    # float32 conversion, which for the others is the golden file itself (test_convert.sh)
    if "$SRNN" convert "$GOLDEN/$name.srnn" -o "$dense" --precision float32 >"$dir/out" 2>&1 &&
        "$SRNN" import --config "$out/config.json" --checkpoint "$out" -o "$back" \
            >"$dir/out" 2>&1; then
        cmp -s "$back" "$dense" || fail "$name: export then import is not the same file"
    else
        fail "$name: convert or import of the export: $(cat "$dir/out")"
    fi
    echo "ok $name (${SAVE[$name]:-plain}, ${PATH_FORM[$name]:-prefix}): NLL $nll nats," \
        "PyTorch $want; export restores and imports back byte for byte"
done <"$GOLDEN/cases.txt"
[ $checked -ge 8 ] || fail "only $checked golden cases"

# PRiSM does not use emb_size: a config with 0 imports, and the model goes out and back.
first=$(awk 'NF { print; exit }' "$GOLDEN/cases.txt")
"$PYTHON" -c 'import json, sys; c = json.load(open(sys.argv[1])); c["emb_size"] = 0
json.dump(c, open(sys.argv[2], "w"))' "$dir/$first/config.json" "$dir/emb0.json"
if "$SRNN" import --config "$dir/emb0.json" --checkpoint "$dir/$first/run/model.ckpt-7" \
        -o "$dir/emb0.srnn" >"$dir/out" 2>&1 &&
    "$SRNN" export --prism "$dir/emb0" "$dir/emb0.srnn" >"$dir/out" 2>&1 &&
    "$SRNN" import --config "$dir/emb0/config.json" --checkpoint "$dir/emb0" \
        -o "$dir/emb0_back.srnn" >"$dir/out" 2>&1; then
    cmp -s "$dir/emb0.srnn" "$dir/emb0_back.srnn" || fail "emb_size 0: not the same file back"
    grep -q '"emb_size": 0,' "$dir/emb0/config.json" || fail "emb_size 0: not in the config"
else
    fail "emb_size 0: $(cat "$dir/out")"
fi

finish "$checked cases, $failed failures"
