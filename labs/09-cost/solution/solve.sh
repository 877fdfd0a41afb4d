#!/usr/bin/env bash
# Lab 09 reference solution: the README's commands, then the answers read off their output.
set -euo pipefail
D="$LAB_DATA"
mkdir -p out/lab09
read -r _ TENANT QPH SLA < <("$LAB_DIR/params.sh" "$D" | awk '$1 == "params"')
# q1: the largest component of 'before' in the small-files scenario's table (columns 5-8:
# compute, storage, operations, retrieval, after files/day and the mean file size)
q1=$(lklab cost --scenario small-files |
     awk '$1 == "before" && $2 ~ /^[0-9]+$/ { split("compute storage operations retrieval", n, " ")
                           for (i = 1; i <= 4; i++) if ($(i + 4) + 0 > m) { m = $(i + 4) + 0; w = n[i] }
                           print w }')
lklab kappa --data "$D" --pipeline revenue --out out/lab09/k1m --trigger 1m \
    --watermark 10m --final-watermark --lake out/lab09/lake-1m --tenant-views \
    --durability process --quiet
q2=$(find out/lab09/lake-1m -type f | wc -l)
q2b=$(find out/lab09/lake-1m -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
sed "s/\"queries_per_hour\": 60/\"queries_per_hour\": $QPH/" "$LAB_ROOT/datasets/pricing/default.json" \
    > out/lab09/pricing.json
total() { lklab cost --run "$1" --pricing "$3" --tier "$2" --format csv | awk -F, '$2 == "total" { print $3 }'; }
q1u=$(lklab cost --run out/lab09/k1m --pricing out/lab09/pricing.json --tier cool --format csv |
      awk -F, -v c="$q1" '$2 == c { print $3 }')
q3=$(total out/lab09/k1m archive out/lab09/pricing.json)
q4=$(for tier in hot cool archive; do total out/lab09/k1m $tier out/lab09/pricing.json; done |
     sort -g | awk 'NR == 1')
read -r q5 q5u < <(lklab table query --no-header --db out/lab09/k1m/serving.db \
     "SELECT sum(events), sum(value_sum) FROM output_tenant_$TENANT" | tr ',|' '  ')
sed "s/t100/$TENANT/g" "$LAB_DIR"/revenue-t100.json > out/lab09/revenue-tenant.json
lklab kappa --data "$D" --pipeline out/lab09/revenue-tenant.json \
    --out out/lab09/tenant --trigger 1m --watermark 10m --final-watermark \
    --lake out/lab09/lake-tenant --durability process --quiet
q6=$(lklab cost --run out/lab09/tenant --pricing "$LAB_DIR"/tenant-cluster.json --format csv |
     awk -F, '$2 == "compute" { print $3 }')
lklab latency --run out/lab09/k1m > /dev/null   # writes run.json's "latency"
k1m="1m $(lklab lab answer out/lab09/k1m/run.json latency.correct.p95_ms) $(total out/lab09/k1m hot default)"
lklab sweep --data "$D" --pipeline revenue --out out/lab09/sweep --triggers 10m,30m,1h,2h --quiet
q7=$({ echo "$k1m"
       awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
                NR > 1 && $c["stack"] == "kappa" && $c["mode"] == "append" {
                    print $c["trigger"], $c["correct_p95_ms"], $c["total_usd"] }' out/lab09/sweep/sweep.csv; } |
     awk -v s="$SLA" '$2 != "inf" && $2 <= s * 60000' | sort -k3,3g | awk 'NR == 1 { print $3 }')
cat > "$LAB_OUT" <<JSON
{ "q1": { "component": "$q1", "usd": $q1u }, "q2": { "files": $q2, "bytes": $q2b }, "q3": $q3, "q4": $q4, "q5": { "events": $q5, "value_sum": $q5u }, "q6": $q6, "q7": $q7 }
JSON
