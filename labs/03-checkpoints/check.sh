#!/usr/bin/env bash
# Lab 03 grader: expected values are measured here, on the student's dataset ($LAB_DATA),
# with the student's crash batch ($CRASH, $LAB_DATA/lab.env), once per dataset (measured,
# check-lib.sh). q1, q2, q4 come from the progress table of one uninterrupted run (rows each
# batch wrote); q3 from a run crashed after the processed phase and restarted; q5 from the
# checkpoint of a run crashed right after planning the batch.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
. "$LAB_DATA/lab.env"           # CRASH
# --durability process: the same recovery after a kill -9, without the fsyncs (faster)
run() {
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --trigger 10m --quiet \
        --durability process "$@"
}
measure() {
    run --out clean || return 1
    "$LKLAB" results --run clean --out clean.csv
    run --out planned --crash-after "$CRASH:planned" 2>/dev/null
    run --out processed --crash-after "$CRASH:processed" 2>/dev/null
    run --out processed || return 1
    "$LKLAB" results --run processed --out processed.csv
    cat > expected.env <<ENV
before=$(sql clean "SELECT coalesce(sum(output_rows), 0) FROM progress WHERE batch_id < $CRASH")
batch=$(sql clean "SELECT output_rows FROM progress WHERE batch_id = $CRASH")
clean_input=$(sql clean "SELECT input_rows FROM progress WHERE batch_id = $CRASH")
replay_input=$(sql processed "SELECT input_rows FROM progress WHERE batch_id = $CRASH")
same=$(cmp -s processed.csv clean.csv && echo 1 || echo 0)
lines=$(grep -o '"line":"[0-9]*"' "planned/checkpoint/offsets/$CRASH" | tr -dc '0-9\n' |
        awk '{ s += $1 } END { print s + 0 }')
ENV
}
m=$(measured measure) || { echo "FAIL q1 cannot measure your dataset: tell your instructor"; exit 0; }
. "$m/expected.env"

expect_int q1 "$before"
expect_int q2 "$((before + batch))"
if [ "$same" = 1 ] && [ "$replay_input" = "$clean_input" ]; then
    expect_int q3 "$replay_input"
else
    echo "FAIL q3 the restarted run differs from the clean one on this dataset: tell your instructor"
fi
expect_int q4 "$batch"
if [ "$(answer q5.directory | tr -d '[:space:]/' | tr '[:upper:]' '[:lower:]')" != offsets ]; then
    echo "FAIL q5"
else
    expect_int q5.lines "$lines" | sed 's/^\([A-Z]*\) q5.lines/\1 q5/; s/^FAIL q5$/FAIL q5 the directory is right; add up its "line" values for your batch/'
fi
