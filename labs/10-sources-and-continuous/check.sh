#!/usr/bin/env bash
# Lab 10 grader: expected values measured on the student's dataset ($LAB_DATA), once per
# dataset (measured); batch counts from run.json and the rest from metrics.jsonl (the
# README reads the progress table). Batch counts are nearly the same for everyone (a
# 10-second trigger over 6 hours), so they come with the rows the run read.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
run() {
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --output-mode update --quiet \
        --durability process "$@"
}
lag() { sql "$1" 'SELECT avg(visible_time - window_end) / 1000.0 FROM output'; }
# metric RUN NAME: NAME summed over the batches of RUN's metrics.jsonl
metric() { grep -o "\"$2\":[0-9]*" "$1/metrics.jsonl" | awk -F: '{ s += $2 } END { print s + 0 }'; }

# the three runs, once per dataset; the expected answers into expected.txt
runs() {
    run --out log --source log --trigger 10s
    run --out files --source files --trigger 10s
    run --out continuous --trigger continuous
    {
        echo "q1 $("$LKLAB" lab answer log/run.json totals.batches)"
        echo "q1_rows $(metric log input_rows)"
        echo "q2 $("$LKLAB" lab answer files/run.json totals.batches)"
        echo "q2_empty $(grep -c '"input_rows":0[,}]' files/metrics.jsonl)"
        echo "q2_rows $(metric files input_rows)"
        echo "q3 $(metric log modelled_ms)"
        echo "q4 $(lag files)"
        echo "q5 $(lag continuous)"
        echo "q6 $("$LKLAB" cost --run continuous --format csv | awk -F, '$2 == "compute" { print $3 }')"
        echo "q6_busy $(metric continuous modelled_ms)"
    } > expected.txt
}
dir=$(measured runs) || { for q in q1 q2 q3 q4 q5 q6; do echo "FAIL $q a run failed on your dataset: tell your instructor"; done; exit 0; }
want() { awk -v k="$1" '$1 == k { print $2 }' "$dir/expected.txt"; }

expect_members q1 "batches:int:$(want q1)" "rows_read:int:$(want q1_rows)"
expect_members q2 "batches:int:$(want q2)" "without_input:int:$(want q2_empty)" \
    "rows_read:int:$(want q2_rows)"
expect_int q3 "$(want q3)"
expect_num q4 "$(want q4)" 0.0006
expect_num q5 "$(want q5)" 0.0006
# q6, the lab's concept choice: what the continuous run's cluster is billed for
expect_members q6 "billed_for:word:hours[- ]?on" "compute:num:$(want q6):0.005" \
    "busy_ms:int:$(want q6_busy)"
