#!/usr/bin/env bash
# make install as a packager runs it, into a temporary DESTDIR with PREFIX=/usr, and then only
# the installed files: exactly the files expected (library links by soname), the installed
# srnn on the installed default model (and compiled to find it there), a C program built
# with `pkg-config srnn` (shared, then static) that renders a second through the public API,
# lv2ls on the installed bundle, the man page (no groff or man warning, every subcommand);
# make uninstall leaves no file; make install-user puts the bundle in ~/.lv2 and
# make uninstall-user takes it out. Run once: the installed files are the same for both builds.
set -u
source "$(dirname "$0")/lib.sh" BUILD
cd "$(dirname "$0")/.."

# A program built against the installed library must not be built with sanitizers, so a
# sanitizer build (tests/run.sh build-asan alone) installs the plain build instead.
if readelf -d "$BUILD/srnn" 2>/dev/null | grep -q libasan; then BUILD=build; fi
root=$dir/root
vars=(BUILD="$BUILD" DESTDIR="$root" PREFIX=/usr)
stop() { fail "$@"; finish "stopped"; }

make --no-print-directory "${vars[@]}" install >"$dir/install.log" 2>&1 ||
    stop "make install: $(tail -n 5 "$dir/install.log")"
version=$("$root/usr/bin/srnn" --version | sed -n 's/^srnn //p')
[ -n "$version" ] || stop "the installed srnn --version: no version"

# Exactly these files and links, nothing else.
(cd "$root" && find . -type f -o -type l | sed 's|^\./||' | sort) >"$dir/installed"
sort >"$dir/expected" <<EOF
usr/bin/srnn
usr/include/srnn.h
usr/lib/libsrnn.a
usr/lib/libsrnn.so
usr/lib/libsrnn.so.${version%%.*}
usr/lib/libsrnn.so.$version
usr/lib/lv2/srnn.lv2/continuation.ttl
usr/lib/lv2/srnn.lv2/default.srnn
usr/lib/lv2/srnn.lv2/instrument.ttl
usr/lib/lv2/srnn.lv2/manifest.ttl
usr/lib/lv2/srnn.lv2/presets.ttl
usr/lib/lv2/srnn.lv2/srnn.ttl
usr/lib/lv2/srnn.lv2/srnn_lv2.so
usr/lib/lv2/srnn.lv2/srnn_lv2_ui.so
usr/lib/lv2/srnn.lv2/srnn_ui.ttl
usr/lib/pkgconfig/srnn.pc
usr/share/man/man1/srnn.1
usr/share/srnn/default.srnn
EOF
diff "$dir/expected" "$dir/installed" >"$dir/diff" ||
    fail "make install: not the expected files (< missing, > extra): $(grep '^[<>]' "$dir/diff")"
lib=$root/usr/lib
soname=libsrnn.so.${version%%.*}
links="libsrnn.so -> $(readlink "$lib/libsrnn.so"), $soname -> $(readlink "$lib/$soname")"
[ "$links" = "libsrnn.so -> $soname, $soname -> libsrnn.so.$version" ] || fail "the links: $links"
readelf -d "$lib/libsrnn.so.$version" | grep -q "SONAME.*\[$soname\]" ||
    fail "libsrnn.so.$version has no soname $soname"
# Its internals stay out of the ABI: it exports the functions srnn.h declares, no others.
nm -D --defined-only "$lib/libsrnn.so.$version" | awk '{print $3}' | sort >"$dir/exported"
grep -oE '\bsrnn_[a-z0-9_]+\(' "$root/usr/include/srnn.h" | tr -d '(' | sort -u >"$dir/declared"
diff "$dir/declared" "$dir/exported" >"$dir/diff" ||
    fail "libsrnn.so exports other than srnn.h's functions (< missing, > extra):" \
        $(grep '^[<>]' "$dir/diff" | head -n 5)
for model in usr/share/srnn/default.srnn usr/lib/lv2/srnn.lv2/default.srnn; do
    cmp -s models/default.srnn "$root/$model" || fail "$model is not models/default.srnn"
done
echo "ok   make install PREFIX=/usr: $(wc -l <"$dir/installed") files, libsrnn $version ($soname)"

# The installed tool on the installed model; srnn play looks for that model under PREFIX.
"$root/usr/bin/srnn" info "$root/usr/share/srnn/default.srnn" >"$dir/info" 2>&1 &&
    grep -q "^sample_rate: *16000 Hz" "$dir/info" ||
    fail "srnn info on the installed default model: $(head -c 300 "$dir/info")"
"$root/usr/bin/srnn" help play | grep -q "^install puts in /usr/share/srnn/default.srnn\.$" ||
    fail "the installed srnn play's default model is not /usr/share/srnn/default.srnn"
echo "ok   the installed srnn reads the installed model and plays it by default"

# A program of the library's users: the public header and pkg-config, nothing from the tree.
cat >"$dir/render.c" <<'EOF'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <srnn.h>

