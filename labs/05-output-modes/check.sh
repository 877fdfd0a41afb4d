#!/usr/bin/env bash
# Lab 05 grader: expected values measured on the student's dataset ($LAB_DATA). Rows written
# are summed from metrics.jsonl (the README sums the progress table: the same numbers by
# another route).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
run() {
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --trigger 10m --quiet \
        --durability process "$@"
}
written() { grep -o '"output_rows":[0-9]*' "$1/metrics.jsonl" | awk -F: '{ s += $2 } END { print s + 0 }'; }

"$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
equal=""
for mode in append update complete; do
    run --out "$mode" --output-mode "$mode"
    "$LKLAB" results --run "$mode" --out "$mode.csv"
    cmp -s "$mode.csv" truth.csv && equal="$equal $mode"
done
expect_int q1 "$(written append)"
expect_int q2 "$(written update)"
expect_int q3 "$(written complete)"
equal=${equal# }
if [ -n "$equal" ] && [ "${equal// /}" = "$equal" ]; then
    expect_word q4 "^[[:space:]]*$equal[[:space:]]*\$"
else
    echo "FAIL q4 no single mode equals truth on this dataset: tell your instructor"
fi

run --out update-lake --output-mode update --lake update-lake-files 2>/dev/null
expect_int q5 "$?"
run --out append-lake --lake append-lake-files
expect_int q6 "$(find append-lake-files -type f | wc -l)"
