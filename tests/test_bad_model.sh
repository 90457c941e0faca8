#!/usr/bin/env bash
# `srnn info` on hostile model files (written by tests/bad_models.py from $GOLDEN/gru.srnn) must
# refuse each one the way a user can act on: a non-zero exit that is not a signal, and exactly
# one line on stderr, free of control characters, that names the problem (a regex per case).
# The controls (the golden model, edited copies that are still valid, the fuzzer's seeds) must
# load, which shows the edits and the checksum they recompute are right, so each refusal is for
# the reason the case is about.
set -u
source "$(dirname "$0")/lib.sh" SRNN GOLDEN
cd "$(dirname "$0")/.."
base=$GOLDEN/gru.srnn
[ -f "$base" ] || { echo "no $base" >&2; exit 1; }
cases=0

info() { # file: runs the tool, leaves rc, out and err
    timeout 20 "$SRNN" info "$1" >"$dir/out" 2>"$dir/err"
    rc=$?
}

valid=$("$PYTHON" tests/bad_models.py valid "$base" "$dir/valid") || exit 1
for file in $valid tests/fuzz/seeds/*.srnn; do
    cases=$((cases + 1))
    info "$file"
    if [ $rc -ne 0 ]; then
        fail "$(basename "$file"): valid, refused (exit $rc): $(head -c 300 "$dir/err")"
    fi
done

check_refused() { # file, name, regex
    local name=$2 err lines
    cases=$((cases + 1))
    info "$1"
    err=$(head -c 300 "$dir/err")
    err=${err//"$1"/FILE} # the path is random and must not match the regex
    lines=$(awk 'END { print NR }' "$dir/err")
    if [ $rc -eq 0 ]; then
        echo "FAIL $name: accepted"
    elif [ $rc -eq 124 ]; then
        echo "FAIL $name: still running after 20 s"
    elif [ $rc -ge 128 ]; then
        echo "FAIL $name: killed by signal $((rc - 128)): $err"
    elif [ "$lines" -ne 1 ]; then
        echo "FAIL $name: $lines lines on stderr instead of one: $err"
    elif LC_ALL=C grep -q '[[:cntrl:]]' <<<"$err"; then
        echo "FAIL $name: control characters in the error: $(cat -v <<<"$err")"
    elif ! grep -Eiq -- "$3" <<<"$err"; then
        echo "FAIL $name: error does not match /$3/: $err"
    else
        printf 'ok   %-34s exit %d: %s\n' "$name" $rc "$err"
        return 0
    fi
    failed=$((failed + 1))
}

mkdir "$dir/bad"
manifest=$("$PYTHON" tests/bad_models.py variants "$base" "$dir/bad") || exit 1
while IFS=$'\t' read -r file name regex; do
    check_refused "$file" "$name" "$regex"
done <<<"$manifest"
mkdir "$dir/bad/dir.srnn"
check_refused "$dir/bad/dir.srnn" directory "director|read|map|open|regular"

echo "$cases cases, $failed failed"
[ $failed -eq 0 ] && [ $cases -gt 50 ]