/* Renders one second of MODEL and fails unless it sounds. */
int main(int argc, char **argv) {
    char error[SRNN_ERROR_MAX];
    srnn_model *model = NULL;
    srnn_voice *voice = NULL;
    if (argc != 2) return 2;
    srnn_status status = srnn_model_load(argv[1], &model, error);
    if (status != SRNN_OK) {
        fprintf(stderr, "%s: %s (%s)\n", argv[1], error, srnn_status_string(status));
        return 1;
    }
    size_t count = srnn_model_config(model)->sample_rate;
    float *audio = malloc(count * sizeof *audio);
    if (!audio || srnn_voice_create(model, 1, &voice) != SRNN_OK) return 1;
    srnn_voice_generate(voice, 0.95f, audio, NULL, count);
    double sum = 0, peak = 0;
    for (size_t i = 0; i < count; i++) {
        sum += (double)audio[i] * audio[i];
        if (fabs(audio[i]) > peak) peak = fabs(audio[i]);
    }
    double rms = sqrt(sum / (double)count);
    printf("%zu samples, rms %.4f, peak %.4f\n", count, rms, peak);
    srnn_voice_free(voice);
    srnn_model_free(model);
    free(audio);
    return rms > 0.001 && peak <= 1.0 ? 0 : 1;
}
EOF
export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=/nonexistent
if ! cc -std=c11 -Wall -Wextra -Werror "$dir/render.c" $(pkg-config --cflags --libs srnn) -lm \
    -o "$dir/render_shared" >"$dir/cc.log" 2>&1; then
    fail "cc render.c \$(pkg-config --cflags --libs srnn): $(head -c 600 "$dir/cc.log")"
elif ! readelf -d "$dir/render_shared" | grep -q "NEEDED.*\[$soname\]"; then
    fail "render_shared does not load $soname"
elif ! LD_LIBRARY_PATH=$lib "$dir/render_shared" "$root/usr/share/srnn/default.srnn" \
    >"$dir/shared.out" 2>&1; then
    fail "render_shared, the installed model: $(head -c 300 "$dir/shared.out")"
else
    echo "ok   pkg-config --cflags --libs srnn: a second from libsrnn.so: $(cat "$dir/shared.out")"
fi
if ! cc -std=c11 -Wall -Wextra -Werror -static "$dir/render.c" \
    $(pkg-config --static --cflags --libs srnn) -lm -o "$dir/render_static" >"$dir/cc.log" 2>&1
then
    fail "cc -static render.c \$(pkg-config --static --cflags --libs srnn):" \
        "$(head -c 600 "$dir/cc.log")"
elif readelf -d "$dir/render_static" 2>/dev/null | grep -q NEEDED; then
    fail "render_static loads shared libraries"
elif ! "$dir/render_static" "$root/usr/share/srnn/default.srnn" >"$dir/static.out" 2>&1; then
    fail "render_static, the installed model: $(head -c 300 "$dir/static.out")"
else
    echo "ok   pkg-config --static: a second from libsrnn.a: $(cat "$dir/static.out")"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

# The installed bundle alone on LV2_PATH.
LV2_PATH=$lib/lv2 lv2ls >"$dir/lv2ls" 2>&1
for uri in urn:srnn:lv2:mono urn:srnn:lv2:stereo; do
    grep -qx "$uri" "$dir/lv2ls" || fail "lv2ls on the installed bundle does not list $uri"
done
echo "ok   lv2ls on the installed bundle: $(tr '\n' ' ' <"$dir/lv2ls")"

# The man page: no warnings from groff or man, and a section for every subcommand.
page=$root/usr/share/man/man1/srnn.1
groff -ww -z -man "$page" >"$dir/groff" 2>&1
[ -s "$dir/groff" ] && fail "groff -ww on srnn.1: $(head -n 5 "$dir/groff")"
MANWIDTH=80 man -l "$page" >"$dir/man" 2>"$dir/man.err" || fail "man -l srnn.1 failed"
[ -s "$dir/man.err" ] && fail "man -l srnn.1: $(head -n 5 "$dir/man.err")"
grep -q '@[A-Z_]*@' "$page" && fail "srnn.1 keeps a placeholder: $(grep -o '@[A-Z_]*@' "$page")"
# srnn help's list: the lines after "commands:" up to the blank one
commands=$("$root/usr/bin/srnn" help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}')
[ "$(echo "$commands" | wc -w)" -ge 10 ] || fail "srnn help lists too few commands: $commands"
for command in $commands help; do
    grep -q "^   srnn $command\b" "$dir/man" || fail "the man page has no section for srnn $command"
done
grep -q "/usr/share/srnn/default.srnn" "$dir/man" ||
    fail "the man page does not name the default model /usr/share/srnn/default.srnn"
echo "ok   man -l srnn.1: $(wc -l <"$dir/man") lines, a section for each of:" $commands

# make uninstall with the same variables takes away every file.
make --no-print-directory "${vars[@]}" uninstall >"$dir/uninstall.log" 2>&1 ||
    fail "make uninstall: $(tail -n 5 "$dir/uninstall.log")"
left=$(cd "$root" && find . -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "ok   make uninstall leaves no file"

# A user's install: the bundle alone, in ~/.lv2.
home=$dir/home
make --no-print-directory BUILD="$BUILD" HOME="$home" install-user >"$dir/user.log" 2>&1 ||
    fail "make install-user: $(tail -n 5 "$dir/user.log")"
(cd "$home" && find . -type f | sed 's|^\./||' | sort) >"$dir/user"
grep '^usr/lib/lv2/' "$dir/expected" | sed 's|^usr/lib/lv2/|.lv2/|' | cmp -s - "$dir/user" ||
    fail "make install-user: $(tr '\n' ' ' <"$dir/user")"
make --no-print-directory BUILD="$BUILD" HOME="$home" uninstall-user >"$dir/user.log" 2>&1 ||
    fail "make uninstall-user: $(tail -n 5 "$dir/user.log")"
left=$(cd "$home" && find . -type f -o -type l)
[ -z "$left" ] || fail "make uninstall-user left: $left"
echo "ok   make install-user: the bundle in ~/.lv2; make uninstall-user takes it out"

finish "install checked, $failed failures"
