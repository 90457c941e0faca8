#!/usr/bin/env bash
# The plugin's GUI in real hosts: jalv.gtk3 and jalv.qt5 (suil embeds the X11 UI in their GTK
# and Qt windows; jalv.qt5's own controls offer no way to choose the model, the GUI's browser
# does) on Xvfb, the plugin running on a private JACK server with the dummy driver. The GUI's
# window (named "srnn") must be inside jalv's, at the size it asked for (660 x 380 at jalv's
# scale factor 1), and a screenshot of it (xwd) must show the temperature knob's orange arc and
# the waveform's teal drawn from the levels the plugin posts on its notify port, which jalv
# forwards. tests/test_lv2_gui.sh checks the GUI in detail in a host of ours.
set -u
source "$(dirname "$0")/lib.sh" BUILD
source "$(dirname "$0")/play_jack.sh"
export LV2_PATH=$PWD/$BUILD/lv2
pids=()
cleanup() {
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    stop_jack
    rm -rf "$dir"
}
trap cleanup EXIT
give_up() {
    echo "FAIL: $*"
    for log in "$dir"/*.log; do echo "--- $log"; head -n 30 "$log"; done
    exit 1
}

start_xvfb "$dir/xvfb.log"
started=$?
[ -n "${xvfb_pid:-}" ] && pids+=("$xvfb_pid")
[ $started -eq 0 ] || give_up "Xvfb did not start"
start_jack 48000 512 || give_up "the JACK server did not start"

# Pixels of the temperature's orange and of the waveform's teal (ui/lv2gui/gui_draw.c) in an
# xwd screenshot.
count_colours() {
    "$PYTHON" - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
h = struct.unpack('>25I', d[:100])
size, width, height, order, bytes_per_line, colours = h[0], h[4], h[5], h[7], h[12], h[19]
red, green, blue = h[14:17]
pixels = d[size + 12 * colours:]
fmt = '<I' if order == 0 else '>I'
def near(p, c): return all(abs(a - b) <= 12 for a, b in zip(p, c))
orange = teal = 0
for y in range(height):
    for x in range(width):
        v = struct.unpack_from(fmt, pixels, y * bytes_per_line + 4 * x)[0]
        p = ((v & red) >> 16, (v & green) >> 8, v & blue)
        orange += near(p, (255, 159, 28))
        teal += near(p, (56, 217, 169))
print(orange, teal)
PY
}

check_host() {
    local jalv=$1 window jalv_pid
    "$jalv" -n "srnn_$jalv" urn:srnn:lv2:mono >"$dir/$jalv.log" 2>&1 &
    jalv_pid=$!
    pids+=($jalv_pid)

    window=
    for _ in $(seq 100); do
        window=$(xwininfo -root -tree 2>/dev/null | awk '$2 == "\"srnn\":" {print $1; exit}')
        [ -n "$window" ] && break
        sleep 0.1
    done
    [ -n "$window" ] || give_up "no GUI window named srnn appeared in $jalv"
    size=$(xwininfo -id "$window" | awk '/Width:/ {w = $2} /Height:/ {h = $2} END {print w "x" h}')
    [ "$size" = 660x380 ] || fail "the GUI's window is $size, not the 660x380 it asks for"
    echo "ok   $jalv embeds the GUI: window $window, $size"

    sleep 3 # the waveform scrolls in, 60 frames a second
    xwd -id "$window" -silent >"$dir/$jalv.xwd" || give_up "xwd"
    read -r orange teal < <(count_colours "$dir/$jalv.xwd")
    [ "${orange:-0}" -gt 500 ] || fail "the knob's orange arc is not on the screenshot (${orange:-?} pixels)"
    [ "${teal:-0}" -gt 300 ] || fail "no waveform on the screenshot (${teal:-?} teal pixels)"
    echo "ok   the GUI in $jalv shows the knob ($orange orange pixels) and the output ($teal teal)"
    kill $jalv_pid
    wait $jalv_pid 2>/dev/null
}

for jalv in jalv.gtk3 jalv.qt5; do check_host $jalv; done
finish "jalv GUIs: $failed failures"
