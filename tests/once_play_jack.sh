#!/usr/bin/env bash
# srnn play on the real PortAudio path, headless (tests/play_jack.sh): a dummy JACK server at
# 48 kHz plays the 16 kHz default model, jack_rec records srnn's output ports, and the file
# must be non-silent, at the device's rate, the same on both channels and band-limited below
# the model's Nyquist frequency (resampled, not repeated samples). The same at 44.1 kHz from
# an 8 kHz model. Then device choice (--list-devices, --device by number, name and part of a
# name, bad ones), a rate the server does not run, MIDI CC to temperature (sent with the JACK
# Python client), the server going away while playing, and no server at all (exit 3 with one
# line that says how to render). While playing, srnn's memory must be locked.
# Once, for the plain build: it plays in real time, alone (below), and test_play_tui.sh takes
# the ASan/UBSan build through the same PortAudio and JACK path.
# run.sh: alone (it plays in time with a JACK server: a neighbour's load makes xruns)
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
model=models/default.srnn       # 16000 Hz
model8k=$GOLDEN/frames_4_12.srnn # 8000 Hz
for file in "$model" "$model8k"; do
    [ -f "$file" ] || { echo "missing $file" >&2; exit 1; }
done

source tests/play_jack.sh
trap 'stop_jack; rm -rf "$dir"' EXIT

# play_and_record SECONDS_TO_RECORD OUT.wav ARGS...: plays in the background, records its two
# ports once they exist, waits for it; its stderr is in $dir/play.err.
play_and_record() {
    local seconds=$1 wav=$2
    shift 2
    timeout 60 "$SRNN" play "$@" >"$dir/play.out" 2>"$dir/play.err" &
    local pid=$!
    if wait_port srnn:out_0; then
        memory=$(awk '/^Vm(RSS|Lck):/ { printf "%s ", $2 }' \
            "/proc/$(pgrep -P $pid -x srnn)/status" 2>/dev/null)
        timeout 30 jack_rec -f "$wav" -d "$seconds" -b 16 srnn:out_0 srnn:out_1 >/dev/null 2>&1 ||
            fail "jack_rec failed"
    fi
    wait $pid
    local rc=$?
    [ $rc -eq 0 ] || fail "play $*: exit $rc: $(head -c 300 "$dir/play.err")"
}

# expect_sound FILE RATE CUTOFF: a stereo wav at RATE of at least a second, loud, the same on
# both channels, less than 1% of its energy above CUTOFF Hz.
expect_sound() {
    local facts
    facts=$(wav_facts "$1" "$3") || { fail "$1: cannot read"; return; }
    read -r frames rate channels rms same hf <<<"$facts"
    echo "$(basename "$1"): $facts (frames rate channels rms same-channels energy-above-$3Hz)"
    [ "$rate" = "$2" ] || fail "$1: rate $rate, want $2"
    [ "$channels" = 2 ] || fail "$1: $channels channels, want 2"
    [ "$frames" -ge "$2" ] || fail "$1: $frames frames, want at least a second"
    [ "$same" = 1 ] || fail "$1: the channels differ"
    "$PYTHON" -c "import sys; sys.exit(not (float('$rms') > 0.01))" || fail "$1: silent (rms $rms)"
    "$PYTHON" -c "import sys; sys.exit(not (float('$hf') < 0.01))" ||
        fail "$1: $hf of the energy above $3 Hz: not band-limited"
}

start_jack 48000 256 || exit 1

# Listing: the JACK client "system" is the one output device, the default, at 48 kHz.
timeout 30 "$SRNN" play --list-devices >"$dir/list" 2>"$dir/list.err" ||
    fail "--list-devices: exit $?: $(cat "$dir/list.err")"
grep -Eq '^\* +0 +system +JACK.* 2 out +48000 Hz$' "$dir/list" ||
    fail "--list-devices: no default 'system' at 48000 Hz: $(cat "$dir/list")"

# The default model at 48 kHz through PortAudio, recorded from srnn's own ports.
play_and_record 2 "$dir/48k.wav" "$model" --buffer 256 --seconds 5
expect_sound "$dir/48k.wav" 48000 8500
grep -Eq '^played 5\.[0-2] s at 48000 Hz, temperature 0\.95: [0-9]+ xruns' "$dir/play.err" ||
    fail "no summary line: $(cat "$dir/play.err")"
# Its memory is locked while it plays (no page fault can stall the callback), except in an
# AddressSanitizer build, which must not lock its shadow memory.
read -r locked resident <<<"$memory"
echo "memory while playing: ${locked:-?} KiB locked, ${resident:-?} KiB resident"
if ldd "$SRNN" | grep -q libasan; then
    # (the JACK library locks a few pages of its own)
    [ -n "${resident:-}" ] && [ $((locked * 10)) -lt "$resident" ] ||
        fail "an AddressSanitizer build locked ${locked:-?} KiB of ${resident:-?} KiB"
else
    [ -n "${resident:-}" ] && [ $((locked * 10)) -ge $((resident * 9)) ] ||
        fail "memory not locked: ${locked:-?} KiB of ${resident:-?} KiB resident"
fi

# --device by number, exact name and part of a name all play.
for device in 0 system SYS; do
    timeout 30 "$SRNN" play "$model" --device "$device" --seconds 0.5 >/dev/null 2>"$dir/err" ||
        fail "--device $device: exit $?: $(cat "$dir/err")"
