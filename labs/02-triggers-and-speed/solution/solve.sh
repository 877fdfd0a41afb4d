#!/usr/bin/env bash
# Lab 02 reference solution: the README's sweep, then the answers read off sweep.csv (by
# column number from its header, docs/sweep.md).
set -euo pipefail
mkdir -p out/lab02
lklab sweep --data "$LAB_DATA" --pipeline revenue --out out/lab02/sweep \
    --triggers 1m,10m,1h,24h --quiet > /dev/null
S=out/lab02/sweep/sweep.csv
n() { head -1 "$S" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
RUN=$(n run) FV50=$(n first_visible_p50_ms) FV95=$(n first_visible_p95_ms)
C95=$(n correct_p95_ms) TOTAL=$(n total_usd)
# value RUN COLUMN-NUMBER
value() { awk -F, -v r="runs/$1" -v k="$RUN" -v c="$2" '$k == r { print $c }' "$S"; }
q1=$(value kappa-1m-wm10m "$FV50")
q2=$(value kappa-1m-wm10m "$TOTAL")
q3=$(value kappa-24h-wm10m "$TOTAL")
# cheapest COLUMN-NUMBER LIMIT: the run name with the lowest total_usd among COLUMN <= LIMIT
cheapest() {
    awk -F, -v c="$1" -v lim="$2" 'NR > 1 && $c != "inf" && $c <= lim' "$S" |
        sort -t, -k"$TOTAL,$TOTAL"g | awk -F, -v k="$RUN" 'NR == 1 { sub("^runs/", "", $k); print $k }'
}
q4=$(cheapest "$FV95" 60000)
q5=$(cheapest "$C95" 2700000)
q6=$(cheapest "$C95" 172800000)
q7=$(awk -v x="$(value "$q4" "$TOTAL")" -v y="$(value "$q6" "$TOTAL")" 'BEGIN { printf "%.3f", x / y }')
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3,
  "q4": {"run": "$q4", "first_visible_p95_ms": $(value "$q4" "$FV95")},
  "q5": {"run": "$q5", "correct_p95_ms": $(value "$q5" "$C95")},
  "q6": {"run": "$q6", "correct_p95_ms": $(value "$q6" "$C95")},
  "q7": $q7 }
JSON
