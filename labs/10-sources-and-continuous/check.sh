#!/usr/bin/env bash
# Lab 10 grader: expected values measured on the student's dataset ($LAB_DATA); batch counts
# from run.json and busy time from metrics.jsonl (the README reads the progress table).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
run() {
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --output-mode update --quiet \
        --durability process "$@"
}
lag() { sql "$1" 'SELECT avg(visible_time - window_end) / 1000.0 FROM output'; }

run --out log --source log --trigger 10s
run --out files --source files --trigger 10s
run --out continuous --trigger continuous
expect_int q1 "$("$LKLAB" lab answer log/run.json totals.batches)"
expect_int q2 "$("$LKLAB" lab answer files/run.json totals.batches)"
busy=$(grep -o '"modelled_ms":[0-9]*' log/metrics.jsonl | awk -F: '{ s += $2 } END { print s / 1000 }')
expect_num q3 "$busy" 1
expect_num q4 "$(lag files)" 0.006
expect_num q5 "$(lag continuous)" 0.006
expect_num q6 "$("$LKLAB" cost --run continuous --format csv | awk -F, '$2 == "compute" { print $3 }')" 0.005
