#!/usr/bin/env bash
# The plugin in a real host: jalv on a private JACK server with the dummy driver (no sound
# card), its output recorded with jack_rec. The mono plugin must sound with its default model;
# a preset applied from jalv's console must restore its model through jalv's state worker
# (jalv 1.6's console does not apply a preset's port values while running, so the knob is set
# from the console instead) and a gain of -60 dB must bring the level down by more than 50
# (a trained model's own dynamics move its level too much for a finer ratio here; the gain's
# exact value is tested sample for sample in tests/test_lv2_sound.c); the stereo
# plugin's two channels must both sound and differ.
# run.sh: alone (it plays in time with a JACK server: a neighbour's load makes xruns)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
# a fixed server name: a server killed uncleanly keeps its place in JACK's registry (8 in all)
# until one of the same name starts again, so names that never repeat would fill it up
export JACK_DEFAULT_SERVER=srnn-lv2-jalv JACK_NO_AUDIO_RESERVATION=1
export LV2_PATH=$PWD/$BUILD/lv2:/usr/lib/lv2
tmp=$(mktemp -d)
pids=()
cleanup() {
    exec 3>&- 4>&- 2>/dev/null || true
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for log in "$tmp"/*.log; do echo "--- $log"; head -n 40 "$log"; done
    exit 1
}

jackd --no-realtime -d dummy -r 48000 -p 512 >"$tmp/jackd.log" 2>&1 &
pids+=($!)
jack_wait -w -t 10 >/dev/null || fail "the JACK server did not start"

# Starts jalv on plugin uri as JACK client name, reading console commands from file descriptor fd.
start_jalv() { # name uri fd
    mkfifo "$tmp/$1.in"
    jalv -t -n "$1" -x "$2" <"$tmp/$1.in" >"$tmp/$1.log" 2>&1 &
    pids+=($!)
    eval "exec $3>\"\$tmp/\$1.in\""
    for _ in $(seq 100); do
        timeout 5 jack_lsp 2>/dev/null | grep -q "^$1:" && return 0
        sleep 0.1
    done
    fail "jalv did not create the ports of $2"
}

# Prints "rms channel_0 [channel_1 correlation]" of a 16-bit wav.
measure() {
    "$PYTHON" - "$1" <<'EOF'
import math, struct, sys, wave
w = wave.open(sys.argv[1])
n, k = w.getnframes(), w.getnchannels()
x = struct.unpack("<%dh" % (n * k), w.readframes(n))
ch = [[v / 32768 for v in x[c::k]] for c in range(k)]
rms = [math.sqrt(sum(v * v for v in c) / max(len(c), 1)) for c in ch]
out = ["%.4f" % r for r in rms]
if k == 2 and rms[0] > 0 and rms[1] > 0:
    out.append("%.3f" % (sum(a * b for a, b in zip(*ch)) / len(ch[0]) / (rms[0] * rms[1])))
print(n, *out)
EOF
}

start_jalv srnn_mono urn:srnn:lv2:mono 3
jack_rec -f "$tmp/mono.wav" -d 2 -b 16 srnn_mono:out >/dev/null 2>&1 || fail "jack_rec"
read -r frames level < <(measure "$tmp/mono.wav")
# Sounding: above 0.005 RMS (-46 dBFS). The model's own level over 2 s varies with the seed and
# the moment the recording starts (0.019 to 0.094 measured); periods jalv missed, under load,
# recorded 0.0015.
"$PYTHON" -c "import sys; sys.exit(not ($frames >= 90000 and $level > 0.005))" ||
    fail "mono recording: $frames frames, rms $level"
echo "ok   jalv mono: $frames frames recorded at 48 kHz, rms $level"

echo "presets" >&3 # jalv loads the preset descriptions first
echo "preset urn:srnn:lv2:preset:wild" >&3
echo "gain = -60" >&3
for _ in $(seq 50); do
    echo "controls" >&3
    sleep 0.2
    grep -q "gain = -60.0" "$tmp/srnn_mono.log" && break
done
grep -q "gain = -60.0" "$tmp/srnn_mono.log" || fail "jalv did not set the gain"
grep -q "loaded $PWD/$BUILD/lv2/srnn.lv2/default.srnn" "$tmp/srnn_mono.log" ||
    fail "the preset's model was not loaded through the worker" # (its trace; instantiate has none)
echo "ok   jalv preset Wild: its model restored through jalv's state worker"
sleep 0.2 # the gain's smoothing (20 ms) settles
jack_rec -f "$tmp/quiet.wav" -d 2 -b 16 srnn_mono:out >/dev/null 2>&1 || fail "jack_rec"
read -r frames quiet < <(measure "$tmp/quiet.wav")
ratio=$("$PYTHON" -c "print('%.4f' % ($quiet / $level))")
"$PYTHON" -c "import sys; sys.exit(not ($ratio < 0.02))" ||
    fail "gain -60 dB: rms $quiet after $level, ratio $ratio (expected 0.001)"
echo "ok   jalv gain -60 dB: rms $quiet, $ratio of the level at 0 dB"

start_jalv srnn_stereo urn:srnn:lv2:stereo 4
jack_rec -f "$tmp/stereo.wav" -d 1 -b 16 srnn_stereo:out_left srnn_stereo:out_right \
    >/dev/null 2>&1 || fail "jack_rec"
read -r frames left right correlation < <(measure "$tmp/stereo.wav")
"$PYTHON" -c "import sys; sys.exit(not (min($left, $right) > 0.005 and abs($correlation) < 0.5))" ||
    fail "stereo recording: rms $left $right, correlation $correlation"
echo "ok   jalv stereo: rms $left and $right, correlation between channels $correlation"
! grep -qi "error" "$tmp"/srnn_*.log || fail "jalv or the plugin reported an error"
