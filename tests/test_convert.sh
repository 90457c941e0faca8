#!/usr/bin/env bash
# srnn convert and the versions 2 to 4 of the format (models/FORMAT.md): every golden model
# converted to each precision (and to int4 frame tiers with an int8 sample MLP) is decoded
# here, independently, from the format's text (numpy's float16, the bfloat16 shift, int8 rows
# with their scales, int4 nibbles with the scales of their groups down each column) and must hold the original
# weights within the dtype's rounding (int4: no more squared error than max/7 rounding); srnn info and eval read it (NLL near float32's);
# float32 converts back to the very same bytes; damaged version 2 and 3 files and bad flags
# get one line and exit != 0.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
[ -s "$GOLDEN/cases.txt" ] || { echo "no golden cases in $GOLDEN/cases.txt" >&2; exit 1; }

while read -r name; do
    [ -n "$name" ] || continue
    case $name in gru_sparse | gru_unfold) continue ;; esac # version 4: --density below
    model=$GOLDEN/$name.srnn
    for precision in float32 float16 bfloat16 int8 int4 int4/int8; do
        out=$dir/$name.${precision/\//-}.srnn
        if ! "$SRNN" convert "$model" -o "$out" --precision "$precision" 2>"$dir/err"; then
            fail "$name $precision: convert: $(cat "$dir/err")"
            continue
        fi
        "$PYTHON" - "$model" "$out" "$precision" <<'EOF' || failed=$((failed + 1))
import struct, sys, zlib
import numpy as np

original, converted, precision = sys.argv[1:]
DTYPES = {"float32": 0, "float16": 1, "bfloat16": 2, "int8": 3, "int4": 4}
frame_precision, _, sample_precision = precision.partition("/")
sample_precision = sample_precision or frame_precision
GROUP = 32  # int4: one scale per 32 consecutive rows of a column

def read(path):
    data = open(path, "rb").read()
    version, = struct.unpack_from("<I", data, 8)
    count, = struct.unpack_from("<I", data, 28)
    stored = bytearray(data)
    stored[24:28] = b"\0\0\0\0"
    assert zlib.crc32(stored) == struct.unpack_from("<I", data, 24)[0], "checksum"
    tensors = {}
    for i in range(count):
        entry = 128 + 96 * i
        name = data[entry:entry + 56].rstrip(b"\0").decode()
        dtype, ndim = struct.unpack_from("<II", data, entry + 56)
        shape = struct.unpack_from("<4I", data, entry + 64)[:ndim]
        offset, size = struct.unpack_from("<QQ", data, entry + 80)
        n, rows = int(np.prod(shape)), int(np.prod(shape[:-1]))
        raw = data[offset:offset + size]
        if dtype == 0:
            assert size == 4 * n
            values = np.frombuffer(raw, "<f4").astype(np.float64)
        elif dtype == 1:
            assert size == 2 * n
            values = np.frombuffer(raw, "<f2").astype(np.float64)
        elif dtype == 2:
            assert size == 2 * n
            values = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        elif dtype == 3:
            assert size == 4 * rows + n
            scales = np.frombuffer(raw[:4 * rows], "<f4").astype(np.float64)
            values = (np.frombuffer(raw[4 * rows:], np.int8).reshape(rows, -1) * scales[:, None]).ravel()
        else:  # int4 (version 4): a stack of matrices (a vector: one column), the scales of the
            # groups of 32 rows of each column, then two's complement nibbles, low first
            matrix = (shape[0], 1) if len(shape) == 1 else shape[-2:]
            stack, groups = n // (matrix[0] * matrix[1]), -(-matrix[0] // GROUP)
            count = stack * groups * matrix[1]
            assert size == 4 * count + (n + 1) // 2
            scales = np.frombuffer(raw[:4 * count], "<f4").astype(np.float64).reshape(stack, groups, matrix[1])
            packed = np.frombuffer(raw[4 * count:], np.uint8)
            nibbles = np.stack([packed & 15, packed >> 4], axis=1).ravel()[:n].astype(np.int64)
            q = np.where(nibbles >= 8, nibbles - 16, nibbles).reshape(stack, matrix[0], matrix[1])
            values = (q * scales[:, np.arange(matrix[0]) // GROUP, :]).ravel()
        tensors[name] = (dtype, values.reshape(shape), struct.unpack_from("<2I", data, 100))
    return version, tensors

v1, reference = read(original)
v2, tensors = read(converted)
want_version = (1 if precision == "float32" else 4 if "int4" in precision else
                3 if frame_precision != sample_precision else 2)
errors = []
if v2 != want_version:
    errors.append(f"version {v2}, want {want_version}")
header = tensors[next(iter(tensors))][2]
if v2 >= 2 and header[0] != DTYPES[frame_precision]:
    errors.append("header precision")
if v2 >= 3 and header[1] != DTYPES[sample_precision]:
    errors.append("header sample_precision")
for name, (_, ref, _) in reference.items():
    dtype, got, _ = tensors[name]
    tier = sample_precision if name.startswith("sample_mlp/") else frame_precision
    want_dtype = 0 if name.endswith("/bias") else DTYPES[tier]
    folded = ("/upsample" in name or "/input/kernel" in name or "layer_0/kernel" in name
              or name in ("sample_mlp/embedding", "sample_mlp/hidden1/kernel"))
    # the engine runs these at int8 in an int4 model (engine/prepare.c)
    spared = name.endswith("/recurrent_kernel") or name == "sample_mlp/output/kernel"
    if want_dtype == DTYPES["int4"] and (folded or spared):  # folded: rounded to int4 again after the fold
        want_dtype = DTYPES["int8"]
    if dtype != want_dtype:
        errors.append(f"{name}: dtype {dtype}, want {want_dtype}")
        continue
    error = np.abs(got - ref)
    if dtype == 0:
        bound = np.zeros_like(ref)
    elif dtype == 1:  # half: 11 significant bits; below 2^-14 stored as zero
        bound = np.maximum(np.abs(ref) * 2.0 ** -11, 2.0 ** -14)
    elif dtype == 2:  # bfloat16: 8 significant bits
        bound = np.abs(ref) * 2.0 ** -8
    elif dtype == 3:  # int8: half a step of the row's scale, max|row| / 127
        rows = ref.reshape(-1, ref.shape[-1])
        bound = np.repeat(np.abs(rows).max(axis=1) / 127 / 2, rows.shape[1]).reshape(ref.shape)
    else:  # int4 (-8 ... 7): within a quarter of the group's largest magnitude (a clamped value
        # loses at most |v| - 7|v|/8.5), and in all no more squared error than rounding to
        # max|group| / 7 on -7 ... 7, which the engine's choice of scale improves on
        matrices = ref.reshape((-1, ref.shape[0], 1) if ref.ndim == 1 else (-1,) + ref.shape[-2:])
        bound, symmetric = np.empty_like(matrices), np.empty_like(matrices)
        for start in range(0, matrices.shape[1], GROUP):
            group = matrices[:, start:start + GROUP, :]
            step = np.abs(group).max(axis=1, keepdims=True) / 7
            bound[:, start:start + GROUP, :] = step * 7 / 4
            symmetric[:, start:start + GROUP, :] = np.round(group / np.where(step > 0, step, 1)) * step
        bound = bound.reshape(ref.shape)
        least = ((symmetric.reshape(ref.shape) - ref) ** 2).sum()
        if (error ** 2).sum() > least * (1 + 1e-6):
            errors.append(f"{name}: squared error {(error ** 2).sum():.6g}, max/7 rounding's {least:.6g}")
    if not np.all(error <= bound * (1 + 1e-6)):
        worst = np.unravel_index(np.argmax(error - bound), ref.shape)
        errors.append(f"{name}: {got[worst]} for {ref[worst]}")
print(f"{original.split('/')[-1]:22} {precision:9} {len(reference)} tensors decoded: "
      + ("ok" if not errors else "FAIL " + "; ".join(errors[:3])))
sys.exit(1 if errors else 0)
EOF
    done
    # info and eval read converted files; the NLL stays near float32's
    f32_nll=$("$SRNN" eval "$dir/$name.float32.srnn" "$GOLDEN/$name.wav" | sed -n 's/^nll_nats: //p')
    for precision in float16 bfloat16 int8 int4 int4-int8; do
        info=$("$SRNN" info "$dir/$name.$precision.srnn" 2>&1) || fail "$name $precision: info: $info"
        nll=$("$SRNN" eval "$dir/$name.$precision.srnn" "$GOLDEN/$name.wav" 2>&1 | sed -n 's/^nll_nats: //p')
        "$PYTHON" -c "
import sys
f32, got, precision = float('$f32_nll'), float('${nll:-nan}'), '$precision'
# relative NLL changes; int4 measured at most 0.013 on these random models (int4-int8 0.0032;
# 0.09 and 0.05 before int4 kept the recurrent kernels and the output layer at int8)
bound = {'float16': 0.002, 'bfloat16': 0.005, 'int8': 0.01, 'int4': 0.04, 'int4-int8': 0.02}[precision]
ok = abs(got - f32) <= bound * f32
print(f'$name'.ljust(22), precision.ljust(9), f'NLL {got:.5f} nats, float32 {f32:.5f}:', 'ok' if ok else 'FAIL')
sys.exit(0 if ok else 1)" || failed=$((failed + 1))
    done
    # back to float32: a version 1 file again, equal to converting the original's weights
    "$SRNN" convert "$dir/$name.float32.srnn" -o "$dir/again.srnn" --precision float32 &&
        cmp -s "$dir/again.srnn" "$model" || fail "$name: float32 round trip differs"
done < "$GOLDEN/cases.txt"

# --density: C prunes as the Python reference does (the same pieces, by L2 norm) and writes
# version 4 byte for byte as tests/reference/srnn_format.py does
"$SRNN" convert "$GOLDEN/gru_skip.srnn" -o "$dir/sparse.srnn" --density 0.3 2>"$dir/err" &&
    [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q "costs quality" "$dir/err" ||
    fail "convert --density 0.3: no one-line warning: $(cat "$dir/err")"
PYTHONPATH=tests/reference "$PYTHON" - "$GOLDEN/gru_skip.srnn" "$dir/sparse.srnn" <<'EOF' || failed=$((failed + 1))
import struct, sys, zlib
import numpy as np
from srnn_format import decode_model, encode_model, prune
original, converted = sys.argv[1:]
cfg, weights, metadata = decode_model(open(original, "rb").read())
data = open(converted, "rb").read()
masks = {}
got_cfg, got, got_metadata = decode_model(data, masks)
assert struct.unpack_from("<I", data, 8)[0] == 4, "not version 4"
for name, value in weights.items():
    if name in masks:
        pruned, expected = prune(value, 0.3)
        assert np.array_equal(masks[name], expected), f"{name}: other pieces kept"
        assert np.array_equal(got[name], pruned), f"{name}: pruned values differ"
    else:
        assert np.array_equal(got[name], value), f"{name}: changed"
want = {"sample_mlp/hidden2/kernel", "sample_mlp/output/kernel", "big_frame/rnn/layer_1/kernel",
        "frame/rnn/layer_0/recurrent_kernel", "frame/rnn/layer_2/skip_out/kernel"}
assert want <= set(masks), sorted(masks)
assert not any("upsample" in n or "layer_0/kernel" in n for n in masks), sorted(masks)
assert encode_model(cfg, got, got_metadata, masks) == data, "Python writes other bytes"
print(f"ok   --density 0.3: {len(masks)} matrices block-sparse, as the reference prunes and writes them")

EOF

# --density at int8 on a model whose pruned factors read fewer bytes apart (engine/prune.c): the
# upsamplings, hidden1 and the frame tier's layer-0 kernel pruned too, in the engine's pieces,
# as make_golden.py prunes gru_unfold (which test_reference runs unfolded); the rest as above
# (read back through float32, which this Python reads)
"$SRNN" convert "$GOLDEN/gru.srnn" -o "$dir/unfold.srnn" --precision int8 --density 0.25 2>/dev/null &&
    "$SRNN" convert "$dir/unfold.srnn" -o "$dir/unfold32.srnn" --precision float32 ||
    fail "convert --precision int8 --density 0.25, then to float32, failed"
PYTHONPATH=tests/reference "$PYTHON" - "$GOLDEN/gru.srnn" "$dir/unfold32.srnn" <<'EOF' || failed=$((failed + 1))
import sys
import numpy as np
from make_golden import UNFOLDED_FACTORS, prune_factors
from srnn_format import decode_model
original, converted = sys.argv[1:]
cfg, weights, _ = decode_model(open(original, "rb").read())
_, got, _ = decode_model(open(converted, "rb").read())
want = dict(weights)
prune_factors(cfg, want, 0.25)
for name in UNFOLDED_FACTORS:
    # int8 rounds the kept values (a few to zero): the pruned ones must be zero, and no more
    # than a few kept ones
    assert np.all(got[name][want[name] == 0] == 0), f"{name}: other pieces kept"
    lost = np.count_nonzero((got[name] == 0) & (want[name] != 0))
    assert lost <= 0.05 * np.count_nonzero(want[name]), f"{name}: {lost} kept values zero"
    assert np.count_nonzero(want[name]) <= 0.26 * want[name].size, f"{name}: not pruned"
print(f"ok   --precision int8 --density 0.25: {', '.join(UNFOLDED_FACTORS)} pruned as the reference prunes them")
EOF

# several models (checkpoints of one run): the average of their weights, float32 sums in the
# order given then divided by the count, as numpy computes it here, and the last one's
# metadata; a model of another configuration gets one line naming it, and exit != 0
for p in float16 int8; do
    "$SRNN" convert "$GOLDEN/gru.srnn" -o "$dir/gru.$p.srnn" --precision $p &&
        "$SRNN" convert "$dir/gru.$p.srnn" -o "$dir/gru.$p.f32.srnn" --precision float32 ||
        fail "convert gru to $p and back failed"
done
"$SRNN" convert "$GOLDEN/gru.srnn" "$dir/gru.float16.f32.srnn" "$dir/gru.int8.f32.srnn" -o "$dir/average.srnn" ||
    fail "convert of three models (averaging) failed"
PYTHONPATH=tests/reference "$PYTHON" - "$GOLDEN/gru.srnn" "$dir/gru.float16.f32.srnn" "$dir/gru.int8.f32.srnn" "$dir/average.srnn" <<'EOF' || failed=$((failed + 1))
import sys
import numpy as np
from srnn_format import decode_model
*sources, average = sys.argv[1:]
models = [decode_model(open(path, "rb").read()) for path in sources]
cfg, got, metadata = decode_model(open(average, "rb").read())
assert metadata == models[-1][2], "not the last model's metadata"
for name, value in got.items():
    total = models[0][1][name].astype(np.float32)
    for _, tensors, _ in models[1:]:
        total = total + tensors[name].astype(np.float32)
    want = total / np.float32(len(models))
    assert np.array_equal(value, want), f"{name}: not the average"
    assert not np.array_equal(value, models[0][1][name]), f"{name}: the first model's"
print(f"ok   three models averaged: {len(got)} tensors, float32 sums in order over 3")
EOF
if "$SRNN" convert "$GOLDEN/gru.srnn" "$GOLDEN/lstm.srnn" -o "$dir/mixed.srnn" 2>"$dir/err"; then
    fail "averaging a GRU and an LSTM model succeeded"
elif [ "$(wc -l <"$dir/err")" -ne 1 ] || ! grep -q "gru.srnn and .*lstm.srnn differ in dim" "$dir/err" || [ -e "$dir/mixed.srnn" ]; then
    fail "averaging a GRU and an LSTM model: $(cat "$dir/err")"
else
    echo "ok   a GRU and an LSTM model: $(cat "$dir/err")"
fi

# damaged version 2, 3 and 4 files: one line naming the problem, exit != 0
"$SRNN" convert "$GOLDEN/gru.srnn" -o "$dir/base.srnn" --precision int8 || failed=$((failed + 1))
"$SRNN" convert "$GOLDEN/gru.srnn" -o "$dir/base3.srnn" --precision int4/int8 || failed=$((failed + 1))
"$PYTHON" - "$dir/base.srnn" "$dir/base3.srnn" "$dir/sparse.srnn" "$dir" <<'EOF' || failed=$((failed + 1))
import struct, sys, zlib
base, base3, sparse, out = sys.argv[1:]
data = open(base, "rb").read()

def save(name, patched):
    patched = bytearray(patched)
    patched[24:28] = b"\0\0\0\0"
    struct.pack_into("<I", patched, 24, zlib.crc32(patched))
    open(f"{out}/bad_{name}.srnn", "wb").write(patched)

def entry_of(wanted):
    for i in range(struct.unpack_from("<I", data, 28)[0]):
        if data[128 + 96 * i:128 + 96 * i + 56].rstrip(b"\0").decode() == wanted:
            return 128 + 96 * i
kernel = entry_of("sample_mlp/hidden1/kernel")
offset, = struct.unpack_from("<Q", data, kernel + 80)
patched = bytearray(data); struct.pack_into("<I", patched, 100, 7); save("precision_7", patched)
patched = bytearray(data); struct.pack_into("<I", patched, kernel + 56, 4); save("dtype_4", patched)
patched = bytearray(data); struct.pack_into("<I", patched, kernel + 56, 1); save("dtype_size", patched)
patched = bytearray(data); struct.pack_into("<f", patched, offset, float("inf")); save("scale_inf", patched)
patched = bytearray(data); patched[104] = 1; save("reserved_104", patched)
data = open(base3, "rb").read()
kernel = entry_of("big_frame/rnn/layer_1/kernel")  # int4 (layer 0's is folded and the recurrent kernels are spared: int8)
offset, = struct.unpack_from("<Q", data, kernel + 80)
patched = bytearray(data); struct.pack_into("<I", patched, 104, 5); save("sample_precision_5", patched)
patched = bytearray(data); struct.pack_into("<I", patched, kernel + 56, 5); save("dtype_5", patched)
patched = bytearray(data); struct.pack_into("<I", patched, kernel + 56, 3); save("dtype_size3", patched)
patched = bytearray(data); struct.pack_into("<f", patched, offset + 4, float("nan")); save("group_scale_nan", patched)
patched = bytearray(data); patched[108] = 1; save("reserved_108", patched)
patched = bytearray(data); struct.pack_into("<I", patched, 8, 5); save("version_5", patched)
data = open(sparse, "rb").read()
output = entry_of("sample_mlp/output/kernel")
offset, size = struct.unpack_from("<QQ", data, output + 80)
patched = bytearray(data); patched[offset + 3] ^= 0x10; save("sparse_mask_bit", patched)
patched = bytearray(data); struct.pack_into("<Q", patched, output + 88, size + 4); save("sparse_size", patched)
patched = bytearray(data); struct.pack_into("<I", patched, 8, 3); save("sparse_version_3", patched)
bias = entry_of("sample_mlp/output/bias")
patched = bytearray(data); struct.pack_into("<I", patched, bias + 56, 0x100); save("sparse_bias", patched)
hidden = entry_of("sample_mlp/hidden2/kernel")  # [20, 20]: 5 x 3 pieces, 2 mask bytes, 1 spare bit
offset, = struct.unpack_from("<Q", data, hidden + 80)
patched = bytearray(data); patched[offset + 1] |= 0x80; save("sparse_padding_bit", patched)
EOF
for case in precision_7:precision dtype_4:dtype dtype_size:bytes scale_inf:finite reserved_104:reserved \
            sample_precision_5:sample_precision dtype_5:dtype dtype_size3:bytes group_scale_nan:finite \
            reserved_108:reserved version_5:"versions 1 to 4" sparse_mask_bit:"block mask needs" \
            sparse_size:"block mask needs" sparse_version_3:"needs version 4" sparse_bias:"not a matrix" \
            sparse_padding_bit:"past its 15 pieces"; do
    file=${case%%:*} word=${case#*:}
    "$SRNN" info "$dir/bad_$file.srnn" >/dev/null 2>"$dir/err"
    rc=$?
    if [ $rc -ne 0 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q "$word" "$dir/err"; then
        echo "ok   bad $file: $(cat "$dir/err")"
    else
        fail "bad $file: exit $rc: $(cat "$dir/err")"
    fi
done

# bad flags
for args in "$GOLDEN/gru.srnn --precision int8" "$GOLDEN/gru.srnn -o $dir/x.srnn" \
            "$GOLDEN/gru.srnn -o $dir/x.srnn --density 0" "$GOLDEN/gru.srnn -o $dir/x.srnn --density -0.5" \
            "$GOLDEN/gru.srnn -o $dir/x.srnn --density 1.5" "$GOLDEN/gru.srnn -o $dir/x.srnn --density nan" \
            "$GOLDEN/gru.srnn -o $dir/x.srnn --density 0.5 --eval $dir/none.wav" \
            "$GOLDEN/gru.srnn -o $dir/x.srnn --precision int3" \
            "$GOLDEN/gru.srnn -o $dir/x.srnn --precision int4/int9" "$GOLDEN/gru.srnn -o $dir/x.srnn --precision /int8" \
            "$dir/none.srnn -o $dir/x.srnn --precision int8" \
            "$GOLDEN/gru.srnn -o $dir/no/such/dir/x.srnn --precision int8"; do
    # shellcheck disable=SC2086
    "$SRNN" convert $args >/dev/null 2>"$dir/err"
    rc=$?
    if [ $rc -ne 0 ] && [ "$(wc -l <"$dir/err")" -eq 1 ]; then
        echo "ok   convert $args: $(cat "$dir/err")"
    else
        fail "convert $args: exit $rc: $(cat "$dir/err")"
    fi
done
finish "$failed failures"
