#!/usr/bin/env bash
# Lab 09 grader: expected values measured on the student's dataset ($LAB_DATA): files
# from metrics.jsonl (the README counts the lake), money from 'lklab cost --format csv',
# the SLA choice from separate Kappa runs + 'lklab latency' + 'lklab cost' (the README
# uses 'lklab sweep').
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

# q1: the lecture's small-files scenario, 'before'
"$LKLAB" cost --scenario small-files --format csv |
    awk -F, '$1 == "before" && $2 != "total" { print "s," $1 "," $2 "," $3 }' > scen.csv
expect_word q1 "^[[:space:]]*$(largest scen.csv before)[[:space:]]*\$"

# q2-q5: the 1m run with a lake and tenant views
kappa --pipeline revenue --out k1m --trigger 1m --lake lake-1m --tenant-views
expect_int q2 "$(grep -o '"files_written":[0-9]*' k1m/metrics.jsonl | awk -F: '{ s += $2 } END { print s + 0 }')"
for tier in hot cool archive; do
    "$LKLAB" cost --run k1m --tier "$tier" --format csv > "cost-$tier.csv"
done
expect_num q3 "$(usd cost-archive.csv total)" 0.005
best=$(for tier in hot cool archive; do echo "t,x,$tier,$(usd "cost-$tier.csv" total)"; done |
       awk -F, 'NR == 1 || $4 + 0 < m { m = $4 + 0; w = $3 } END { print w }')
expect_word q4 "^[[:space:]]*$best[[:space:]]*\$"
expect_int q5 "$("$LKLAB" table query --no-header --db k1m/serving.db \
    "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name LIKE 'output_tenant_%'")"

# q6: tenant t100 on a 2-node cluster of its own
kappa --pipeline "$LAB_DIR/revenue-t100.json" --out t100 --trigger 1m --lake lake-t100
"$LKLAB" cost --run t100 --pricing "$LAB_DIR/tenant-cluster.json" --format csv > cost-t100.csv
expect_num q6 "$(usd cost-t100.csv compute)" 0.005

# q7: the cheapest trigger whose p95 correct latency is at most 90 minutes
: > sla.csv
for t in 1m 10m 30m 1h; do
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
pick=$(awk -F, '$2 != "" && $2 <= 90 * 60000 && (w == "" || $3 + 0 < m) { m = $3 + 0; w = $1 }
                END { print w }' sla.csv)
if [ -n "$pick" ]; then
    expect_word q7 "^[[:space:]]*$pick[[:space:]]*\$"
else
    echo "FAIL q7 no trigger meets the SLA on this dataset: tell your instructor"
fi
