#!/usr/bin/env bash
# The plugin's GUI (ui/lv2gui/) on a virtual X display: tests/lv2_gui_check.c, a small host of
# ours, runs the plugin and its GUI, looks at screenshots, drags the temperature knob with
# XTest and has the plugin report a corrupt model's load error. The screenshots are left in
# $BUILD/tests/gui/.
set -u
source "$(dirname "$0")/lib.sh" BUILD

command -v Xvfb >/dev/null || { echo "Xvfb missing: apt-get install xvfb" >&2; exit 1; }
check=$BUILD/tests/lv2_gui_check
[ -x "$check" ] || { echo "$check missing: make tests" >&2; exit 1; }

# A display number no other server holds (its lock file), from 90 up.
display=90
while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do
    display=$((display + 1))
done
Xvfb ":$display" -screen 0 1600x1000x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; wait $xvfb 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do
    [ -e "/tmp/.X11-unix/X$display" ] && break
    sleep 0.1
done
[ -e "/tmp/.X11-unix/X$display" ] || { cat "$dir/xvfb.log"; echo "Xvfb did not start" >&2; exit 1; }

# A model cut short: the plugin's worker refuses it and reports why on notify.
head -c 4096 models/default.srnn >"$dir/corrupt.srnn"
# A folder of two models for the browser.
mkdir "$dir/models"
ln -s "$PWD/models/default.srnn" "$dir/models/a.srnn"
ln -s "$PWD/models/default.srnn" "$dir/models/b.srnn"
mkdir -p "$BUILD/tests/gui"
# Under ASan: cairo keeps its state for an X display past the display's closing (and
# cairo_debug_reset_static_data does not free it); LeakSanitizer would call that a leak of ours.
printf 'leak:libcairo.so\n' >"$dir/lsan.supp"
export LSAN_OPTIONS="suppressions=$dir/lsan.supp:print_suppressions=0"
DISPLAY=":$display" "$check" "$BUILD/tests/gui" "$dir/corrupt.srnn" "$dir/models"
