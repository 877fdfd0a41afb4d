#!/usr/bin/env bash
# Lab 02 reference solution: the README's sweep, then the answers read off sweep.csv.
set -euo pipefail
mkdir -p out/lab02
lklab sweep --data "$LAB_DATA" --pipeline revenue --out out/lab02/sweep \
    --triggers 1m,10m,1h,24h --quiet > /dev/null
S=out/lab02/sweep/sweep.csv
run() { awk -F, -v r="runs/$1" '$26 == r { print $'"$2"' }' "$S"; }
q1=$(awk -v ms="$(run kappa-1m-wm10m 9)" 'BEGIN { printf "%.1f", ms / 60000 }')
q2=$(run kappa-1m-wm10m 23)
q3=$(run kappa-24h-wm10m 23)
# cheapest COLUMN LIMIT: the run name with the lowest total_usd among COLUMN <= LIMIT
cheapest() {
    awk -F, -v c="$1" -v lim="$2" 'NR > 1 && $c + 0 <= lim' "$S" | sort -t, -k23,23g |
        awk -F, 'NR == 1 { sub("^runs/", "", $26); print $26 }'
}
q4=$(cheapest 10 60000)
q5=$(cheapest 13 2700000)
q6=$(cheapest 13 172800000)
q7=$(awk -v x="$(run "$q4" 23)" -v y="$(run "$q6" 23)" 'BEGIN { printf "%.1f", x / y }')
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3, "q4": "$q4", "q5": "$q5", "q6": "$q6", "q7": $q7 }
JSON
