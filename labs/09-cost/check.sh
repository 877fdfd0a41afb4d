#!/usr/bin/env bash
# Lab 09 grader: expected values measured on the student's dataset ($LAB_DATA) with the
# student's parameters (params.sh: tenant, dashboard rate, SLA): files from metrics.jsonl
# (the README counts the lake), money from 'lklab cost --format csv', the tenant's events
# from the output table (the README reads its view), the SLA choice from separate Kappa
# runs + 'lklab latency' + 'lklab cost' (the README uses 'lklab sweep').
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
kappa() {
    "$LKLAB" kappa --data "$LAB_DATA" --watermark 10m --final-watermark \
        --durability process --quiet "$@"
}
# usd CSV CONFIG COMPONENT: one amount of 'lklab cost --format csv' output
usd() { awk -F, -v c="$2" '$2 == c { print $3 }' "$1"; }
largest() { awk -F, -v k="$2" '$2 == k && $3 != "total" && $4 + 0 > m { m = $4 + 0; w = $3 }
                               END { print w }' "$1"; }
read -r _ tenant qph sla < <("$LAB_DIR/params.sh" "$LAB_DATA" | awk '$1 == "params"')

# q1: the lecture's small-files scenario, 'before' (a concept: the same for everyone)
"$LKLAB" cost --scenario small-files --format csv |
    awk -F, '$1 == "before" && $2 != "total" { print "s," $1 "," $2 "," $3 }' > scen.csv
expect_word q1 "^[[:space:]]*$(largest scen.csv before)[[:space:]]*\$"

# q2-q5: the 1m run with a lake and tenant views, priced at the student's dashboard rate
kappa --pipeline revenue --out k1m --trigger 1m --lake lake-1m --tenant-views
expect_int q2 "$(grep -o '"files_written":[0-9]*' k1m/metrics.jsonl | awk -F: '{ s += $2 } END { print s + 0 }')"
sed "s/\"queries_per_hour\": 60/\"queries_per_hour\": $qph/" "$LAB_ROOT/datasets/pricing/default.json" > pricing.json
for tier in hot cool archive; do
    "$LKLAB" cost --run k1m --pricing pricing.json --tier "$tier" --format csv > "cost-$tier.csv"
done
expect_num q3 "$(usd cost-archive.csv total)" 0.005
expect_num q4 "$(for tier in hot cool archive; do usd "cost-$tier.csv" total; done | sort -g | awk 'NR == 1')" 0.005
expect_int q5 "$(sql k1m "SELECT sum(events) FROM output WHERE tenant = '$tenant'")"

# q6: the student's tenant on a 2-node cluster of its own
sed "s/t100/$tenant/g" "$LAB_DIR/revenue-t100.json" > revenue-tenant.json
kappa --pipeline revenue-tenant.json --out tenant --trigger 1m --lake lake-tenant
"$LKLAB" cost --run tenant --pricing "$LAB_DIR/tenant-cluster.json" --format csv > cost-tenant.csv
expect_num q6 "$(usd cost-tenant.csv compute)" 0.005

# q7: the cost of the cheapest trigger whose p95 correct latency meets the student's SLA
: > sla.csv
for t in 1m 10m 30m 1h 2h; do
    run=sla-$t
    if [ "$t" = 1m ]; then
        run=k1m   # the same run (tenant views change no number)
    else
        kappa --pipeline revenue --out "$run" --trigger "$t" --lake "lake-$run"
    fi
    "$LKLAB" latency --run "$run" >/dev/null   # writes run.json's "latency"
    p95=$("$LKLAB" lab answer "$run/run.json" latency.correct.p95_ms)
    "$LKLAB" cost --run "$run" --format csv > "cost-$run.csv"
    echo "$t,$p95,$(usd "cost-$run.csv" total)" >> sla.csv
done
pick=$(awk -F, -v s="$sla" '$2 != "inf" && $2 != "" && $2 <= s * 60000 && (w == "" || $3 + 0 < m) {
                               m = $3 + 0; w = $3 } END { print w }' sla.csv)
if [ -n "$pick" ]; then
    expect_num q7 "$pick" 0.005
else
    echo "FAIL q7 no trigger meets your SLA on this dataset: tell your instructor"
fi
