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
T2=$(lklab table query --no-header --db "$DB" \
    "SELECT iso(visible_at) FROM batch_views WHERE view_id = 2")
# rows of class CLASS in reconcile's table output (the 'total' column)
rows() {
    local class=$1; shift
    lklab reconcile --truth out/lab08/truth.csv "$@" | awk -v c="$class" '$1 == c { print $5; exit }'
}
q1=$(rows duplicate-overcount --run out/lab08/lambda --at "$T1")
q2=$(rows pending --run out/lab08/lambda --at "$T1")
q3=$(rows duplicate-overcount --run out/lab08/lambda --at "$T2")
q4=$(rows total --run out/lab08/lambda)
lklab kappa --data "$D" --pipeline revenue --out out/lab08/kappa --trigger 10m \
    --watermark 10m --final-watermark --durability process --quiet
q5=$(rows total --run out/lab08/kappa)
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3, "q4": $q4, "q5": $q5, "q6": "missing-late" }
JSON
