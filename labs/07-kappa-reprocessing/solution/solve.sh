#!/usr/bin/env bash
# Lab 07 reference solution: the README's commands, then the answers read off their output.
set -euo pipefail
D="$LAB_DATA"
. "$D/lab.env"
L="$LAB_DIR"   # labs/07-kappa-reprocessing in the README
k() { lklab kappa --data "$D" --quiet --durability process "$@"; }
mkdir -p out/lab07
lklab truth --data "$D" --pipeline revenue --out out/lab07/truth.csv 2>/dev/null
k --pipeline revenue --out out/lab07/daily --trigger 24h
lklab results --run out/lab07/daily --out out/lab07/daily.csv
q1=$(($(wc -l < out/lab07/truth.csv) - $(wc -l < out/lab07/daily.csv)))
q1w=$(lklab results --run out/lab07/daily --table progress --out - | awk -F, 'END { print $12 }')
k --pipeline revenue --out out/lab07/available-now --trigger available-now
q2=$(lklab results --run out/lab07/available-now --table progress --out - | awk -F, 'END { print $13 }')
k --pipeline revenue --out out/lab07/once-capped --trigger once --max-events-per-trigger "$CAP" 2>/dev/null
q3=$(lklab results --run out/lab07/once-capped --table progress --out - | awk -F, 'NR == 2 { print $4 }')
k --pipeline revenue --out out/lab07/an --trigger available-now --max-events-per-trigger "$CAP"
q4=$(lklab lab answer out/lab07/an/run.json totals.late_rows)
q4w=$(lklab table query --no-header --db out/lab07/an/serving.db "SELECT iso(min(watermark)) FROM late")
k --pipeline revenue --out out/lab07/crashed --trigger available-now --max-events-per-trigger "$CAP" \
    --crash-after 2:planned 2>/dev/null || true
k --pipeline revenue --out out/lab07/crashed --trigger once
read_lines=$(lklab results --run out/lab07/crashed --table progress --out - |
             awk -F, 'NR > 1 { s += $4 } END { print s }')
q5=$(($(lklab lab answer "$D/manifest.json" counts.lines) - read_lines))
k --pipeline revenue --out out/lab07/live --trigger 1h --output-mode update --watermark none
k --pipeline "$L/revenue-5m.json" --out out/lab07/live --trigger 1h --output-mode update \
    --watermark none --reprocess
q6=$(sqlite3 out/lab07/live/serving.db 'SELECT count(*) FROM output')
cat > "$LAB_OUT" <<JSON
{ "q1": { "rows": $q1, "watermark": "$q1w" }, "q2": $q2, "q3": $q3,
  "q4": { "late_rows": $q4, "first_watermark": "$q4w" }, "q5": $q5, "q6": $q6 }
JSON
