#!/usr/bin/env bash
# The installed LV2 bundle: `make install` into a temporary DESTDIR/LV2DIR holds the library,
# the ttl, the presets and the default model; lv2_validate passes on its ttl (and fails on a
# copy broken on purpose, so it really checks); lv2info and lv2ls show both plugins, their
# class, ports and presets. Run once: the bundle's files are the same for both builds (and
# `make install` on the sanitizer build would relink it with the plain flags).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make --no-print-directory -s BUILD="$BUILD" DESTDIR="$tmp/root" LV2DIR=/lv2 install >/dev/null
bundle=$tmp/root/lv2/srnn.lv2
for file in manifest.ttl srnn.ttl presets.ttl default.srnn srnn_lv2.so; do
    [ -s "$bundle/$file" ] || fail "make install did not put $file in $bundle"
done
cmp -s models/default.srnn "$bundle/default.srnn" ||
    fail "the bundle's model is not models/default.srnn"
echo "ok   make install DESTDIR LV2DIR: $(cd "$bundle" && echo *)"

# where the bundle goes by default: $(PREFIX)/lib/lv2 for root, ~/.lv2 for a user
expected=$HOME/.lv2/srnn.lv2
[ "$(id -u)" -ne 0 ] || expected=/opt/x/lib/lv2/srnn.lv2
make --no-print-directory -n BUILD="$BUILD" PREFIX=/opt/x DESTDIR=/d install |
    grep -q "/d$expected" || fail "the default LV2DIR is not $expected"
echo "ok   default install directory: $expected"

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

export LV2_PATH=$tmp/root/lv2:/usr/lib/lv2
lv2ls >"$tmp/ls.txt"
for uri in urn:srnn:lv2:mono urn:srnn:lv2:stereo; do
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
echo "ok   lv2info and lv2ls show both plugins, their class, ports, features and presets"
