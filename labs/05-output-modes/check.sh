#!/usr/bin/env bash
# Lab 05 grader: expected values measured on the student's dataset ($LAB_DATA), once per
# dataset (measured, check-lib.sh). Rows written are summed from metrics.jsonl (the README
# sums the progress table: the same numbers by another route).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
run() {
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --trigger 10m --quiet \
        --durability process "$@"
}
written() { grep -o '"output_rows":[0-9]*' "$1/metrics.jsonl" | awk -F: '{ s += $2 } END { print s + 0 }'; }

measure() {
    local mode equal=""
    "$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null || return 1
    for mode in append update complete; do
        run --out "$mode" --output-mode "$mode" || return 1
        "$LKLAB" results --run "$mode" --out "$mode.csv"
        cmp -s "$mode.csv" truth.csv && equal="$equal $mode"
    done
    run --out append-lake --lake append-lake-files || return 1
    cat > expected.env <<ENV
equal="${equal# }"
append=$(written append)
update=$(written update)
complete=$(written complete)
update_late=$(sql update "SELECT count(*) FROM late")
update_final=$(sql update "SELECT count(*) FROM output")
files=$(find append-lake-files -type f | wc -l | tr -d ' ')
ENV
}
m=$(measured measure) || { echo "FAIL q1 cannot measure your dataset: tell your instructor"; exit 0; }
. "$m/expected.env"

expect_int q1 "$append"
expect_int q2 "$update"
expect_int q3 "$complete"
if [ -z "$equal" ] || [ "${equal// /}" != "$equal" ]; then
    echo "FAIL q4 no single mode equals truth on this dataset: tell your instructor"
elif [ "$(expect_word q4.mode "^[[:space:]]*$equal[[:space:]]*\$")" != "PASS q4.mode" ]; then
    echo "FAIL q4"
elif [ "$(expect_int q4.update_late_rows "$update_late")" != "PASS q4.update_late_rows" ]; then
    echo "FAIL q4 the mode is right; update_late_rows is the row count of the update run's late table"
else
    echo "PASS q4"
fi
expect_int q5 "$((update - update_final))"
expect_int q6 "$files"
