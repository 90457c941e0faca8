#!/usr/bin/env bash
# srnn play's mistakes and the machine without a sound card: every bad option, missing or
# broken model and absent device ends with exactly one line on stderr naming the problem (a
# regex per case), a non-zero exit that is not a signal (2 bad usage, 1 bad input, 3 no audio
# device), and nothing on stdout. No JACK server runs here, and the machine has no sound card.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
model=models/default.srnn
[ -f "$model" ] || { echo "missing $model" >&2; exit 1; }

cases=0
# A server name nobody runs: PortAudio finds no JACK device, and ALSA none either.
export JACK_DEFAULT_SERVER="srnn-test-$$-absent" JACK_NO_START_SERVER=1

mkdir "$dir/empty"
printf 'not a model\n%.0s' {1..20} >"$dir/text.srnn"

refused() { # exit regex args...
    local want=$1 regex=$2 rc
    shift 2
    cases=$((cases + 1))
    timeout 60 "$SRNN" play "$@" >"$dir/stdout" 2>"$dir/stderr" </dev/null
    rc=$?
    [ $rc -eq "$want" ] || fail "play $*: exit $rc, want $want: $(head -c 300 "$dir/stderr")"
    [ "$(wc -l <"$dir/stderr")" -eq 1 ] ||
        fail "play $*: not one line on stderr: $(head -c 300 "$dir/stderr")"
    [ -s "$dir/stdout" ] && fail "play $*: wrote to stdout: $(head -c 300 "$dir/stdout")"
    grep -Eq -- "$regex" "$dir/stderr" ||
        fail "play $*: '$(head -c 300 "$dir/stderr")' does not match '$regex'"
}

# No MODEL: the default model where `make install` puts it (srnn help play names the path),
# which this machine may or may not have.
default=$("$SRNN" help play | sed -n 's/^install puts in \(.*\.srnn\)\.$/\1/p')
if [ -z "$default" ]; then
    fail "srnn help play does not name the default model's path"
elif [ -e "$default" ]; then
    refused 3 '^srnn: play: no audio output device found; '
else
    usage='\(usage: srnn play \[MODEL\|FOLDER\.\.\.\]\)$'
    refused 2 "^srnn: play: no MODEL given and no default model at $default $usage"
fi
refused 2 "play: unknown option '--bogus'" "$model" --bogus
refused 2 '--buffer must be from 16 to 16384, not 5' "$model" --buffer 5
refused 2 "--buffer: '256x' is not a whole number" "$model" --buffer 256x
refused 2 "--rate: 'abc' is not a whole number" "$model" --rate abc
refused 2 '--rate must be from 1000 to 768000, not 100' "$model" --rate 100
refused 2 '--temperature must be > 0 and at most 1000, not 0' "$model" --temperature 0
refused 2 "--temperature: 'nan' is not a finite number" "$model" --temperature nan
refused 2 '--seconds must be > 0' "$model" --seconds -1
refused 2 '--midi-cc must be from 0 to 127, not 128' "$model" --midi-cc 128
refused 2 "--seed: '-1' is not a whole number" "$model" --seed -1
refused 2 'option --device needs a value' "$model" --device
refused 2 'play: --list-devices takes no other arguments' --list-devices "$model"
refused 2 '--threads must be from 1 to 8, not 0' "$model" --threads 0
refused 2 '--threads must be from 1 to 8, not 9' "$model" --threads 9
refused 2 "play: --precision 'int3' is not float32, float16, bfloat16, int8 or int4" \
    "$model" --precision int3
refused 1 "$dir/missing.srnn: No such file or directory" "$dir/missing.srnn"
refused 1 "$dir/empty: the folder holds no .srnn model" "$dir/empty"
# A broken model is named even though there is no device to play it on.
refused 1 "$dir/text.srnn: " "$dir/text.srnn"
refused 3 '^srnn: play: no audio output device found$' --list-devices
render_hint='render to a file instead: srnn render models/default\.srnn -o out\.wav --seconds 10$'
refused 3 "^srnn: play: no audio output device found; $render_hint" "$model"

# Help is not an error.
"$SRNN" help play >"$dir/help" 2>&1 && grep -q 'usage: srnn play \[MODEL|FOLDER' "$dir/help" ||
    fail "srnn help play: $(head -c 300 "$dir/help")"
"$SRNN" --help | grep -Eq '^  play +play models live' || fail "srnn --help does not list play"

echo "$cases refusals checked, $failed failures"
[ $failed -eq 0 ]
