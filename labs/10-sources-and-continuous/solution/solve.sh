#!/usr/bin/env bash
# Lab 10 reference solution: the README's commands, then the answers read off their output.
set -euo pipefail
D="$LAB_DATA"
mkdir -p out/lab10
for source in log files; do
    lklab kappa --data "$D" --pipeline revenue --out out/lab10/$source --source $source \
        --trigger 10s --output-mode update --quiet --durability process
done
lklab kappa --data "$D" --pipeline revenue --out out/lab10/continuous --trigger continuous \
    --output-mode update --quiet --durability process
measure() {
    sqlite3 -separator ' ' out/lab10/$1/serving.db \
        "SELECT (SELECT count(*) FROM progress), (SELECT sum(input_rows = 0) FROM progress),
                (SELECT sum(input_rows) FROM progress), (SELECT sum(modelled_ms) FROM progress),
                (SELECT round(avg(visible_time - window_end) / 1000.0, 3) FROM output)"
}
read -r q1 _ q1r q3 _ < <(measure log)
read -r q2 q2e q2r _ q4 < <(measure files)
read -r _ _ _ q6b q5 < <(measure continuous)
q6=$(lklab cost --run out/lab10/continuous --format csv | awk -F, '$2 == "compute" { print $3 }')
cat > "$LAB_OUT" <<JSON
{ "q1": { "batches": $q1, "rows_read": $q1r },
  "q2": { "batches": $q2, "without_input": $q2e, "rows_read": $q2r }, "q3": $q3, "q4": $q4,
  "q5": $q5, "q6": { "billed_for": "hours-on", "compute": $q6, "busy_ms": $q6b } }
JSON
