#!/usr/bin/env bash
# Lab 03 reference solution: the README's commands, then the answers read off their output.
# lklab is a function adding --durability process to kappa runs: the same recovery after a
# kill -9 (what --crash-after does), without the fsyncs, so the check runs faster.
set -euo pipefail
D="$LAB_DATA"
. "$D/lab.env"
lklab() {
    if [ "$1" = kappa ]; then command lklab "$@" --durability process; else command lklab "$@"; fi
}
mkdir -p out/lab03
lklab kappa --data "$D" --pipeline revenue --out out/lab03/clean --trigger 10m --quiet
lklab results --run out/lab03/clean --out out/lab03/clean.csv
for phase in planned processed sink-committed committed; do
    lklab kappa --data "$D" --pipeline revenue --out out/lab03/crash-$phase \
        --trigger 10m --quiet --crash-after "$CRASH:$phase" 2>/dev/null || true
done
q1=$(sqlite3 out/lab03/crash-processed/serving.db 'SELECT count(*) FROM output_v1')
q2=$(sqlite3 out/lab03/crash-sink-committed/serving.db 'SELECT count(*) FROM output_v1')
# the offsets file of the crashed batch: {"partitions":[{"line":"139",...},...],...}
lines=$(sed 's/"line":"\([0-9]*\)"/\n#\1\n/g' "out/lab03/crash-processed/checkpoint/offsets/$CRASH" |
        awk '/^#/ { s += substr($0, 2) } END { print s }')
for phase in planned processed sink-committed committed; do
    lklab kappa --data "$D" --pipeline revenue --out out/lab03/crash-$phase --trigger 10m --quiet
    lklab results --run out/lab03/crash-$phase --out out/lab03/crash-$phase.csv
    cmp -s out/lab03/crash-$phase.csv out/lab03/clean.csv
done
q3=$(lklab table query --no-header --db out/lab03/crash-processed/serving.db \
    "SELECT input_rows FROM progress WHERE batch_id = $CRASH")
lklab kappa --data "$D" --pipeline revenue --out out/lab03/alo --trigger 10m --quiet \
    --sink-guarantee at-least-once --crash-after "$CRASH:sink-committed" 2>/dev/null || true
lklab kappa --data "$D" --pipeline revenue --out out/lab03/alo --trigger 10m --quiet \
    --sink-guarantee at-least-once
lklab results --run out/lab03/alo --out out/lab03/alo.csv
q4=$(sort out/lab03/alo.csv | uniq -d | wc -l)
cat > "$LAB_OUT" <<JSON
{ "q1": $q1, "q2": $q2, "q3": $q3, "q4": $q4, "q5": {"directory": "offsets", "lines": $lines} }
JSON