done
# A model measured too slow to play live as it loads (a random 512 x 2 float32 model on the
# plain C kernels: about half real time here) gets one line saying so and what would help,
# then plays anyway; the default model with helper threads and int4 frame tiers gets none.
"$PYTHON" tests/reference/make_model.py --dim 512 --layers 2 --seed 1 -o "$dir/m.srnn" \
    >/dev/null 2>&1 || fail "make_model.py failed"
SRNN_CPU=generic timeout 60 "$SRNN" play "$dir/m.srnn" --precision float32 --seconds 0.5 \
    >/dev/null 2>"$dir/slow.err" || fail "play a slow model: exit $?: $(head -c 300 "$dir/slow.err")"
[ "$(grep -c 'cannot play live' "$dir/slow.err")" = 1 ] &&
    grep -Eq '^srnn: play: m\.srnn cannot play live here: 0\.[0-9]+x real time \(float32, 1 thread\); what would help: int8 or int4 weights .*--threads N' \
        "$dir/slow.err" || fail "no one warning line for a slow model: $(cat "$dir/slow.err")"
timeout 60 "$SRNN" play "$model" --threads 3 --precision int4/int8 --seconds 0.5 \
    >/dev/null 2>"$dir/threads.err" || fail "--threads 3: exit $?: $(head -c 300 "$dir/threads.err")"
if grep -q 'cannot play live' "$dir/threads.err"; then # the ASan build may be too slow here
    [ "$BUILD" != build ] && grep -q '(int4, 3 threads)' "$dir/threads.err" ||
        fail "--threads 3: $(cat "$dir/threads.err")"
fi

# Devices that are not there, and a rate the server does not run: one line, no crash (besides
# the line a model measured too slow as it loads gets, as the ASan build's can be).
refused() { # exit regex args...
    local want=$1 regex=$2 rc
    shift 2
    timeout 30 "$SRNN" play "$@" >"$dir/out" 2>"$dir/all"
    rc=$?
    grep -v 'cannot play live here' "$dir/all" >"$dir/err"
    [ $rc -eq "$want" ] || fail "play $*: exit $rc, want $want: $(head -c 300 "$dir/err")"
    [ "$(wc -l <"$dir/err")" -eq 1 ] || fail "play $*: not one line: $(head -c 300 "$dir/err")"
    grep -Eq -- "$regex" "$dir/err" || fail "play $*: '$(cat "$dir/err")' does not match $regex"
}
refused 2 "--device 'nosuch': no output device has that name" "$model" --device nosuch
refused 2 "--device 7: no output device has that number" "$model" --device 7
refused 1 "cannot open 'system' at 44100 Hz" "$model" --rate 44100

# MIDI: control change 74 at 127 sets the temperature to the top of the range, 1.50. The
# sender (the JACK Python client) is up first and connects itself once srnn's ports are there.
"$PYTHON" - >"$dir/sender.out" 2>&1 <<'EOF' &
import time
import jack
client = jack.Client("srnn-test-cc", no_start_server=True)
port = client.midi_outports.register("out")
@client.set_process_callback
def process(frames):  # every cycle: the first ones may pass before the connection
    port.clear_buffer()
    port.write_midi_event(0, (0xB3, 74, 127))  # channel 4: any channel counts
    port.write_midi_event(1, (0xB0, 75, 0))    # another controller: ignored
with client:
    for _ in range(400):
        if client.get_ports("srnn:out_0"):
            break
        time.sleep(0.05)
    client.connect("srnn-test-cc:out", "srnn-midi:control")
    time.sleep(2)
EOF
sender=$!
wait_port srnn-test-cc:out || fail "the MIDI sender did not start: $(cat "$dir/sender.out")"
timeout 60 "$SRNN" play "$model" --midi-cc 74 --seconds 5 >/dev/null 2>"$dir/midi.err" ||
    fail "play --midi-cc: exit $?: $(head -c 300 "$dir/midi.err")"
wait $sender || fail "the MIDI sender failed: $(cat "$dir/sender.out")"
grep -Eq 'temperature 1\.50: .*, [1-9][0-9]* MIDI control changes$' "$dir/midi.err" ||
    fail "MIDI CC 74 = 127 did not set the temperature to 1.50: $(cat "$dir/midi.err")"
stop_jack

# 44.1 kHz from an 8 kHz model: a ratio of 5.5125, band-limited below 4 kHz.
start_jack 44100 128 || exit 1
play_and_record 2 "$dir/44k.wav" "$model8k" --seconds 4
expect_sound "$dir/44k.wav" 44100 4250
stop_jack

# The server going away while playing: one line saying so, exit 1, at once (PortAudio would
# wait minutes for the dead stream to stop).
start_jack 48000 256 || exit 1
timeout 20 "$SRNN" play "$model" >/dev/null 2>"$dir/gone.err" &
pid=$!
wait_port srnn:out_0 && sleep 0.5
stop_jack
wait $pid
rc=$?
[ $rc -eq 1 ] || fail "server gone: exit $rc, want 1: $(head -c 300 "$dir/gone.err")"
grep -q '^srnn: play: the audio device stopped playing' "$dir/gone.err" ||
    fail "server gone: $(cat "$dir/gone.err")"

# No server and no sound card: exit 3, one line saying so and how to render instead.
export JACK_DEFAULT_SERVER="srnn-test-$$-absent"
refused 3 "no audio output device found; render to a file instead: srnn render .*default.srnn" \
    "$model"
refused 2 "--midi-cc must be from 0 to 127" "$model" --midi-cc 128

echo "$failed failures"
[ $failed -eq 0 ]
