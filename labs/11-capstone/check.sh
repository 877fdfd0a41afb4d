#!/usr/bin/env bash
# Lab 11 grader: runs the student's choice (stack, trigger, watermark) on a FRESH dataset,
# generated here from the student's seed (not $LAB_DATA, which the student tuned on), and
# measures the three requirements of the README: latency (lklab latency: p95 of correct
# <= 90 min), correctness (lklab reconcile: exit 0 and <= 0.5% of the truth's rows
# differing), budget (lklab cost: total <= 750 USD a month).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
fail_all() { for q in latency correctness budget; do echo "FAIL $q $1"; done; exit 0; }

stack=$(answer stack | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')
trigger=$(answer trigger | tr -d '[:space:]')
wm=$(answer watermark | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')
dur='^[0-9]+(ms|s|m|h|d)$'
[ -n "$stack$trigger$wm" ] || fail_all "answers.json needs your stack, trigger and watermark"
case "$stack" in
    kappa)
        [[ "$trigger" =~ $dur ]] || fail_all "trigger must be a duration like 30s, 5m or 2h"
        [[ "$wm" =~ $dur || "$wm" = none ]] || fail_all "watermark must be a duration or none"
        ;;
    lambda)
        [[ "$trigger" =~ $dur ]] || fail_all "trigger (the batch period) must be a duration like 6h"
        [ -z "$wm" ] || [ "$wm" = none ] || fail_all "a Lambda stack has no watermark: none"
        ;;
    *) fail_all "stack must be kappa or lambda" ;;
esac

# The fresh dataset: the lab's options with another seed derived from the student's.
seed=$(( (LAB_SEED * 31 + 7) % 2147483647 + 1 ))
"$LKLAB" gen --scenario clickstream --events 20000 --seed "$seed" --out fresh --quiet ||
    fail_all "cannot generate the fresh dataset: tell your instructor"
"$LKLAB" truth --data fresh --pipeline revenue --out truth.csv 2>/dev/null ||
    fail_all "cannot compute the truth: tell your instructor"

if [ "$stack" = kappa ]; then
    "$LKLAB" kappa --data fresh --pipeline revenue --out run --trigger "$trigger" \
        --watermark "$wm" --lake lake --final-watermark --durability process --quiet
else
    "$LKLAB" lambda --data fresh --pipeline revenue --out run --batch-every "$trigger" \
        --speed-trigger 10s --quiet
fi || fail_all "lklab $stack refused your choice (its message is above)"

# latency: p95 of 'correct', from the JSON lklab latency prints
"$LKLAB" latency --run run --format json > latency.json || fail_all "lklab latency failed on your run"
p95=$("$LKLAB" lab answer latency.json correct.p95_ms)
echo "fresh dataset (seed $seed): correct p95 = ${p95:-none} ms" >&2
if [ -n "$p95" ] && [ "$p95" -le $((90 * 60000)) ]; then echo "PASS latency"; else echo "FAIL latency"; fi

# correctness: every difference explained, and at most 0.5% of the truth's rows differing
"$LKLAB" reconcile --run run --truth truth.csv --format csv > reconcile.csv
rc=$?
rows=$(($(wc -l < truth.csv) - 1))
diff=$(awk -F, '$1 == "total" { print $5 }' reconcile.csv)
echo "fresh dataset: reconcile exit $rc, ${diff:-?} of $rows truth rows differ" >&2
if [ "$rc" = 0 ] && [ -n "$diff" ] && [ $((diff * 1000)) -le $((rows * 5)) ]; then
    echo "PASS correctness"
else
    echo "FAIL correctness"
fi

# budget: the monthly total at the default prices
total=$("$LKLAB" cost --run run --format csv | awk -F, '$2 == "total" { print $3 }')
echo "fresh dataset: ${total:-?} USD a month" >&2
if [ -n "$total" ] && awk -v t="$total" 'BEGIN { exit !(t <= 750) }'; then
    echo "PASS budget"
else
    echo "FAIL budget"
fi
