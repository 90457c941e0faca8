#!/usr/bin/env bash
# The Debian packages (debian/): dpkg-buildpackage -b on a copy of the working tree (its
# tracked and new files, no build directories) builds srnn, srnn-data, libsrnn0, libsrnn-dev
# and srnn-lv2 with dpkg's flags (hardening, _FORTIFY_SOURCE) while the engine keeps
# -ffp-contract=off and nothing is built for the build machine's CPU; lintian finds no error;
# the packages, unpacked into a temporary root with dpkg -x (the system is not touched), hold
# a tool that reads the packaged model, a shared library with its soname that a program built
# with the packaged pkg-config file links and renders with, a man page, and an LV2 bundle that
# lv2ls lists. Run once: the packages are built from the sources, not from a build directory.
set -u
cd "$(dirname "$0")/.."
source tests/lib.sh
for tool in dpkg-buildpackage dh lintian lv2ls pkg-config; do
    command -v "$tool" >/dev/null || { echo "missing $tool (deps.sh TEST_PACKAGES)" >&2; exit 1; }
done
version=$(dpkg-parsechangelog -S Version) || exit 1
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH) || exit 1

# The working tree as it is, new files included: git's tracked and untracked files (not the
# ignored ones), less every build directory (build, build-asan, any build-*).
src=$dir/srnn-${version%-*}
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard | grep -zv '^build' |
        while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
        tar -c --null -T - -f - | tar -x -C "$src" || exit 1
else
    tar -c --exclude='./build*' --exclude=./.git --exclude=./debian/tmp -f - . | tar -x -C "$src" ||
        exit 1
fi

