#!/usr/bin/env bash
# `srnn info` on every golden model: each field it prints must equal what the file holds, read
# here independently from the header, tensor table and metadata as models/FORMAT.md lays them
# out, and the real-time cost must be macs_per_sample * rate.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
[ -s "$GOLDEN/cases.txt" ] || { echo "no golden cases in $GOLDEN/cases.txt" >&2; exit 1; }
checked=0

while read -r name; do
    [ -n "$name" ] || continue
    checked=$((checked + 1))
    model=$GOLDEN/$name.srnn
    if ! timeout 60 "$SRNN" info "$model" </dev/null >"$dir/out" 2>"$dir/err"; then
        fail "$name: info failed: $(head -c 300 "$dir/err")"
        continue
    fi
    [ -s "$dir/err" ] && fail "$name: info wrote to stderr: $(head -c 300 "$dir/err")"
    "$PYTHON" - "$model" "$dir/out" <<'EOF' || failed=$((failed + 1))
import os, struct, sys

path, out = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
(rate, f, bf, dim, layers, rnn, qtype, q, skip, seq_len) = struct.unpack_from("<10I", data, 56)
num_tensors = struct.unpack_from("<I", data, 28)[0]
meta_offset, meta_size = struct.unpack_from("<QQ", data, 40)
def elements(entry):  # product(shape[:ndim]): the parameters, however the tensor is stored
    ndim = struct.unpack_from("<I", data, entry + 60)[0]
    count = 1
    for size in struct.unpack_from("<4I", data, entry + 64)[:ndim]:
        count *= size
    return count
params = sum(elements(128 + 96 * i) for i in range(num_tensors))
metadata = [line.split("=", 1) for line in
            data[meta_offset:meta_offset + meta_size].decode().splitlines()]
name = dict(metadata).get("name", "(none)")

want = {
    "file": path, "file_size": f"{len(data)} bytes", "name": name,
    "sample_rate": f"{rate} Hz", "frame_size": str(f), "big_frame_size": str(bf),
    "dim": str(dim), "num_rnn_layers": str(layers), "rnn_type": ["gru", "lstm"][rnn],
    "skip_conn": ["no", "yes"][skip], "q_type": ["mu-law", "linear"][qtype],
    "q_levels": str(q), "seq_len": str(seq_len), "parameters": str(params),
}
lines = open(out).read().splitlines()
got, meta_got, in_metadata = {}, [], False
for line in lines:
    if in_metadata:
        key, _, value = line.strip().partition(": ")
        meta_got.append([key, value])
    elif line == "metadata:":
        in_metadata = True
    else:
        key, _, value = line.partition(":")
        got[key] = value.strip()
errors = [f"{k}: '{got.get(k)}', want '{v}'" for k, v in want.items() if got.get(k) != v]
if meta_got != metadata:
    errors.append(f"metadata {meta_got}, want {metadata}")
try:
    macs = int(got["macs_per_sample"])
    gmacs, unit = got["realtime_needs"].split()
    if macs <= 0 or abs(float(gmacs) - macs * rate / 1e9) > 0.0005 or unit != "GMAC/s":
        errors.append(f"realtime_needs '{got['realtime_needs']}' for {macs} MACs at {rate} Hz")
except (KeyError, ValueError) as e:
    errors.append(f"cost lines unreadable: {e!r}")
for e in errors:
    print(f"FAIL {os.path.basename(path)}: {e}")
if not errors:
    print(f"ok {os.path.basename(path)}")
sys.exit(1 if errors else 0)
EOF
done <"$GOLDEN/cases.txt"
[ $checked -gt 0 ] || fail "cases.txt lists no case"

finish "$checked cases, $failed failures"
