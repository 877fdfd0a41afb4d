#!/usr/bin/env bash
# labs/11-capstone/brief.sh DATASET: the brief of the student whose dataset (from 'lklab
# lab data 11') is DATASET. Every student gets their own limits, picked from the seed of
# the dataset (so from the student id): a latency SLA, a share of rows allowed to differ
# from the truth, and a monthly budget. Prints them for people, then one line
# "brief LATENCY_MIN CORRECTNESS_PCT BUDGET_USD" that check.sh reads.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: labs/11-capstone/brief.sh DATASET" >&2; exit 2; }
seed=$(lklab lab answer "$1/manifest.json" seed) || {
    echo "brief: no dataset in '$1' (run: lklab lab data 11 --student ID --out $1)" >&2; exit 3; }
# Seven latency SLAs, each with a budget that the cheapest trigger meeting it fits with a
# margin; the correctness limit and a few dollars of the budget vary too.
latency=(75 90 105 120 135 150 200)
budget=(720 720 480 480 360 360 240)
k=$((seed % 7))
lat=${latency[$k]}
pct=$(awk -v j=$(((seed / 7) % 3)) 'BEGIN { printf "%.2f", 0.50 + 0.05 * j }')
usd=$((budget[k] + 5 * ((seed / 21) % 4)))
cat <<TEXT
Your brief (dataset seed $seed):
  latency      95% of the events correct in the dashboard within $lat minutes of arrival
               (lklab latency: p95 of 'correct', over every event)
  correctness  every difference from the truth explained, and at most $pct% of the
               truth's rows differing (lklab reconcile)
  budget       at most $usd USD a month (lklab cost: total, default prices, hot tier)
TEXT
echo "brief $lat $pct $usd"
