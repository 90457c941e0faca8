#!/usr/bin/env bash
# The LV2 bundle the build makes ($BUILD/lv2/srnn.lv2) holds the library, the ttl, the presets
# and the default model; lv2_validate passes on its ttl (and fails on a copy broken on purpose,
# so it really checks); lv2info and lv2ls show both plugins, their class, ports and presets.
# Run once: the bundle's files are the same for both builds. (Its installation is
# tests/once_install.sh's.)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

[ -d "$BUILD/lv2/srnn.lv2" ] || fail "no bundle $BUILD/lv2/srnn.lv2 (make plugin)"
bundle=$(cd "$BUILD/lv2/srnn.lv2" && pwd)
for file in manifest.ttl srnn.ttl instrument.ttl continuation.ttl srnn_ui.ttl presets.ttl default.srnn srnn_lv2.so srnn_lv2_ui.so; do
    [ -s "$bundle/$file" ] || fail "the bundle has no $file"
done
cmp -s models/default.srnn "$bundle/default.srnn" ||
    fail "the bundle's model is not models/default.srnn"
echo "ok   the bundle $BUILD/lv2/srnn.lv2: $(cd "$bundle" && echo *)"

if ! lv2_validate "$bundle"/*.ttl >"$tmp/validate.txt" 2>&1 ||
    ! grep -q "Found 0 errors" "$tmp/validate.txt"; then
    cat "$tmp/validate.txt"
    fail "lv2_validate"
fi
echo "ok   lv2_validate: $(grep Found "$tmp/validate.txt")"

mkdir "$tmp/broken"
cp "$bundle"/*.ttl "$tmp/broken/"
sed -i 's/lv2:index 2 ;/lv2:index "two" ;/' "$tmp/broken/srnn.ttl"
if lv2_validate "$tmp/broken"/*.ttl >"$tmp/broken.txt" 2>&1; then
    fail "lv2_validate accepted a port index \"two\""
fi
echo "ok   lv2_validate rejects a broken copy: $(grep Found "$tmp/broken.txt")"

export LV2_PATH=$(dirname "$bundle"):/usr/lib/lv2
lv2ls >"$tmp/ls.txt"
for uri in urn:srnn:lv2:mono urn:srnn:lv2:stereo urn:srnn:lv2:instrument \
    urn:srnn:lv2:continuation; do
    grep -qx "$uri" "$tmp/ls.txt" || fail "lv2ls does not list $uri"
done
lv2info urn:srnn:lv2:mono >"$tmp/info.txt"
for expected in "Name: *srnn SampleRNN" "Class: *Generator Plugin" \
    "Binary: *file://$bundle/srnn_lv2.so" "Symbol: *temperature" "Default: *0.950000" \
    "Symbol: *gain" "Symbol: *reseed" "Symbol: *out" "http://lv2plug.in/ns/ext/worker#schedule" \
    "http://lv2plug.in/ns/ext/state#interface" "Calm" "PRiSM default" "Restless" "Wild"; do
    grep -q "$expected" "$tmp/info.txt" || { cat "$tmp/info.txt"; fail "lv2info lacks $expected"; }
done
lv2info urn:srnn:lv2:stereo | grep -q "Symbol: *out_right" || fail "lv2info: no out_right on stereo"
lv2info urn:srnn:lv2:instrument >"$tmp/instrument.txt"
for expected in "Name: *srnn SampleRNN instrument" "Symbol: *attack" "Symbol: *release" \
    "Symbol: *temperature_cc" "Pad"; do
    grep -q "$expected" "$tmp/instrument.txt" ||
        { cat "$tmp/instrument.txt"; fail "lv2info lacks $expected on the instrument"; }
done
lv2info urn:srnn:lv2:continuation >"$tmp/continuation.txt"
for expected in "Name: *srnn SampleRNN continuation" "Class: *Delay Plugin" "Symbol: *in" \
    "Symbol: *mix" "Symbol: *threshold" "Symbol: *hold" "Symbol: *continue" "Answer" "Daydream"; do
    grep -q "$expected" "$tmp/continuation.txt" ||
        { cat "$tmp/continuation.txt"; fail "lv2info lacks $expected on the continuation effect"; }
done
echo "ok   lv2info and lv2ls show the four plugins, their class, ports, features and presets"
