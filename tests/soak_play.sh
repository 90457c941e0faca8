#!/usr/bin/env bash
# The player's soak, a measurement (make soak; not part of make test): srnn play for
# SOAK_SECONDS (default 600) at a buffer of 256 frames through PortAudio into a dummy JACK
# server at 48 kHz with real-time scheduling (tests/play_jack.sh), switching model every 3 s
# (the right arrow, under tmux) through a folder of the default model, a copy of it and two
# golden models at 16 and 8 kHz, so that loads, crossfades and frees run all the time.
#
# It prints what a user would hear and what the machine did in the same run: the xruns and the
# callback load srnn play reports, the resident set, and the machine's own scheduling latency
# (cyclictest at priority 80 on both cores, beside the soak). On a shared VM that stalls
# threads for longer than a period, xruns measure the machine as much as srnn, so they are
# reported, not judged.
#
# It fails only on what is srnn's: a crash or a non-zero exit, a switch not made, a forbidden
# call (allocation, lock, wait, I/O) in the audio callback, or callbacks whose CPU time
# exceeded their period. The last two come from tests/soak_probe.c, preloaded into srnn play:
# it wraps the callback srnn hands to Pa_OpenStream, timing each call in the audio thread's CPU
# time and arming the interposer around it.
#
# This VM reports no steal time: while its virtual CPU is stalled, the stalled thread's CPU
# time still runs, so a stall inside a callback reads as the callback's own cost (a 5-minute
# soak saw 8 such callbacks, the longest 14.7 ms, while cyclictest saw 26 ms). No reading from
# inside the thread tells the two apart (there is no PMU to count instructions), so the soak
# charges overruns to srnn when they cannot be the machine's: more than one callback in
# 1,000 over its period (stalls are rare; a slow path of srnn's recurs), or a callback longer
# than the longest stall the machine showed in the same run (cyclictest's maximum on either
# core). tests/budget_realtime.c, in make test, is the gate on srnn's cost per period.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN BUILD
seconds=${SOAK_SECONDS:-600}
switch_every=3
probe=$BUILD/tests/soak_probe.so
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 1; }
command -v cyclictest >/dev/null || { echo "cyclictest is not installed (rt-tests)" >&2; exit 1; }
chrt -f 1 true 2>/dev/null || { echo "real-time scheduling is not permitted here" >&2; exit 1; }
[ -f "$probe" ] || { echo "missing $probe: make soak builds it" >&2; exit 1; }
for file in models/default.srnn "$GOLDEN/gru.srnn" "$GOLDEN/frames_4_12.srnn"; do
    [ -f "$file" ] || { echo "missing $file" >&2; exit 1; }
done

source tests/play_jack.sh
tmux_socket="srnn-soak-$$"
# srnn gets a SIGHUP with its terminal and needs its server a moment longer to stop cleanly.
stop_all() {
    tmux -L "$tmux_socket" kill-server 2>/dev/null && sleep 1
    [ -n "${cyclictest_pid:-}" ] && kill "$cyclictest_pid" 2>/dev/null
    stop_jack
}
trap 'stop_all; rm -rf "$dir"' EXIT

mkdir "$dir/models"
cp models/default.srnn "$dir/models/a_default.srnn"
cp "$GOLDEN/gru.srnn" "$dir/models/b_gru.srnn"
cp models/default.srnn "$dir/models/c_default_copy.srnn"
cp "$GOLDEN/frames_4_12.srnn" "$dir/models/d_8k.srnn"

status_line() { tmux -L "$tmux_socket" capture-pane -p -t soak | grep -E '^(>|\|\|) ' | tail -n 1; }

start_jack 48000 256 realtime || exit 1
cyclictest -m -q -p 80 -t 2 -i 1000 -D "$seconds" >"$dir/cyclictest" 2>&1 &
cyclictest_pid=$!
tmux -L "$tmux_socket" new-session -d -s soak -x 200 -y 20 \
    "cd '$PWD' && JACK_DEFAULT_SERVER=$JACK_DEFAULT_SERVER LD_PRELOAD='$PWD/$probe' \
     SRNN_SOAK_PROBE='$dir/probe' ${SRNN_SOAK_SLOW_PATH:+SRNN_SOAK_SLOW_PATH=1} '$SRNN' play '$dir/models' --buffer 256 2>'$dir/stderr'; \
     echo \$? >'$dir/exit'; sleep 60"

