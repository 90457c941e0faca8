#!/usr/bin/env bash
# `srnn render` on golden models: the files written (count, names, length, rate, channels,
# sample width), determinism (the same seed gives the same file, others differ, sequence i of
# --num-seqs is seed N+i, also past the eight rendered together), temperature and prime taking
# effect, a prime resampled to the model's rate, and a prime too short for the offset refused
# before any file is written; the model's primer: the shipped model not silent at temperature
# 0.6, a primer from convert --primer taking effect, a malformed one refused.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
for name in gru frames_4_12; do
    [ -f "$GOLDEN/$name.srnn" ] || { echo "no golden case $name in $GOLDEN" >&2; exit 1; }
done
model=$GOLDEN/gru.srnn           # 16000 Hz, big frame 64
model8k=$GOLDEN/frames_4_12.srnn # 8000 Hz, big frame 12
prime=$GOLDEN/gru.wav            # 16000 Hz

render() { # args...: runs render; fails unless it exits 0 with one summary line per file
    timeout 120 "$SRNN" render "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    if [ $rc -ne 0 ]; then
        fail "render $*: exit $rc: $(head -c 300 "$dir/err")"
        return 1
    fi
    if [ -s "$dir/out" ] || grep -qv '^wrote ' "$dir/err"; then
        fail "render $*: expected only 'wrote' lines on stderr:" \
            "$(head -c 300 "$dir/out" "$dir/err")"
        return 1
    fi
}
expect_wav() { # file, frames, rate: a mono 16-bit wav of that length and rate, not one value
    local got
    got=$("$PYTHON" - "$1" <<'EOF'
import sys, wave
with wave.open(sys.argv[1]) as w:
    frames = w.readframes(w.getnframes())
    values = set(frames[i:i + 2] for i in range(0, len(frames), 2))
    varies = len(values) > 1 or w.getnframes() < 100  # a few samples may well repeat
    print(w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth(), int(varies))
EOF
)
    [ "$got" = "$2 $3 1 2 1" ] ||
        fail "$(basename "$1"): frames rate channels width varies = '$got', want '$2 $3 1 2 1'"
}
same() { cmp -s "$1" "$2" || fail "$3: $(basename "$1") and $(basename "$2") differ"; }
differ() { cmp -s "$1" "$2" && fail "$3: $(basename "$1") and $(basename "$2") are identical"; }

# One file, the defaults: 3 s at the model's rate, exactly the -o path.
render "$model" -o "$dir/default.wav" && expect_wav "$dir/default.wav" 48000 16000
[ "$(grep -c '^wrote ' "$dir/err")" -eq 1 ] || fail "default: not one summary line"

# Lengths round to the nearest sample.
render "$model" -o "$dir/short.wav" --seconds 0.25 --seed 1 &&
    expect_wav "$dir/short.wav" 4000 16000
render "$model8k" -o "$dir/8k.wav" --seconds 0.3 && expect_wav "$dir/8k.wav" 2400 8000
render "$model" -o "$dir/tiny.wav" --seconds 0.00009 && expect_wav "$dir/tiny.wav" 1 16000

# Determinism and seeds.
render "$model" -o "$dir/again.wav" --seconds 0.25 --seed 1 &&
    same "$dir/short.wav" "$dir/again.wav" "same seed"
render "$model" -o "$dir/seed2.wav" --seconds 0.25 --seed 2 &&
    differ "$dir/short.wav" "$dir/seed2.wav" "other seed"
render "$model" -o "$dir/cold.wav" --seconds 0.25 --seed 1 --temperature 0.5 &&
    differ "$dir/short.wav" "$dir/cold.wav" "other temperature"
render "$model" -o "$dir/big.wav" --seconds 0.25 --seed 18446744073709551615 &&
    expect_wav "$dir/big.wav" 4000 16000

# --num-seqs K: OUT_1 ... OUT_K before the extension, sequence i seeded with N+i, no OUT itself.
mkdir "$dir/seqs"
if render "$model" -o "$dir/seqs/take.wav" --seconds 0.25 --seed 1 --num-seqs 3; then
    files=$(cd "$dir/seqs" && echo *)
    [ "$files" = "take_1.wav take_2.wav take_3.wav" ] || fail "num-seqs: files $files"
    [ "$(grep -c '^wrote ' "$dir/err")" -eq 3 ] || fail "num-seqs: not one summary line per file"
    for i in 1 2 3; do expect_wav "$dir/seqs/take_$i.wav" 4000 16000; done
    same "$dir/short.wav" "$dir/seqs/take_1.wav" "num-seqs seed N"
    same "$dir/seed2.wav" "$dir/seqs/take_2.wav" "num-seqs seed N+1"
