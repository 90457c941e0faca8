#!/usr/bin/env bash
# `srnn eval` against PyTorch: for every golden case, the teacher-forced NLL of CASE.wav must
# match the reference's nll_nats within 1e-5 relative, the sample count its n and the accuracy
# within one sample. The output must be exactly the four documented lines. Then the audio
# reading paths: a stereo copy whose channels average to the original must give the same
# numbers, and a copy at twice the rate must be resampled back to the same length.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
[ -s "$GOLDEN/cases.txt" ] || { echo "no golden cases in $GOLDEN/cases.txt" >&2; exit 1; }
checked=0

golden() { # case, key: the value in CASE.golden.txt
    awk -F= -v k="$2" '$1 == k { print $2 }' "$GOLDEN/$1.golden.txt"
}
field() { # file, key: the value of "key: value" in the tool's output
    awk -v k="$2:" '$1 == k { print $2 }' "$1"
}
eval_to() { # out, model, audio: runs eval; fails unless it exits 0 with the four lines
    timeout 120 "$SRNN" eval "$2" "$3" </dev/null >"$1" 2>"$dir/err"
    local rc=$?
    if [ $rc -ne 0 ]; then
        fail "eval $(basename "$3"): exit $rc: $(head -c 300 "$dir/err")"
        return 1
    fi
    local lines=('samples: [0-9]+' 'nll_nats: [-+0-9.e]+' 'nll_bits: [-+0-9.e]+'
                 'accuracy: [01]\.[0-9]{6}')
    local i=0 ok=1 line
    while IFS= read -r line; do
        [[ $i -lt 4 && $line =~ ^${lines[i]}$ ]] || ok=0
        i=$((i + 1))
    done <"$1"
    if [ $ok -eq 0 ] || [ $i -ne 4 ]; then
        fail "eval $(basename "$3"): output is not the four documented lines: $(head -c 300 "$1")"
        return 1
    fi
}

while read -r name; do
    [ -n "$name" ] || continue
    checked=$((checked + 1))
    out=$dir/$name.out
    eval_to "$out" "$GOLDEN/$name.srnn" "$GOLDEN/$name.wav" || continue
    n=$(golden "$name" n)
    samples=$(field "$out" samples)
    [ "$samples" = "$n" ] || fail "$name: samples $samples, golden n $n"
    if ! awk -v got="$(field "$out" nll_nats)" -v want="$(golden "$name" nll_nats)" \
            -v bits="$(field "$out" nll_bits)" \
            'BEGIN { d = got - want; if (d < 0) d = -d
                     b = bits * log(2) - got; if (b < 0) b = -b
                     exit !(d <= 1e-5 * want && b <= 1e-8 * got) }'; then
        fail "$name: nll_nats $(field "$out" nll_nats) (bits $(field "$out" nll_bits))," \
            "golden $(golden "$name" nll_nats)"
    fi
    if ! awk -v got="$(field "$out" accuracy)" -v want="$(golden "$name" accuracy)" -v n="$n" \
            'BEGIN { d = got - want; if (d < 0) d = -d; exit !(d <= 1.0 / n) }'; then
        fail "$name: accuracy $(field "$out" accuracy), golden $(golden "$name" accuracy)"
    fi
    echo "ok $name: nll $(field "$out" nll_nats) nats, golden $(golden "$name" nll_nats)"
done <"$GOLDEN/cases.txt"
[ $checked -gt 0 ] || fail "cases.txt lists no case"

# Variants of the first case's audio, written with python's wave module.
first=$(awk 'NF { print; exit }' "$GOLDEN/cases.txt")
"$PYTHON" - "$GOLDEN/$first.wav" "$dir" <<'EOF' || fail "cannot write the variant wavs"
import sys, wave
import numpy as np

src, out = sys.argv[1], sys.argv[2]
with wave.open(src) as w:
    rate = w.getframerate()
    x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int64)

def write(path, rate, channels, frames):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(frames, dtype="<i2").tobytes())

# Left x+d, right x-d: the mean is exactly x; taking one channel would not be.
d = np.where(np.abs(x) < 30000, 2000, 0)
write(out + "/stereo.wav", rate, 2, np.stack([x + d, x - d], axis=1).reshape(-1))
# Twice the rate by band-limited interpolation (zero-padded spectrum).
spectrum = np.fft.rfft(x.astype(np.float64))
padded = np.concatenate([spectrum, np.zeros(len(x) + 1 - len(spectrum), complex)])
up = np.fft.irfft(padded, 2 * len(x)) * 2
write(out + "/double_rate.wav", 2 * rate, 1, np.clip(np.round(up), -32768, 32767))
EOF

mono=$dir/$first.out
if [ -f "$mono" ] && eval_to "$dir/stereo.out" "$GOLDEN/$first.srnn" "$dir/stereo.wav"; then
    cmp -s "$mono" "$dir/stereo.out" ||
        fail "stereo: channels not averaged: $(tr '\n' ' ' <"$dir/stereo.out")" \
            "vs mono $(tr '\n' ' ' <"$mono")"
fi
if eval_to "$dir/double.out" "$GOLDEN/$first.srnn" "$dir/double_rate.wav"; then
    [ "$(field "$dir/double.out" samples)" = "$(golden "$first" n)" ] ||
        fail "double rate: $(field "$dir/double.out" samples) samples after resampling," \
            "want $(golden "$first" n)"
fi

finish "$checked cases, $failed failures"
