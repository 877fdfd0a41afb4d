#!/usr/bin/env bash
# Lab 09 grader: expected values measured on the student's dataset ($LAB_DATA) with the
# student's parameters (params.sh: tenant, dashboard rate, SLA): files and bytes from
# metrics.jsonl (the README counts the lake), money from 'lklab cost --format csv', the
# tenant's events and value_sum from the output table (the README reads its view), the SLA
# choice from separate Kappa runs + 'lklab latency' + 'lklab cost' (the README uses 'lklab
# sweep'). Everything is measured once per dataset (measured: the cross-grading and a
# student's second check cost nothing). q1 is the lab's concept choice (lab.json): the
# component, the same for everyone, with its amount in the student's own run.
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
metric() { grep -o "\"$2\":[0-9]*" "$1/metrics.jsonl" | awk -F: '{ s += $2 } END { print s + 0 }'; }

# every run of the lab, once per dataset; the expected answers into expected.txt
runs() {
    local tenant qph sla t run p95 pick
    read -r _ tenant qph sla < <("$LAB_DIR/params.sh" "$LAB_DATA" | awk '$1 == "params"')
    # q1: the lecture's small-files scenario, 'before' (a concept: the same for everyone)
    "$LKLAB" cost --scenario small-files --format csv |
        awk -F, '$1 == "before" && $2 != "total" { print "s," $1 "," $2 "," $3 }' > scen.csv
    # q2-q5: the 1m run with a lake and tenant views, priced at the student's dashboard rate
    kappa --pipeline revenue --out k1m --trigger 1m --lake lake-1m --tenant-views
    sed "s/\"queries_per_hour\": 60/\"queries_per_hour\": $qph/" \
        "$LAB_ROOT/datasets/pricing/default.json" > pricing.json
    for t in hot cool archive; do
        "$LKLAB" cost --run k1m --pricing pricing.json --tier "$t" --format csv > "cost-$t.csv"
    done
    # q6: the student's tenant on a 2-node cluster of its own
    sed "s/t100/$tenant/g" "$LAB_DIR/revenue-t100.json" > revenue-tenant.json
    kappa --pipeline revenue-tenant.json --out tenant --trigger 1m --lake lake-tenant
    "$LKLAB" cost --run tenant --pricing "$LAB_DIR/tenant-cluster.json" --format csv > cost-tenant.csv
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
    {
        echo "q1_component $(largest scen.csv before)"
        echo "q1_usd $(usd cost-cool.csv operations)"
        echo "q2_files $(metric k1m files_written)"
        echo "q2_bytes $(metric k1m bytes_written)"
        echo "q3 $(usd cost-archive.csv total)"
        echo "q4 $(for t in hot cool archive; do usd "cost-$t.csv" total; done | sort -g | awk 'NR == 1')"
        echo "q5_events $(sql k1m "SELECT sum(events) FROM output WHERE tenant = '$tenant'")"
        echo "q5_value $(sql k1m "SELECT sum(value_sum) FROM output WHERE tenant = '$tenant'")"
        echo "q6 $(usd cost-tenant.csv compute)"
        echo "q7 $pick"
    } > expected.txt
}
dir=$(measured runs) || { for q in q1 q2 q3 q4 q5 q6 q7; do echo "FAIL $q a run failed on your dataset: tell your instructor"; done; exit 0; }
want() { awk -v k="$1" '$1 == k { print $2 }' "$dir/expected.txt"; }

expect_members q1 "component:word:$(want q1_component)" "usd:num:$(want q1_usd):0.005"
expect_members q2 "files:int:$(want q2_files)" "bytes:int:$(want q2_bytes)"
expect_num q3 "$(want q3)" 0.005
expect_num q4 "$(want q4)" 0.005
expect_members q5 "events:int:$(want q5_events)" "value_sum:int:$(want q5_value)"
expect_num q6 "$(want q6)" 0.005
if [ -n "$(want q7)" ]; then
    expect_num q7 "$(want q7)" 0.005
else
    echo "FAIL q7 no trigger meets your SLA on this dataset: tell your instructor"
fi
