#!/usr/bin/env bash
# Lab 07 reference solution: the README's commands, then the answers read off their output.
set -euo pipefail
D="$LAB_DATA"
L="$LAB_DIR"   # labs/07-kappa-reprocessing in the README
mkdir -p out/lab07
lklab truth --data "$D" --pipeline revenue --out out/lab07/truth.csv 2>/dev/null
lklab kappa --data "$D" --pipeline revenue --out out/lab07/daily --trigger 24h --quiet \
    --durability process
lklab results --run out/lab07/daily --out out/lab07/daily.csv
q1=$(($(wc -l < out/lab07/truth.csv) - $(wc -l < out/lab07/daily.csv)))
lklab kappa --data "$D" --pipeline revenue --out out/lab07/once --trigger once --quiet \
    --durability process
q2=$(lklab lab answer out/lab07/once/run.json totals.output_rows)
lklab kappa --data "$D" --pipeline revenue --out out/lab07/an --trigger available-now \
    --max-events-per-trigger 2000 --quiet --durability process
q3=$(lklab lab answer out/lab07/an/run.json totals.batches)
q4=$(lklab lab answer out/lab07/an/run.json totals.late_rows)
lklab kappa --data "$D" --pipeline revenue --out out/lab07/live --trigger 1h \
    --output-mode update --watermark none --quiet --durability process
lklab kappa --data "$D" --pipeline "$L/revenue-5m.json" --out out/lab07/live --trigger 1h \
    --output-mode update --watermark none --quiet --durability process --reprocess
q5=$(lklab lab answer out/lab07/live/run.json parameters.version)
q6=$(sqlite3 out/lab07/live/serving.db 'SELECT count(*) FROM output')
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3, "q4": $q4, "q5": $q5, "q6": $q6 }
JSON
