#!/usr/bin/env bash
# Bad checkpoints, configs and flags for srnn import, export and ckpt-ls: each must end with
# the documented exit code and exactly one line on stderr, "srnn: " and a message naming the
# problem (matched below), and leave no model file behind. Under the sanitizer build any
# memory error would add lines and change the exit code. The damage: truncated and bit-flipped
# index files, a flipped bit, truncation or absence of a data shard, a block of an unknown
# compression type and a corrupt Snappy block (checksums made right, so that the decoders are
# reached), configs that do not fit the checkpoint, broken config files, paths that name no
# checkpoint, a real TensorFlow checkpoint that is not a SampleRNN, and bad flags.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
DATA=${TF_CHECKPOINTS:-../shared/data/tf-checkpoints}
checked=0

# expect CODE REGEX COMMAND...: exit CODE, one stderr line "srnn: ..." matching REGEX.
expect() {
    local code=$1 pattern=$2
    shift 2
    checked=$((checked + 1))
    rm -f "$dir/out.srnn"
    timeout 60 bash -c '"$@"' expect "$@" >"$dir/stdout" 2>"$dir/stderr" </dev/null
    local rc=$? lines
    lines=$(wc -l <"$dir/stderr")
    if [ $rc -ne "$code" ] || [ "$lines" -ne 1 ] || ! grep -qE "^srnn: .*($pattern)" "$dir/stderr"; then
        fail "$(printf '%q ' "${@:2}"): exit $rc (want $code), stderr: $(head -c 600 "$dir/stderr")"
        return
    fi
    [ ! -e "$dir/out.srnn" ] || fail "$*: left a model file"
    echo "ok ($(cut -c1-150 "$dir/stderr"))"
}

import() { # config checkpoint [flags]
    "$SRNN" import --config "$1" --checkpoint "$2" -o "$dir/out.srnn" "${@:3}"
}
export -f import
export SRNN dir

# A good checkpoint of the golden GRU case (two shards), and its config.
good=$dir/good/model.ckpt-1
mkdir -p "$dir/good"
"$PYTHON" tests/reference/prism_ckpt.py write "$GOLDEN/gru.srnn" "$good" "$dir/cfg.json" \
    --shards 2 --block-size 512 >/dev/null || { echo "cannot write the checkpoint"; exit 1; }
import "$dir/cfg.json" "$good" >/dev/null 2>&1 || { echo "the good checkpoint does not import"; exit 1; }

copy() { # name: a fresh copy of the good checkpoint; prints its prefix
    rm -rf "${dir:?}/$1" && mkdir -p "$dir/$1" && cp "$dir"/good/model.ckpt-1.* "$dir/$1/" &&
        echo "$dir/$1/model.ckpt-1"
}

# ---- The index ------------------------------------------------------------------------------
index_size=$(stat -c %s "$good.index")
for size in 0 20 47 48 $((index_size / 2)) $((index_size - 1)); do
    p=$(copy cut) && truncate -s "$size" "$p.index"
    expect 1 "model.ckpt-1.index: .*(shorter than a table's footer|no table magic)" \
        import "$dir/cfg.json" "$p"
done
for at in 0 7 $((index_size / 3)) $((index_size - 60)) $((index_size - 48)) $((index_size - 3)); do
    p=$(copy flip)
    printf "$(printf '\\%03o' $(( $(od -An -tu1 -j "$at" -N1 "$p.index") ^ 4 )))" |
        dd of="$p.index" bs=1 seek="$at" conv=notrunc status=none
    expect 1 "model.ckpt-1.index: .*(CRC-32C mismatch|no table magic|outside the index|footer is malformed)" \
        import "$dir/cfg.json" "$p"
done