pid=
for _ in $(seq 100); do
    shell=$(tmux -L "$tmux_socket" list-panes -t soak -F '#{pane_pid}' 2>/dev/null)
    pid=$(pgrep -P "$shell" -x srnn 2>/dev/null | head -n 1)
    [ -n "$pid" ] && status_line | grep -q '^> a_default' && break
    sleep 0.1
done
[ -n "$pid" ] || { echo "srnn play did not start: $(cat "$dir/stderr")" >&2; exit 1; }

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null; } # KiB
start=$SECONDS switches=0 rss_minute=
while [ $((SECONDS - start)) -lt "$seconds" ]; do
    sleep "$switch_every"
    tmux -L "$tmux_socket" send-keys -t soak Right
    switches=$((switches + 1))
    now=$(rss)
    [ -n "$now" ] || { fail "srnn play is gone: $(cat "$dir/stderr")"; break; }
    if [ -z "$rss_minute" ] && [ $((SECONDS - start)) -ge 60 ]; then rss_minute=$now; fi
    if [ $((switches % 20)) -eq 0 ]; then
        echo "$((SECONDS - start)) s: rss ${now} KiB: $(status_line)"
    fi
done
rss_end=$(rss)
echo "last status: $(status_line)"
tmux -L "$tmux_socket" send-keys -t soak q
for _ in $(seq 100); do
    [ -s "$dir/exit" ] && break
    sleep 0.1
done
wait "$cyclictest_pid" 2>/dev/null
cyclictest_pid=
stop_all

cat "$dir/stderr"
echo "resident set: ${rss_minute:-?} KiB after a minute, ${rss_end:-?} KiB at the end"
# cyclictest's last lines, one per thread: "T: 0 (...) P:80 I:1000 C: ... Max: N" (us)
echo "the machine's scheduling latency (cyclictest -p 80, both cores, during the soak):" \
    "$(grep -o 'Max: *[0-9]*' "$dir/cyclictest" | tr -s ' ' | paste -sd, -) us"
[ -s "$dir/probe" ] && cat "$dir/probe" || fail "the probe wrote nothing: was it preloaded?"

[ "$(cat "$dir/exit" 2>/dev/null)" = 0 ] || fail "exit status '$(cat "$dir/exit" 2>/dev/null)'"
summary=$(grep '^played ' "$dir/stderr")
[[ $summary =~ \ ([0-9]+)\ model\ switches ]] && [ "${BASH_REMATCH[1]}" -eq "$switches" ] ||
    fail "switches: asked for $switches: $summary"
probe_figures=$(grep -o 'max [0-9.]* us .*; [0-9]* over their period' "$dir/probe")
read -r callbacks < <(grep -o '^probe: [0-9]* callbacks' "$dir/probe" | grep -o '[0-9]*')
if [[ $probe_figures =~ ^max\ ([0-9]+)(\.[0-9]*)?\ us.*\ ([0-9]+)\ over ]]; then
    worst_us=${BASH_REMATCH[1]} over=${BASH_REMATCH[3]}
    machine_us=$(grep -o 'Max: *[0-9]*' "$dir/cyclictest" | grep -o '[0-9]*' | sort -n | tail -n 1)
    [ $((over * 1000)) -le "${callbacks:-0}" ] ||
        fail "$over of ${callbacks:-0} callbacks exceeded their period in CPU time (more than 1 in 1,000)"
    [ "$over" -eq 0 ] || [ "$worst_us" -le "${machine_us:-0}" ] ||
        fail "a callback took ${worst_us} us of CPU time, longer than the machine's worst stall (${machine_us:-?} us)"
else
    fail "the probe's figures are missing: $(cat "$dir/probe")"
fi
grep -q '^probe: forbidden calls in the callback: 0$' "$dir/probe" ||
    fail "forbidden calls in the callback"
finish "soak: $failed failures"
