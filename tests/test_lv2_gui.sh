#!/usr/bin/env bash
# The plugin's GUI (ui/lv2gui/) on a virtual X display: tests/lv2_gui_check.c, a small host of
# ours, runs the plugin and its GUI, looks at screenshots, drags the temperature knob with
# XTest and has the plugin report a corrupt model's load error. The screenshots are left in
# $BUILD/tests/gui/. First: the GUI's library holds no engine (it shows the card the plugin
# posts, plugin/model_card.h).
set -u
source "$(dirname "$0")/lib.sh" BUILD

check=$BUILD/tests/lv2_gui_check
[ -x "$check" ] || { echo "$check missing: make tests" >&2; exit 1; }
library=$BUILD/lv2/srnn.lv2/srnn_lv2_ui.so
symbols=$(nm "$library") || exit 1
grep -q ' gui_draw$' <<<"$symbols" ||
    { echo "FAIL $library: no symbol table to look for the engine in" >&2; exit 1; }
if grep -E ' srnn_(model|voice)_' <<<"$symbols" >&2; then
    echo "FAIL the GUI's library $library holds the engine (above)" >&2
    exit 1
fi
echo "ok   the GUI's library holds no engine ($(stat -c %s "$library") bytes)"
xvfb_pid=
trap '[ -n "$xvfb_pid" ] && kill $xvfb_pid 2>/dev/null && wait $xvfb_pid 2>/dev/null; rm -rf "$dir"' EXIT
start_xvfb "$dir/xvfb.log" || { echo "Xvfb did not start" >&2; exit 1; }

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
"$check" "$BUILD/tests/gui" "$dir/corrupt.srnn" "$dir/models"