fi
# Nine sequences: eight rendered together as one group of voices, the ninth after them; with
# a prime and a temperature, each equals its sequence rendered alone.
mkdir "$dir/nine"
if render "$model" -o "$dir/nine/t.wav" --seconds 0.1 --seed 5 --num-seqs 9 --temperature 0.8 \
    --prime "$prime" --prime-offset 1000; then
    for i in 2 9; do
        render "$model" -o "$dir/nine/alone_$i.wav" --seconds 0.1 --seed $((4 + i)) \
            --temperature 0.8 --prime "$prime" --prime-offset 1000 &&
            same "$dir/nine/alone_$i.wav" "$dir/nine/t_$i.wav" "num-seqs 9: sequence $i"
    done
fi
render "$model" -o "$dir/seqs/noext" --seconds 0.01 --num-seqs 2 &&
    for i in 1 2; do [ -f "$dir/seqs/noext_$i" ] || fail "num-seqs: no noext_$i"; done

# The model's primer (srnn convert --primer): the shipped model starts from it and starts again
# from it after silence. At temperature 0.6 it played about 1e-4 RMS (-80 dBFS) from silence
# for seeds 0 to 2; each must now be above -40 dBFS.
mkdir "$dir/calm"
if render models/default.srnn -o "$dir/calm/calm.wav" --seconds 2 --temperature 0.6 \
    --num-seqs 3; then
    for i in 1 2 3; do
        level=$("$PYTHON" - "$dir/calm/calm_$i.wav" <<'EOF'
import array, math, sys, wave
with wave.open(sys.argv[1]) as w:
    x = array.array("h", w.readframes(w.getnframes()))
print("%.1f" % (10 * math.log10(sum(v * v for v in x) / len(x) / 32768.0**2 + 1e-30)))
EOF
)
        echo "default model, temperature 0.6, seed $((i - 1)): $level dBFS RMS"
        awk -v l="$level" 'BEGIN { exit !(l > -40) }' ||
            fail "default model at temperature 0.6, seed $((i - 1)): $level dBFS RMS, silent"
    done
fi
# A primer written by convert changes where a golden model starts; a malformed one is refused
# with one line naming it, before any file is written.
if timeout 120 "$SRNN" convert "$model" -o "$dir/primed_model.srnn" --primer "$prime" \
    >"$dir/out" 2>"$dir/err"; then
    render "$dir/primed_model.srnn" -o "$dir/own_primer.wav" --seconds 0.25 --seed 1 &&
        differ "$dir/short.wav" "$dir/own_primer.wav" "the model's primer"
else
    fail "convert --primer: $(head -c 300 "$dir/err")"
fi
"$PYTHON" models/set_metadata.py "$model" "$dir/bad_primer.srnn" "primer=00zz" ||
    fail "set_metadata.py could not write a model with a malformed primer"
timeout 120 "$SRNN" render "$dir/bad_primer.srnn" -o "$dir/never.wav" >"$dir/out" 2>"$dir/err"
rc=$?
{ [ $rc -ne 0 ] && [ $rc -lt 128 ]; } || fail "malformed primer: exit $rc"
{ [ "$(awk 'END { print NR }' "$dir/err")" -eq 1 ] && grep -q 'primer' "$dir/err"; } ||
    fail "malformed primer: stderr: $(head -c 300 "$dir/err")"
[ -e "$dir/never.wav" ] && fail "malformed primer: a file was written"

# --prime: the big frame at the offset is the history. The golden audio starts with digital
# silence, which must give exactly the unprimed output (whose history is silence); sound later
# in it must change the output, and so must another offset.
render "$model" -o "$dir/primed0.wav" --seconds 0.25 --seed 1 --prime "$prime" &&
    same "$dir/short.wav" "$dir/primed0.wav" "prime of silence"
render "$model" -o "$dir/primed.wav" --seconds 0.25 --seed 1 --prime "$prime" \
    --prime-offset 1000 &&
    expect_wav "$dir/primed.wav" 4000 16000 && differ "$dir/short.wav" "$dir/primed.wav" "prime"
render "$model" -o "$dir/primed_end.wav" --seconds 0.25 --seed 1 --prime "$prime" \
    --prime-offset 2937 && differ "$dir/primed.wav" "$dir/primed_end.wav" "prime offset"
# A 16 kHz prime for the 8 kHz model: 3001 samples become about 1500.
render "$model8k" -o "$dir/primed8k.wav" --seconds 0.3 --prime "$prime" --prime-offset 1480 &&
    expect_wav "$dir/primed8k.wav" 2400 8000

# Too short: 3001 samples cannot give 64 from offset 2938; nothing may be written.
timeout 120 "$SRNN" render "$model" -o "$dir/never.wav" --prime "$prime" --prime-offset 2938 \
    >"$dir/out" 2>"$dir/err"
rc=$?
{ [ $rc -ne 0 ] && [ $rc -lt 128 ]; } || fail "too-short prime: exit $rc"
[ "$(awk 'END { print NR }' "$dir/err")" -eq 1 ] ||
    fail "too-short prime: stderr: $(head -c 300 "$dir/err")"
grep -q 'too short' "$dir/err" ||
    fail "too-short prime: the line does not say so: $(cat "$dir/err")"
[ -e "$dir/never.wav" ] && fail "too-short prime: a file was written"

finish "$failed failures"
