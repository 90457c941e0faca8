#!/usr/bin/env bash
# The real-time budget (tests/budget_realtime.c): srnn play's callback and the plugin's run()
# through 100,800 periods of 256 frames at 48 kHz (three identical runs of 8,400 periods for
# each of the four scenarios: player and plugin, the shipped model and M, 512 x 2 int8), timed
# in thread CPU time against each model's budget, with no forbidden call. Then the same with a
# deliberate slow path (a 2 ms spin every 10,000 calls; the shipped model's scenarios), which
# must fail the budget: proof that the budget can fail.
# run.sh: alone (thread CPU time per call grows when a neighbour shares the caches)
set -u
source "$(dirname "$0")/lib.sh" BUILD
budget=$BUILD/tests/budget_realtime
[ -x "$budget" ] || { echo "missing $budget: make tests" >&2; exit 1; }

echo "== the budget (its figures are kept in $BUILD/budget_realtime.txt)"
"$budget" models/default.srnn "$dir" | tee "$BUILD/budget_realtime.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the audio thread is over its budget (above)"

echo "== with the deliberate slow path, which must fail the budget"
"$budget" models/default.srnn "$dir" --periods 10000 --slow-path >"$dir/slow" 2>&1
status=$?
cat "$dir/slow"
[ $status -ne 0 ] || fail "a 2 ms slow path every 10,000 calls passed the budget"
grep -q "over its budget" "$dir/slow" ||
    fail "the slow path run failed, but not on the budget (exit $status)"
finish "budget: $failed failures"
