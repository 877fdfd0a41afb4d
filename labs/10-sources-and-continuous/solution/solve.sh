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
        "SELECT (SELECT count(*) FROM progress),
                (SELECT round(sum(modelled_ms) / 1000.0) FROM progress),
                (SELECT round(avg(visible_time - window_end) / 1000.0, 2) FROM output)"
}
read -r q1 q3 _ < <(measure log)
read -r q2 _ q4 < <(measure files)
read -r _ _ q5 < <(measure continuous)
q6=$(lklab cost --run out/lab10/continuous --format csv | awk -F, '$2 == "compute" { print $3 }')
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3, "q4": $q4, "q5": $q5, "q6": $q6 }
JSON
