#!/usr/bin/env bash
# Lab 08 grader: expected values measured on the student's dataset ($LAB_DATA), once per
# dataset (measured). The instants come from metrics.jsonl (visible_time of batch job 2),
# the README reads them from the batch_views table; the class counts from 'lklab reconcile
# --format csv'; the rows of an answer from lklab results, of a truth from its CSV (the
# README reads both off reconcile's "rows:" line); the late table by SQL. Small counts
# (overcount, pending, late rows) come with a number that only the student's own run gives.
# q2 is the lab's concept choice (lab.json): the as-of truth, with its numbers.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout

# cell CLASS ARGS...: the rows of CLASS in reconcile's csv (its 'total' column)
cell() {
    local class=$1; shift
    "$LKLAB" reconcile --format csv "$@" 2>/dev/null | awk -F, -v c="$class" '$1 == c { print $5 }'
}
rows() { echo $(($(wc -l < "$1") - 1)); } # a result CSV has a header line

# every run of the lab, once per dataset; the expected answers into expected.txt (a
# "problem" line when the dataset cannot give an answer)
runs() {
    local landed ms asof
    "$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
    "$LKLAB" lambda --data "$LAB_DATA" --pipeline revenue --out lambda --batch-every 6h --quiet
    landed=$(grep '"layer":"batch","job":2,' lambda/metrics.jsonl \
             | sed -n 's/.*"visible_time":"\([^"]*\)".*/\1/p')
    : > expected.txt
    if [ -z "$landed" ]; then
        echo "problem this dataset has no second batch view: tell your instructor" >> expected.txt
    else
        ms=$("$LKLAB" table query --no-header --db lambda/serving.db \
             "SELECT iso(visible_at - 1) FROM batch_views WHERE iso(visible_at) = '$landed'")
        "$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth-t1.csv --as-of "$ms" 2>/dev/null
        "$LKLAB" results --run lambda --at "$ms" --out t1.csv
        asof=(--run lambda --truth truth-t1.csv --at "$ms" --as-of)
        [ "$(cell unexplained "${asof[@]}")" = 0 ] ||
            echo "problem reconcile cannot explain the answer at T1: tell your instructor" >> expected.txt
        {
            echo "q1_rows $(cell duplicate-overcount "${asof[@]}")"
            echo "truth_t1_rows $(rows truth-t1.csv)"
            echo "q2_pending $(cell pending "${asof[@]}")"
            echo "answer_t1_rows $(rows t1.csv)"
            echo "q3 $(cell pending --run lambda --truth truth.csv --at "$ms")"
        } >> expected.txt
    fi
    "$LKLAB" results --run lambda --out final.csv
    echo "q4 $(rows final.csv)" >> expected.txt

    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out kappa --trigger 10m \
        --watermark 10m --final-watermark --durability process --quiet
    "$LKLAB" results --run kappa --out kappa.csv
    if [ "$(cell total --run kappa --truth truth.csv)" = "$(cell missing-late --run kappa --truth truth.csv)" ]; then
        echo "q5_rows $(cell total --run kappa --truth truth.csv)" >> expected.txt
    else
        echo "problem5 not every difference of this Kappa run is missing-late: tell your instructor" >> expected.txt
    fi
    echo "kappa_rows $(rows kappa.csv)" >> expected.txt
    echo "q6_rows $(sql kappa 'SELECT count(*) FROM late')" >> expected.txt
    echo "q6_value $(sql kappa 'SELECT coalesce(sum(value), 0) FROM late')" >> expected.txt
}
dir=$(measured runs) || { for q in q1 q2 q3 q4 q5 q6; do echo "FAIL $q a run failed on your dataset: tell your instructor"; done; exit 0; }
want() { awk -v k="$1" '$1 == k { print $2 }' "$dir/expected.txt"; }
problem=$(awk '$1 == "problem" { sub(/^problem /, ""); print; exit }' "$dir/expected.txt")
problem5=$(awk '$1 == "problem5" { sub(/^problem5 /, ""); print; exit }' "$dir/expected.txt")

if [ -n "$problem" ]; then
    for q in q1 q2 q3; do echo "FAIL $q $problem"; done
else
    expect_members q1 "rows:int:$(want q1_rows)" "truth_rows:int:$(want truth_t1_rows)"
    expect_members q2 "truth:word:as[- ]?of" "pending:int:$(want q2_pending)" \
        "answer_rows:int:$(want answer_t1_rows)"
    expect_int q3 "$(want q3)"
fi
expect_int q4 "$(want q4)"
if [ -n "$problem5" ]; then
    echo "FAIL q5 $problem5"
else
    expect_members q5 "rows:int:$(want q5_rows)" "run_rows:int:$(want kappa_rows)"
fi
expect_members q6 "late_rows:int:$(want q6_rows)" "value:int:$(want q6_value)"
