#!/usr/bin/env bash
# srnn info --speed (engine/speed.c, the measurement srnn play and the plugin make as a model
# loads): on the shipped model a plausible positive real-time factor, the speed line naming
# the precision and threads measured (also --threads 2 and --precision int4/int8), a warning
# line exactly when the factor is below 1; a configuration too slow to play live (a random
# 512 x 2 float32 model on the plain C kernels, SRNN_CPU=generic: about half real time here)
# gets the one warning line naming what would help; bad options get one line and exit 2.
set -u
source "$(dirname "$0")/lib.sh" SRNN PYTHON
model=models/default.srnn
[ -f "$model" ] || { echo "missing $model" >&2; exit 1; }

# speed_of ARGS...: runs srnn info --speed ARGS, sets $factor, $speed_line and $warning
speed_of() {
    if ! timeout 120 "$SRNN" info --speed "$@" >"$dir/out" 2>"$dir/err"; then
        fail "info --speed $*: exit $?: $(head -c 300 "$dir/err")"
        factor=0 speed_line= warning=
        return 1
    fi
    [ -s "$dir/err" ] && fail "info --speed $*: wrote to stderr: $(head -c 300 "$dir/err")"
    factor=$(sed -n 's/^realtime_factor: *//p' "$dir/out")
    speed_line=$(sed -n 's/^speed: *//p' "$dir/out")
    warning=$(sed -n 's/^warning: *//p' "$dir/out")
    echo "info --speed $*: $speed_line; factor $factor${warning:+; $warning}"
}
# below FACTOR LIMIT: whether FACTOR < LIMIT
below() { "$PYTHON" -c "import sys; sys.exit(not float('$1') < float('$2'))"; }

speed_of "$model"
[[ $speed_line =~ ^[0-9]+\ samples/s\ \(int8,\ sample\ MLP\ int8,\ 1\ thread, ]] ||
    fail "the speed line: '$speed_line'"
below 0.2 "$factor" && below "$factor" 10000 || fail "implausible factor '$factor'"
if below "$factor" 1; then [ -n "$warning" ]; else [ -z "$warning" ]; fi ||
    fail "factor $factor with warning '$warning': a warning goes with a factor below 1 only"

speed_of "$model" --threads 2 --precision int4/int8
[[ $speed_line =~ ^[0-9]+\ samples/s\ \(int4,\ sample\ MLP\ int8,\ 2\ threads, ]] ||
    fail "the speed line with --threads 2 --precision int4/int8: '$speed_line'"
below 0.2 "$factor" || fail "implausible factor '$factor' with two threads"

# Too slow to play live: the warning, in one line, with what would help.
if "$PYTHON" tests/reference/make_model.py --dim 512 --layers 2 --seed 1 -o "$dir/m.srnn" \
    >/dev/null 2>"$dir/make.err"; then
    SRNN_CPU=generic speed_of "$dir/m.srnn" --precision float32
    below "$factor" 1 || fail "512x2 float32 on plain C: factor $factor, want below 1"
    [[ $warning =~ ^cannot\ play\ live\ here:\ [0-9.]+x\ real\ time\ \(float32,\ 1\ thread\)\;\ what\ would\ help:\ int8\ or\ int4\ weights.*block-sparse\ model$ ]] ||
        fail "the warning: '$warning'"
    [ "$(grep -c '^warning:' "$dir/out")" = 1 ] || fail "not one warning line"
else
    fail "make_model.py: $(head -c 300 "$dir/make.err")"
fi

# Bad options: one line, exit 2.
refused() { # regex args...
    local regex=$1 rc
    shift
    timeout 60 "$SRNN" info "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -Eq -- "$regex" "$dir/err" ||
        fail "info $*: exit $rc, stderr '$(head -c 300 "$dir/err")', want one line '$regex'"
}
refused '--threads must be from 1 to 8, not 0' "$model" --speed --threads 0
refused '--threads must be from 1 to 8, not 99' "$model" --speed --threads 99
refused "info: --precision 'int5' is not float32" "$model" --speed --precision int5
refused 'info: --threads and --precision go with --speed' "$model" --threads 2

finish "info --speed: $failed failures"
