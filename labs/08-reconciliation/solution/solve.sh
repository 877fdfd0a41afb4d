#!/usr/bin/env bash
# Lab 08 reference solution: the README's commands, then the answers read off reconcile's
# class tables.
set -euo pipefail
D="$LAB_DATA"
mkdir -p out/lab08
lklab truth --data "$D" --pipeline revenue --out out/lab08/truth.csv 2>/dev/null
lklab lambda --data "$D" --pipeline revenue --out out/lab08/lambda --batch-every 6h --quiet
DB=out/lab08/lambda/serving.db
T1=$(lklab table query --no-header --db "$DB" \
    "SELECT iso(visible_at - 1) FROM batch_views WHERE view_id = 2")
lklab truth --data "$D" --pipeline revenue --out out/lab08/truth-t1.csv --as-of "$T1" 2>/dev/null
# reconcile's first line: "rows: A in A, B in B; ..."
inrows() { lklab reconcile "$@" | awk -v w="$side" '$1 == "rows:" { print (w == "A" ? $2 : $5) + 0; exit }'; }
# rows of class CLASS in reconcile's table output (the 'total' column)
rows() {
    local class=$1; shift
    lklab reconcile "$@" | awk -v c="$class" '$1 == c { print $5; exit }'
}
asof=(--run out/lab08/lambda --truth out/lab08/truth-t1.csv --at "$T1" --as-of)
q1=$(rows duplicate-overcount "${asof[@]}")
q1t=$(side=B inrows "${asof[@]}")
q2=$(rows pending "${asof[@]}")
q2a=$(side=A inrows "${asof[@]}")
q3=$(rows pending --run out/lab08/lambda --truth out/lab08/truth.csv --at "$T1")
lklab results --run out/lab08/lambda --out out/lab08/final.csv
q4=$(($(wc -l < out/lab08/final.csv) - 1))
lklab kappa --data "$D" --pipeline revenue --out out/lab08/kappa --trigger 10m \
    --watermark 10m --final-watermark --durability process --quiet
q5=$(rows total --run out/lab08/kappa --truth out/lab08/truth.csv)
q5r=$(side=A inrows --run out/lab08/kappa --truth out/lab08/truth.csv)
read -r q6 q6v < <(lklab table query --no-header --db out/lab08/kappa/serving.db \
    "SELECT count(*), coalesce(sum(value), 0) FROM late" | tr ',' ' ')
cat > "$LAB_OUT" <<JSON
{ "q1": { "rows": $q1, "truth_rows": $q1t },
  "q2": { "truth": "as-of", "pending": $q2, "answer_rows": $q2a }, "q3": $q3, "q4": $q4,
  "q5": { "rows": $q5, "run_rows": $q5r }, "q6": { "late_rows": $q6, "value": $q6v } }
JSON
