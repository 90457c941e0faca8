#!/usr/bin/env bash
# Every mistake a user can make on the command line must end the tool with a non-zero exit
# that is not a signal (no crash, no sanitizer report), exactly one line on stderr saying what
# is wrong (a regex per case), nothing on stdout and no output file. Usage mistakes exit 2.
# Then the controls: --help, help CMD and --version succeed on stdout.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
model=$GOLDEN/gru.srnn
audio=$GOLDEN/gru.wav
if [ ! -f "$model" ] || [ ! -f "$audio" ]; then
    echo "no golden case gru in $GOLDEN" >&2
    exit 1
fi
cases=0

# Hostile inputs: a wav of 0 frames, a 0-byte file, text, random bytes (fixed seed), a model
# file that is text.
"$PYTHON" - "$dir" <<'EOF' || { echo "cannot write the inputs" >&2; exit 1; }
import random, sys, wave
out = sys.argv[1]
with wave.open(out + "/no_frames.wav", "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(16000)
open(out + "/zero_bytes.wav", "wb").close()
with open(out + "/text.wav", "w") as f:
    f.write("this is a text file, not audio\n" * 20)
with open(out + "/random.wav", "wb") as f:
    f.write(random.Random(1).randbytes(8192))
EOF
cp "$dir/text.wav" "$dir/text.srnn"

refused() { # exit, regex, args...: the tool must refuse with that exit ("any" = 1..127)
    local want=$1 regex=$2 rc lines
    shift 2
    cases=$((cases + 1))
    rm -f "$dir/out.wav"
    timeout 60 "$SRNN" "$@" >"$dir/stdout" 2>"$dir/stderr"
    rc=$?
    lines=$(awk 'END { print NR }' "$dir/stderr")
    if [ $rc -eq 0 ] || [ $rc -ge 128 ] || { [ "$want" != any ] && [ $rc -ne "$want" ]; }; then
        fail "srnn $*: exit $rc, want ${want/any/1..127}: $(head -c 300 "$dir/stderr")"
    elif [ "$lines" -ne 1 ]; then
        fail "srnn $*: $lines lines on stderr: $(head -c 300 "$dir/stderr")"
    elif ! grep -Eq -- "$regex" "$dir/stderr"; then
        fail "srnn $*: stderr '$(cat "$dir/stderr")' does not match /$regex/"
    elif [ -s "$dir/stdout" ]; then
        fail "srnn $*: wrote to stdout: $(head -c 300 "$dir/stdout")"
    elif [ -e "$dir/out.wav" ]; then
        fail "srnn $*: wrote $dir/out.wav"
    fi
}
out=$dir/out.wav

# The command line itself.
refused 2 'no command' 
refused 2 "unknown command 'frobnicate'" frobnicate
refused 2 "unknown option '--frobnicate'" --frobnicate
refused 2 "help: unknown command 'frobnicate'" help frobnicate
refused 2 "unknown option '--frobnicate'" render "$model" -o "$out" --frobnicate 1
refused 2 "unknown option '-x'" eval "$model" "$audio" -x
refused 2 'missing -o' render "$model"
refused 2 'needs a value' render "$model" -o
refused 2 'needs a value' render "$model" -o "$out" --seconds
refused 2 'given twice' render "$model" -o "$out" --seed 1 --seed 2
refused 2 'missing arguments' render -o "$out"
refused 2 "unexpected argument 'extra'" render "$model" extra -o "$out"
refused 2 'missing arguments' eval "$model"
refused 2 "unexpected argument" eval "$model" "$audio" "$audio"
refused 2 'missing arguments' info

# Numbers.
refused 2 'temperature must be > 0' render "$model" -o "$out" --temperature 0
refused 2 'temperature must be > 0' render "$model" -o "$out" --temperature -1
refused 2 'temperature must be > 0' render "$model" -o "$out" --temperature=-0.5
refused 2 'temperature.*not a finite number' render "$model" -o "$out" --temperature nan
refused 2 'temperature.*not a finite number' render "$model" -o "$out" --temperature inf
refused 2 'temperature.*not a number' render "$model" -o "$out" --temperature 0.9x
refused 2 'temperature.*not a number' render "$model" -o "$out" --temperature ''
refused 2 'temperature must be > 0 and at most 1000' render "$model" -o "$out" --temperature 1e6
refused 2 'seconds must be > 0' render "$model" -o "$out" --seconds -1
refused 2 'seconds must be > 0' render "$model" -o "$out" --seconds 0
refused 2 'seconds must be > 0 and at most 86400' render "$model" -o "$out" --seconds 1e9
refused 2 'seconds.*not a finite number' render "$model" -o "$out" --seconds nan
refused 2 'seconds.*not a number' render "$model" -o "$out" --seconds 3s
refused any 'less than one sample' render "$model" -o "$out" --seconds 1e-9
refused 2 'num-seqs must be from 1 to 1000' render "$model" -o "$out" --num-seqs 0
refused 2 'num-seqs must be from 1 to 1000' render "$model" -o "$out" --num-seqs 1001
refused 2 'num-seqs.*not a whole number' render "$model" -o "$out" --num-seqs 2.5
refused 2 'seed.*not a whole number' render "$model" -o "$out" --seed -1
refused 2 'seed.*not a whole number' render "$model" -o "$out" --seed 18446744073709551616
refused 2 'seed.*not a whole number' render "$model" -o "$out" --seed ' 1'
refused 2 'prime-offset.*not a whole number' \
    render "$model" -o "$out" --prime "$audio" --prime-offset -1
refused 2 'prime-offset needs --prime' render "$model" -o "$out" --prime-offset 5

# Files.
refused any 'missing\.srnn.*(No such file|cannot open)' render "$dir/missing.srnn" -o "$out"
refused any 'missing\.srnn' eval "$dir/missing.srnn" "$audio"
refused any 'missing\.srnn' info "$dir/missing.srnn"
refused any 'text\.srnn' info "$dir/text.srnn"
refused any 'text\.srnn' render "$dir/text.srnn" -o "$out"
refused any 'missing\.wav: No such file' eval "$model" "$dir/missing.wav"
refused any 'missing\.wav: No such file' render "$model" -o "$out" --prime "$dir/missing.wav"
refused any 'no_frames\.wav: .*0 frames' eval "$model" "$dir/no_frames.wav"
refused any 'no_frames\.wav: .*0 frames' render "$model" -o "$out" --prime "$dir/no_frames.wav"
refused any 'zero_bytes\.wav: .*empty' eval "$model" "$dir/zero_bytes.wav"
refused any 'zero_bytes\.wav: .*empty' render "$model" -o "$out" --prime "$dir/zero_bytes.wav"
refused any 'text\.wav: not an audio file' eval "$model" "$dir/text.wav"
refused any 'text\.wav: not an audio file' render "$model" -o "$out" --prime "$dir/text.wav"
refused any 'random\.wav: not an audio file' eval "$model" "$dir/random.wav"
refused any 'random\.wav: not an audio file' render "$model" -o "$out" --prime "$dir/random.wav"
refused any 'directory' eval "$model" "$dir"
refused any 'too short' render "$model" -o "$out" --prime "$audio" --prime-offset 1000000
refused any 'cannot create' render "$model" -o "$dir/no/such/dir/out.wav" --seconds 0.01

# A file shorter than a big frame (64 samples) cannot be evaluated.
"$PYTHON" -c '
import sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes(2 * 63))
' "$dir/short.wav"
refused any 'short\.wav: too short' eval "$model" "$dir/short.wav"

# The controls: help and version succeed on stdout with nothing on stderr.
for args in "--help" "-h" "help" "help render" "help eval" "help info" "render --help" \
    "eval -h" "--version"; do
    cases=$((cases + 1))
    # shellcheck disable=SC2086 # the words are the arguments
    timeout 60 "$SRNN" $args >"$dir/stdout" 2>"$dir/stderr"
    rc=$?
    { [ $rc -eq 0 ] && [ -s "$dir/stdout" ] && [ ! -s "$dir/stderr" ]; } ||
        fail "srnn $args: exit $rc, stdout $(wc -c <"$dir/stdout") bytes," \
            "stderr: $(head -c 300 "$dir/stderr")"
done
grep -q '^srnn [0-9]' "$dir/stdout" || fail "--version: $(cat "$dir/stdout")"

finish "$cases cases, $failed failures"
