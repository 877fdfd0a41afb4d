#!/usr/bin/env bash
# labs/11-capstone/measure.sh STACK TRIGGER WATERMARK DATASET TRUTH RUN: run one candidate
# the way the check does and print its three measurements on one line:
#   p95_ms differing_rows truth_rows reconcile_exit usd_month
# p95_ms is the p95 of 'correct' over every event ("inf" when more than 5% of the events
# are never correct). Kappa: append mode into a lake (a dashboard reading files),
# --final-watermark, --durability process; Lambda: --batch-every TRIGGER, a 10-second
# speed layer. RUN (and RUN.lake) are replaced. Exit 2 on a bad choice, 4 when a step fails.
set -uo pipefail
[ $# -eq 6 ] || { echo "usage: measure.sh STACK TRIGGER WATERMARK DATASET TRUTH RUN" >&2; exit 2; }
stack=$1 trigger=$2 wm=$3 data=$4 truth=$5 run=$6
rm -rf "$run" "$run.lake"
case "$stack" in
    kappa) lklab kappa --data "$data" --pipeline revenue --out "$run" --trigger "$trigger" \
               --watermark "$wm" --lake "$run.lake" --final-watermark --durability process \
               --quiet || exit 2 ;;
    lambda) lklab lambda --data "$data" --pipeline revenue --out "$run" --batch-every "$trigger" \
                --speed-trigger 10s --quiet || exit 2 ;;
    *) echo "measure.sh: stack must be kappa or lambda" >&2; exit 2 ;;
esac
lklab latency --run "$run" > /dev/null || exit 4
p95=$(lklab lab answer "$run/run.json" latency.correct.p95_ms) || exit 4
rc=0
lklab reconcile --run "$run" --truth "$truth" --format csv > "$run.reconcile.csv" || rc=$?
[ $rc -le 1 ] || exit 4
diff=$(awk -F, '$1 == "total" { print $5 }' "$run.reconcile.csv")
rows=$(($(wc -l < "$truth") - 1))
usd=$(lklab cost --run "$run" --format csv | awk -F, '$2 == "total" { print $3 }')
[ -n "$diff" ] && [ -n "$usd" ] || exit 4
echo "$p95 $diff $rows $rc $usd"
