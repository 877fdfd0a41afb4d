#!/usr/bin/env bash
# Lab 03 grader: expected values are measured here, on the student's dataset ($LAB_DATA).
# q1, q2, q4 come from the progress table of one uninterrupted run (rows each batch wrote);
# q3 from crashing and restarting at the four phases.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
# --durability process: the same recovery after a kill -9, without the fsyncs (faster)
run() {
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --trigger 10m --quiet \
        --durability process "$@"
}

run --out clean
"$LKLAB" results --run clean --out clean.csv
before5=$(sql clean "SELECT coalesce(sum(output_rows), 0) FROM progress WHERE batch_id < 5")
batch5=$(sql clean "SELECT output_rows FROM progress WHERE batch_id = 5")
expect_int q1 "$before5"
expect_int q2 "$((before5 + batch5))"

same=0
for phase in planned processed sink-committed committed; do
    run --out "crash-$phase" --crash-after "5:$phase" 2>/dev/null
    run --out "crash-$phase"
    "$LKLAB" results --run "crash-$phase" --out "crash-$phase.csv"
    cmp -s "crash-$phase.csv" clean.csv && same=$((same + 1))
done
expect_int q3 "$same"
expect_int q4 "$batch5"
expect_word q5 'offset' 'state|commit'