# Block types, with the checksum made right: 2 (unknown), and 1 (Snappy) over plain bytes.
retype() { # prefix type
    "$PYTHON" - "$1.index" "$2" <<'EOF'
import struct, sys
sys.path.insert(0, "tests/reference")
from prism_ckpt import crc32c, mask, read_varint
path, kind = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
footer = data[-48:-8]
_, pos = read_varint(footer, 0)
_, pos = read_varint(footer, pos)
index_offset, pos = read_varint(footer, pos)
# the index block's first entry: shared 0, key length, value length, key, handle
_, pos = read_varint(data, index_offset)
key_length, pos = read_varint(data, pos)
_, pos = read_varint(data, pos)
offset, pos = read_varint(data, pos + key_length)
size, _ = read_varint(data, pos)
data[offset + size] = kind
data[offset + size + 1:offset + size + 5] = struct.pack("<I", mask(crc32c(bytes(data[offset:offset + size + 1]))))
open(path, "wb").write(data)
EOF
}
p=$(copy type2) && retype "$p" 2
expect 1 "compression type 2 is not supported" import "$dir/cfg.json" "$p"
p=$(copy snappy) && retype "$p" 1
expect 1 "index: .*(Snappy|malformed|restart|too short)" import "$dir/cfg.json" "$p"

# ---- The data shards --------------------------------------------------------------------------
shard=model.ckpt-1.data-00001-of-00002
p=$(copy data)
printf '\377' | dd of="$p.data-00001-of-00002" bs=1 seek=100 conv=notrunc status=none
expect 1 "tensor '.*': CRC-32C mismatch" import "$dir/cfg.json" "$p"
p=$(copy short) && truncate -s 1000 "$p.data-00001-of-00002"
expect 1 "$shard is truncated" import "$dir/cfg.json" "$p"
p=$(copy missing) && rm "$p.data-00001-of-00002"
expect 1 "missing data shard .*$shard" import "$dir/cfg.json" "$p"
expect 1 "missing data shard" "$SRNN" ckpt-ls "$p"

# ---- Configs that do not fit the checkpoint ------------------------------------------------
edit() { # name python-expression-on-c: writes $dir/NAME.json from the good config
    "$PYTHON" -c "import json, sys; c = json.load(open(sys.argv[1])); $2
json.dump(c, open(sys.argv[2], 'w'))" "$dir/cfg.json" "$dir/$1.json"
}
holds='the checkpoint holds frame_sizes \[16, 64\], dim 32, q_levels 256, num_rnn_layers 2, rnn_type gru, skip_conn false'
edit dim 'c["dim"] = 24'
expect 1 "do not match: wrong shape: big_frame_rnn/inputs/kernel is float32 \[64,32\] \(the config needs float32 \[64,24\]\).*and [0-9]+ more.*$holds" \
    import "$dir/dim.json" "$good"
edit deeper 'c["num_rnn_layers"] = 3'
expect 1 "missing big_frame_rnn/rnn/layer_2/cell/kernel \[32,96\].*$holds" import "$dir/deeper.json" "$good"
edit shallower 'c["num_rnn_layers"] = 1'
expect 1 "unused weights big_frame_rnn/rnn/layer_1/cell/bias.*$holds" import "$dir/shallower.json" "$good"
edit lstm 'c["rnn_type"] = "LSTM"'
expect 1 "wrong shape: .*layer_0/cell/bias is float32 \[2,96\] \(the config needs float32 \[128\]\)" \
    import "$dir/lstm.json" "$good"
edit skip 'c["skip_conn"] = True'
expect 1 "missing big_frame_rnn/rnn/layer_0_skip_out/kernel" import "$dir/skip.json" "$good"
edit linear 'c["q_type"] = "linear"; c["q_levels"] = 300'
expect 1 "wrong shape: .*sample_mlp/embedding/embeddings is float32 \[256,256\]" import "$dir/linear.json" "$good"
edit frames 'c["frame_sizes"] = [8, 64]'
expect 1 "wrong shape: big_frame_rnn/upsample is float32 \[4,32,32\] \(the config needs float32 \[8,32,32\]\)" \
    import "$dir/frames.json" "$good"