start=$SECONDS
# Nothing of the caller's make or tests/run.sh leaks into the package's build.
if ! (cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SRNN -u GOLDEN \
    DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1
then
    tail -n 40 "$dir/build.log"
    echo "FAIL dpkg-buildpackage -us -uc -b (log above)"
    exit 1
fi
echo "ok   dpkg-buildpackage -b in $((SECONDS - start)) s: $(cd "$dir" && echo *.deb)"

# The flags: dpkg's (-O2 then the project's -O3, _FORTIFY_SOURCE, stack protector) on every
# compiled file, the engine's -ffp-contract=off on every engine file, never -march=native.
compiles=$(grep -E '^(cc|gcc|x86_64-linux-gnu-gcc)\b.* -c [^ ]+\.c ' "$dir/build.log")
[ -n "$compiles" ] || fail "no compile line in the build log"
engine=$(grep -E ' -c engine/[^ ]+\.c ' <<<"$compiles")
[ "$(wc -l <<<"$engine")" -ge 10 ] || fail "the build log shows fewer than 10 engine compiles"
for flag in -D_FORTIFY_SOURCE=2 -fstack-protector-strong -O3; do
    missing=$(grep -vc -- " $flag " <<<"$compiles")
    [ "$missing" -eq 0 ] || fail "$missing compile lines lack $flag"
done
missing=$(grep -vc -- ' -ffp-contract=off ' <<<"$engine")
[ "$missing" -eq 0 ] || fail "$missing engine compile lines lack -ffp-contract=off"
! grep -q -- '-march=native' "$dir/build.log" || fail "the build uses -march=native"
echo "ok   $(wc -l <<<"$compiles") files compiled with dpkg's flags, $(wc -l <<<"$engine") engine" \
    "files with -ffp-contract=off, no -march=native"

# lintian on everything built; any error fails (warnings are shown, not failed on).
lintian --fail-on error --tag-display-limit 0 "$dir"/*.changes >"$dir/lintian.txt" 2>&1
rc=$?
grep -E '^[EW]: ' "$dir/lintian.txt" | sed 's/^/     /'
summary="$(grep -c '^E: ' "$dir/lintian.txt") errors, $(grep -c '^W: ' "$dir/lintian.txt") warnings"
if [ $rc -eq 0 ]; then
    echo "ok   lintian: $summary"
else
    grep -vE '^[EW]: ' "$dir/lintian.txt"
    fail "lintian (exit $rc): $summary"
fi

# Unpack every package (not the debug symbols) into a root of our own.
root=$dir/root
for package in srnn srnn-data libsrnn0 libsrnn-dev srnn-lv2; do
    deb=$(ls "$dir/${package}_${version}_"*.deb 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then fail "no package $package"; continue; fi
    dpkg -x "$deb" "$root"
done
lib=$root/usr/lib/$multiarch
for file in usr/bin/srnn usr/share/man/man1/srnn.1.gz usr/share/srnn/default.srnn \
    usr/include/srnn.h "usr/lib/$multiarch/libsrnn.a" "usr/lib/$multiarch/libsrnn.so" \
    "usr/lib/$multiarch/libsrnn.so.0" "usr/lib/$multiarch/pkgconfig/srnn.pc" \
    usr/lib/lv2/srnn.lv2/manifest.ttl usr/lib/lv2/srnn.lv2/srnn.ttl \
    usr/lib/lv2/srnn.lv2/presets.ttl usr/lib/lv2/srnn.lv2/srnn_lv2.so \
    usr/lib/lv2/srnn.lv2/srnn_lv2_ui.so usr/lib/lv2/srnn.lv2/srnn_ui.ttl \
    usr/lib/lv2/srnn.lv2/instrument.ttl \
    usr/lib/lv2/srnn.lv2/continuation.ttl \
    usr/lib/lv2/srnn.lv2/default.srnn; do
    [ -s "$root/$file" ] || fail "the packages hold no $file"
done
cmp -s models/default.srnn "$root/usr/share/srnn/default.srnn" ||
    fail "/usr/share/srnn/default.srnn is not models/default.srnn"
[ "$(readlink "$root/usr/lib/lv2/srnn.lv2/default.srnn")" = ../../../share/srnn/default.srnn ] ||
    fail "the bundle's default.srnn is not a link to srnn-data's /usr/share/srnn/default.srnn"
grep -qa /usr/share/srnn/default.srnn "$root/usr/bin/srnn" ||
    fail "the packaged srnn does not look for /usr/share/srnn/default.srnn"
echo "ok   $(find "$root" ! -type d | wc -l) files in place, the bundle's model linked to srnn-data's"

soname=$(readelf -d "$lib/libsrnn.so.0" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libsrnn.so.0 ] || fail "libsrnn.so.0's soname is '$soname'"

# The engine's products are never fused, whatever dpkg's flags: no fused multiply-add in the
# packaged library, plugin or GUI (the AVX-512 kernels' -mavx512f allows FMA, -ffp-contract=off
# keeps the compiler from using it).
if [ "$multiarch" = x86_64-linux-gnu ] && command -v objdump >/dev/null; then
    for binary in "$lib/libsrnn.so.0" "$root"/usr/lib/lv2/srnn.lv2/srnn_lv2{,_ui}.so; do
        fused=$(objdump -d "$binary" | grep -cE '\bv(fn?m(add|sub)[0-9a-z]*)\b')
        [ "$fused" -eq 0 ] || fail "$fused fused multiply-add instructions in $(basename "$binary")"
    done
    echo "ok   no fused multiply-add in the packaged library, plugin and GUI"
fi

export LD_LIBRARY_PATH=$lib
if "$root/usr/bin/srnn" info "$root/usr/share/srnn/default.srnn" >"$dir/info.txt" 2>&1 &&
    grep -qi beethoven "$dir/info.txt"; then
    echo "ok   the packaged srnn: info on the packaged model"
else
    cat "$dir/info.txt"; fail "srnn info on the packaged model"
fi

# A program built with the packaged srnn.pc against the packaged header and shared library.
cat >"$dir/render.c" <<'EOF'
#include <srnn.h>
#include <stdio.h>
int main(int argc, char **argv) {
    char error[SRNN_ERROR_MAX];
    srnn_model *model;
    srnn_voice *voice;
    float audio[4000];
    if (argc < 2 || srnn_model_load(argv[1], &model, error) != SRNN_OK ||
        srnn_voice_create(model, 1, &voice) != SRNN_OK)
        return 1;
    srnn_voice_generate(voice, 0.95f, audio, NULL, 4000);
    double energy = 0;
    for (int i = 0; i < 4000; i++) energy += (double)audio[i] * audio[i];
    printf("%d Hz, energy %g\n", (int)srnn_model_config(model)->sample_rate, energy);
    srnn_voice_free(voice);
    srnn_model_free(model);
    return energy > 0 ? 0 : 2;
}
EOF
pc=(env PKG_CONFIG_LIBDIR="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
    PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 pkg-config)
if flags=$("${pc[@]}" --cflags --libs srnn) &&
    cc "$dir/render.c" $flags -o "$dir/render" 2>"$dir/cc.txt" &&
    ldd "$dir/render" | grep -q "libsrnn.so.0 => $lib/libsrnn.so.0" &&
    "$dir/render" "$root/usr/share/srnn/default.srnn" >"$dir/render.txt" 2>&1; then
    echo "ok   a program built with pkg-config srnn ($flags) renders: $(cat "$dir/render.txt")"
else
    cat "$dir/cc.txt" "$dir/render.txt" 2>/dev/null
    fail "a program built against the packaged library (pkg-config: ${flags:-nothing})"
fi

if man -l "$root/usr/share/man/man1/srnn.1.gz" 2>/dev/null | grep -q render; then
    echo "ok   man -l on the packaged page"
else
    fail "man -l srnn.1.gz"
fi

LV2_PATH=$root/usr/lib/lv2 lv2ls >"$dir/lv2ls.txt" 2>&1
for uri in urn:srnn:lv2:mono urn:srnn:lv2:stereo; do
    grep -qx "$uri" "$dir/lv2ls.txt" || { cat "$dir/lv2ls.txt"; fail "lv2ls does not list $uri"; }
done
echo "ok   lv2ls on the packaged bundle: $(tr '\n' ' ' <"$dir/lv2ls.txt")"

finish "$failed failures"
