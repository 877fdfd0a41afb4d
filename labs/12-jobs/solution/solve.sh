#!/usr/bin/env bash
# Lab 12 reference solution: runs the README's commands and writes the answers to $LAB_OUT.
set -euo pipefail
w=$(mktemp -d "${TMPDIR:-/tmp}/lab12-solve.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"
. "$LAB_DIR/../check-lib.sh"   # land_first
. "$LAB_DATA/lab.env"
DATA=$(cd "$LAB_DATA" && pwd)
START=$(awk -F'"' '$2 == "start" { print $4; exit }' "$DATA/manifest.json")
MODEL=$LAB_ROOT/datasets/jobs/lambda-batch-model.json
mkdir -p out/lab12
sed "s/run_duration > 45m/run_duration > ${ALERT_MIN}m/" "$LAB_ROOT/datasets/jobs/lambda-batch-6h.json" \
    > out/lab12/batch.json
"$LKLAB" job run out/lab12/batch.json --out out/lab12/batch --param data="$DATA" \
    --param model="$MODEL" --start "$START" --until 48h --quiet
q1=$(sqlite3 -batch -noheader -separator ' ' out/lab12/batch/system.db \
    "SELECT run_id, duration_ms FROM system_task_runs WHERE task = 'batch' AND alerts IS NOT NULL
     ORDER BY run_id LIMIT 1")
land_first "$DATA" "$START" 6 out/lab12/landing
sed "s/\"min_interval\": \"30m\"/\"min_interval\": \"$MIN_INTERVAL\"/" "$LAB_DIR/arrival.json" \
    > out/lab12/arrival.json
"$LKLAB" job run out/lab12/arrival.json --out out/lab12/arrival --start "$START" --until 7h --quiet
runs=$(sqlite3 -batch -noheader out/lab12/arrival/system.db "SELECT count(*) FROM system_job_runs")
lines=$(cat out/lab12/arrival/runs/*/count/lines | awk '{ s += $1 } END { print s }')
sed "s/\"concurrency\": 1/\"concurrency\": $CONCURRENCY/" "$LAB_DIR/tenants.json" > out/lab12/tenants.json
"$LKLAB" job run out/lab12/tenants.json --out out/lab12/tenants --param data="$DATA" \
    --param model="$MODEL" --start "$START" --quiet
q3=$(sqlite3 -batch -noheader out/lab12/tenants/system.db \
    "SELECT CAST(round((julianday(max(end_time)) - julianday(min(start_time))) * 86400000) AS INTEGER)
     FROM system_task_runs WHERE task = 'per_tenant'")
set -- $q1
printf '{"q1": {"run_id": %s, "duration_ms": %s}, "q2": {"runs": %s, "lines": %s}, "q3": %s}\n' \
    "$1" "$2" "$runs" "$lines" "$q3" > "$LAB_OUT"
