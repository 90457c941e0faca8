# Sourced by the player's tests (tests/test_play_*.sh, tests/once_soak_play.sh): a private JACK
# server with the dummy driver, so that srnn play goes through the real PortAudio path (its
# JACK host API) on a machine without a sound card, and helpers to look at what it played.
#
# Server names come from a small pool per test, srnn-TEST-0 to -3, the first not in use: a
# server killed without unregistering stays in JACK's registry (8 places in all) until one of
# the same name starts again, so names that never repeat would fill it up.

export JACK_NO_AUDIO_RESERVATION=1 # no D-Bus device reservation: there is no device
export JACK_NO_START_SERVER=1       # clients must not start a server of their own

jack_pids=()
jack_test=$(basename "$0" .sh)

# start_jack RATE PERIOD [realtime]: starts a server and waits for it; JACK_DEFAULT_SERVER
# names it, its log is $dir/jackd.log. Without "realtime" it runs --no-realtime, which needs
# no privileges; with it, at priority 70, above what else may run real-time here.
# jack_lsp runs under timeout: a client connecting while a server starts can hang for good.
# Tests run side by side (tests/run.sh -j): a lock held while a name is chosen and its server
# starts keeps two runs of one test from taking the same name.
start_jack() {
    local rate=$1 period=$2 k pid log="$dir/jackd.log" mode=(--no-realtime) lock
    [ "${3:-}" = realtime ] && mode=(--realtime --realtime-priority 70)
    exec {lock}>"${TMPDIR:-/tmp}/srnn-jack-names.lock"
    flock "$lock"
    for k in 0 1 2 3; do
        export JACK_DEFAULT_SERVER="srnn-$jack_test-$k"
        timeout 5 jack_lsp >/dev/null 2>&1 && continue # another run of this test has it
        jackd "${mode[@]}" -d dummy -r "$rate" -p "$period" >"$log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break # it gave up (the name was just taken?)
            if timeout 5 jack_lsp >/dev/null 2>&1 && kill -0 "$pid" 2>/dev/null; then
                jack_pids+=("$pid")
                exec {lock}>&-
                return 0
            fi
            sleep 0.1
        done
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    exec {lock}>&-
    echo "jackd did not start: $(grep -v -e Copyright -e 'free software' -e COPYING \
        -e WARRANTY "$log" | tail -n 3)" >&2
    return 1
}

# stop_jack: stops the servers this test started.
stop_jack() {
    local pid
    for pid in "${jack_pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    jack_pids=()
}

# wait_port NAME [SECONDS]: waits for a JACK port to exist (default 20 s).
wait_port() {
    local tries=$(( ${2:-20} * 10 ))
    for _ in $(seq "$tries"); do
        timeout 5 jack_lsp 2>/dev/null | grep -qx "$1" && return 0
        sleep 0.1
    done
    echo "no JACK port $1 after ${2:-20} s" >&2
    return 1
}

# wav_facts FILE [CUTOFF_HZ]: prints "frames rate channels rms same hf" for a PCM wav: the RMS
# of channel 0, whether all channels carry the same signal (1/0), and the fraction of its
# energy above CUTOFF_HZ (0 without one).
wav_facts() {
    "$PYTHON" - "$1" "${2:-0}" <<'EOF'
import sys, wave
import numpy as np
with wave.open(sys.argv[1]) as w:
    n, rate, channels, width = w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth()
    data = w.readframes(n)
kind = {2: np.int16, 4: np.int32}[width]
x = np.frombuffer(data, dtype=kind).astype(np.float64) / float(np.iinfo(kind).max)
x = x.reshape(-1, channels)
same = int(all(np.array_equal(x[:, 0], x[:, c]) for c in range(channels)))
rms = float(np.sqrt(np.mean(x[:, 0] ** 2))) if n else 0.0
cutoff = float(sys.argv[2])
hf = 0.0
if cutoff > 0 and n:
    power = np.abs(np.fft.rfft(x[:, 0])) ** 2
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    hf = float(power[freqs > cutoff].sum() / power.sum())
print(n, rate, channels, "%.4f" % rms, same, "%.6f" % hf)
EOF
}