# ---- Broken config files --------------------------------------------------------------------
printf '{"dim": 32,' >"$dir/broken.json"
expect 1 "broken.json: not valid JSON" import "$dir/broken.json" "$good"
expect 1 "nowhere.json: No such file" import "$dir/nowhere.json" "$good"
edit nodim 'del c["dim"]'
expect 1 "nodim.json: 'dim' is missing" import "$dir/nodim.json" "$good"
edit textdim 'c["dim"] = "32"'
expect 1 "'dim' must be a whole number" import "$dir/textdim.json" "$good"
edit halfdim 'c["dim"] = 2.5'
expect 1 "'dim' must be a whole number" import "$dir/halfdim.json" "$good"
edit zerodim 'c["dim"] = 0'
expect 1 "'dim' must be a whole number" import "$dir/zerodim.json" "$good"
edit oneframe 'c["frame_sizes"] = [16]'
expect 1 "'frame_sizes' must be \[frame_size, big_frame_size\]" import "$dir/oneframe.json" "$good"
edit odd 'c["frame_sizes"] = [16, 60]'
expect 1 "odd.json: .*big_frame_size" import "$dir/odd.json" "$good"
edit rnn 'c["rnn_type"] = "rnn"'
expect 1 "rnn_type 'rnn' is not gru or lstm" import "$dir/rnn.json" "$good"
edit alaw 'c["q_type"] = "a-law"'
expect 1 "q_type 'a-law' is not mu-law or linear" import "$dir/alaw.json" "$good"
edit skipword 'c["skip_conn"] = "yes"'
expect 1 "'skip_conn' must be true or false" import "$dir/skipword.json" "$good"
edit array '
c = [c]'
expect 1 "array.json: not a JSON object" import "$dir/array.json" "$good"

# ---- Paths that name no checkpoint, and checkpoints that are not PRiSM's ---------------------
expect 1 "no checkpoint at .*/good/model.ckpt-2: .*model.ckpt-2.index is missing" \
    import "$dir/cfg.json" "$dir/good/model.ckpt-2"
expect 1 "good is a directory without a 'checkpoint' file" import "$dir/cfg.json" "$dir/good"
expect 1 "names the latest checkpoint 'ckpt_8', but .*ckpt_8.index is missing" \
    "$SRNN" ckpt-ls "$DATA/SShang7+DrumRNN/training_checkpoints"
expect 1 "unused weights layer_with_weights-.*does not look like a PRiSM SampleRNN" \
    import "$dir/cfg.json" "$DATA/MikeGongolidis+DinoRNN/training_checkpoints/1/ckpt_1"
expect 1 "missing data shard" "$SRNN" ckpt-ls "$DATA/akshat0098+generative-text-gru/ckpt_1"

# ---- Flags ----------------------------------------------------------------------------------
expect 2 "import: --config is required" "$SRNN" import --checkpoint "$good"
expect 2 "import: --checkpoint is required" "$SRNN" import --config "$dir/cfg.json"
expect 2 "unexpected argument" "$SRNN" import --config "$dir/cfg.json" --checkpoint "$good" extra
expect 2 "--sample-rate: 'fast' is not a whole number" import "$dir/cfg.json" "$good" --sample-rate fast
expect 1 "--sample-rate: .*sample_rate" import "$dir/cfg.json" "$good" --sample-rate 5
expect 2 "--name must be one line" import "$dir/cfg.json" "$good" --name ""
expect 1 "/no/such/dir/m.srnn" "$SRNN" import --config "$dir/cfg.json" --checkpoint "$good" \
    -o /no/such/dir/m.srnn
expect 2 "export: --prism OUTDIR is required" "$SRNN" export "$GOLDEN/gru.srnn"
expect 1 "nothing.srnn" "$SRNN" export --prism "$dir/e" "$dir/nothing.srnn"
touch "$dir/file"
expect 1 "cannot create directory .*file: a file is in the way" \
    "$SRNN" export --prism "$dir/file" "$GOLDEN/gru.srnn"
expect 1 "cannot create directory" "$SRNN" export --prism /no/such/dir/e "$GOLDEN/gru.srnn"
expect 2 "--stats needs the data" "$SRNN" ckpt-ls --index-only --stats "$good"
expect 2 "missing arguments" "$SRNN" ckpt-ls
expect 1 "no checkpoint at" "$SRNN" ckpt-ls "$dir/none"

finish "$checked checks, $failed failures"
