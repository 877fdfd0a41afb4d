#!/usr/bin/env bash
# Lab 05 reference solution: the README's commands, then the answers read off their output.
set -euo pipefail
D="$LAB_DATA"
mkdir -p out/lab05
for mode in append update complete; do
    lklab kappa --data "$D" --pipeline revenue --out out/lab05/$mode --trigger 10m \
        --output-mode $mode --quiet --durability process
    lklab results --run out/lab05/$mode --table progress --out out/lab05/$mode-progress.csv
done
sum_written() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "output_rows") c = i; next }
             { s += $c } END { print s }' "$1"
}
q1=$(sum_written out/lab05/append-progress.csv)
q2=$(sum_written out/lab05/update-progress.csv)
q3=$(sum_written out/lab05/complete-progress.csv)
lklab truth --data "$D" --pipeline revenue --out out/lab05/truth.csv 2>/dev/null
q4=""
for mode in append update complete; do
    lklab results --run out/lab05/$mode --out out/lab05/$mode.csv
    cmp -s out/lab05/$mode.csv out/lab05/truth.csv && q4=$mode
done
late=$(sqlite3 out/lab05/update/serving.db 'SELECT count(*) FROM late')
final=$(sqlite3 out/lab05/update/serving.db 'SELECT count(*) FROM output')
lklab kappa --data "$D" --pipeline revenue --out out/lab05/update-lake --trigger 10m \
    --output-mode update --lake out/lab05/lake-update --quiet 2>/dev/null || true
lklab kappa --data "$D" --pipeline revenue --out out/lab05/append-lake --trigger 10m \
    --lake out/lab05/lake --quiet --durability process
q6=$(find out/lab05/lake -type f | wc -l)
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3, "q4": {"mode": "$q4", "update_late_rows": $late},
  "q5": $((q2 - final)), "q6": $q6 }
JSON
