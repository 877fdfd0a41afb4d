#!/usr/bin/env bash
# Lab 08 grader: expected values measured on the student's dataset ($LAB_DATA). The
# instants come from metrics.jsonl (visible_time of batch job 2), the README reads them from
# the batch_views table; the class counts from 'lklab reconcile --format csv'; the final
# answer's rows from lklab results; the late table by SQL.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout

# cell CLASS ARGS...: the rows of CLASS in reconcile's csv (its 'total' column)
cell() {
    local class=$1; shift
    "$LKLAB" reconcile --format csv "$@" 2>/dev/null | awk -F, -v c="$class" '$1 == c { print $5 }'
}

"$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
"$LKLAB" lambda --data "$LAB_DATA" --pipeline revenue --out lambda --batch-every 6h --quiet
landed=$(grep '"layer":"batch","job":2,' lambda/metrics.jsonl \
         | sed -n 's/.*"visible_time":"\([^"]*\)".*/\1/p')
if [ -z "$landed" ]; then
    for q in q1 q2 q3; do echo "FAIL $q this dataset has no second batch view: tell your instructor"; done
else
    ms=$("$LKLAB" table query --no-header --db lambda/serving.db \
         "SELECT iso(visible_at - 1) FROM batch_views WHERE iso(visible_at) = '$landed'")
    "$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth-t1.csv --as-of "$ms" 2>/dev/null
    asof=(--run lambda --truth truth-t1.csv --at "$ms" --as-of)
    if [ "$(cell unexplained "${asof[@]}")" != 0 ]; then
        for q in q1 q2; do echo "FAIL $q reconcile cannot explain the answer at T1: tell your instructor"; done
    else
        expect_int q1 "$(cell duplicate-overcount "${asof[@]}")"
        expect_int q2 "$(cell pending "${asof[@]}")"
    fi
    expect_int q3 "$(cell pending --run lambda --truth truth.csv --at "$ms")"
fi
"$LKLAB" results --run lambda --out final.csv
expect_int q4 "$(($(wc -l < final.csv) - 1))"

"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out kappa --trigger 10m \
    --watermark 10m --final-watermark --durability process --quiet
kappa_total=$(cell total --run kappa --truth truth.csv)
if [ "$kappa_total" = "$(cell missing-late --run kappa --truth truth.csv)" ]; then
    expect_int q5 "$kappa_total"
else
    echo "FAIL q5 not every difference of this Kappa run is missing-late: tell your instructor"
fi
expect_int q6 "$(sql kappa 'SELECT count(*) FROM late')"
