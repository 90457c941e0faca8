#!/usr/bin/env bash
# srnn play's terminal UI, driven under tmux (send-keys, capture-pane) while it plays through
# PortAudio into a dummy JACK server (tests/play_jack.sh): temperature up and down, help, pause
# and resume, reseed, recording with R, switching models with the arrows (including to a
# corrupt model: the error shows on the status line and the playing model plays on), wrapping
# around the list, and q. Asserts on the status line, on the recording (a 16-bit mono wav at
# the device's rate, with sound all through, also across the failed switch), the exit status,
# the summary line and the terminal's mode after quitting.
# run.sh: alone (it plays in time with a JACK server: a neighbour's load makes xruns)
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 1; }
for file in models/default.srnn "$GOLDEN/gru.srnn"; do
    [ -f "$file" ] || { echo "missing $file" >&2; exit 1; }
done

source tests/play_jack.sh
tmux_socket="srnn-test-$$"
# srnn gets a SIGHUP with its terminal and needs its server a moment longer to stop cleanly.
trap 'tmux -L "$tmux_socket" kill-server 2>/dev/null && sleep 1; stop_jack; rm -rf "$dir"' EXIT

mkdir "$dir/models" "$dir/rec"
cp models/default.srnn "$dir/models/a_default.srnn"
cp "$GOLDEN/gru.srnn" "$dir/models/b_gru.srnn"
# c_corrupt.srnn: the default model with a byte of its weights flipped (the checksum fails).
"$PYTHON" - "$dir/models/a_default.srnn" "$dir/models/c_corrupt.srnn" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0xFF
open(sys.argv[2], "wb").write(bytes(data))
EOF

start_jack 48000 256 || exit 1

screen() { tmux -L "$tmux_socket" capture-pane -p -t play; }
status_line() { screen | grep -E '^(>|\|\|) ' | tail -n 1; }
# expect REGEX WHAT: waits up to 15 s for the screen to match.
expect() {
    for _ in $(seq 150); do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    fail "$2: the screen never matched '$1'; status line: '$(status_line)'"
    return 1
}
key() { tmux -L "$tmux_socket" send-keys -t play "$@"; }

# The folder stands for its three models in name order. The shell stays after play exits, to
# tell its exit status and the terminal's mode.
tmux -L "$tmux_socket" new-session -d -s play -x 220 -y 40 \
    "cd '$PWD' && JACK_DEFAULT_SERVER=$JACK_DEFAULT_SERVER '$SRNN' play '$dir/models' \
     --buffer 256 --record-dir '$dir/rec' 2>'$dir/stderr'; echo \$? >'$dir/exit'; \
     stty -a >'$dir/stty'; sleep 60"

expect '^> a_default\.srnn rt [0-9]+\.[0-9]x  T 0\.95  load [0-9]+% \(peak [0-9]+%\)  xruns [0-9]+  00:0' \
    "start" || { cat "$dir/stderr"; exit 1; }

key Up
expect '^> a_default\.srnn rt [0-9]+\.[0-9]x  T 1\.00 ' "up"
key Down Down
expect '^> a_default\.srnn rt [0-9]+\.[0-9]x  T 0\.90 ' "down twice"
key '?'
expect '^keys: up/down  temperature' "help"
key Space
expect '^\|\| a_default\.srnn ' "pause"
key Space
expect '^> a_default\.srnn ' "resume"
key r
expect '\| reseeded with seed 1$' "reseed"

key R
expect "REC $dir/rec/srnn-[0-9]{8}-[0-9]{6}\.wav [0-9.]+s" "record"
key Right
expect '^> b_gru\.srnn ' "next model"
key Right
expect "^> b_gru\.srnn .*\| error: $dir/models/c_corrupt\.srnn: .*checksum" \
    "switch to the corrupt model: error on the status line, the previous model plays on"
before=$(status_line | grep -Eo '  [0-9]{2}:[0-9]{2}')
sleep 2.2
after=$(status_line | grep -Eo '  [0-9]{2}:[0-9]{2}')
[ "$before" != "$after" ] || fail "the time played stood still after the failed switch"
key R
expect "recorded $dir/rec/srnn-[0-9]{8}-[0-9]{6}\.wav \([0-9.]+ s\)" "stop recording"
key Right
expect '^> a_default\.srnn ' "wrap around to the first model"
key q
for _ in $(seq 100); do
    [ -s "$dir/exit" ] && break
    sleep 0.1
done

[ "$(cat "$dir/exit" 2>/dev/null)" = 0 ] || fail "exit status '$(cat "$dir/exit" 2>/dev/null)'"
grep -Eq '^played [0-9.]+ s at 48000 Hz, temperature 0\.90: [0-9]+ xruns, .*, 2 model switches$' \
    "$dir/stderr" || fail "summary line: $(cat "$dir/stderr")"
grep -Eq '(^| )icanon ' "$dir/stty" && grep -Eq '(^| )echo ' "$dir/stty" ||
    fail "the terminal was not restored: $(cat "$dir/stty")"

# The recording: one file, mono 16-bit at 48 kHz, over a second long, with sound in every
# quarter second (the failed switch did not interrupt the audio).
files=("$dir"/rec/*.wav)
[ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || fail "recordings: ${files[*]}"
"$PYTHON" - "${files[0]}" <<'EOF' || fail "the recording"
import sys, wave
import numpy as np
with wave.open(sys.argv[1]) as w:
    facts = (w.getframerate(), w.getnchannels(), w.getsampwidth())
    x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16) / 32768.0
print("recording:", facts, "%.2f s" % (len(x) / 48000))
assert facts == (48000, 1, 2), facts
assert len(x) > 48000, "shorter than a second"
quarter = 12000
levels = [float(np.sqrt(np.mean(x[i:i + quarter] ** 2)))
          for i in range(0, len(x) - quarter + 1, quarter)]
print("rms per quarter second:", " ".join("%.3f" % v for v in levels))
assert min(levels) > 0.01, "a silent stretch"
EOF

echo "$failed failures"
[ $failed -eq 0 ]
