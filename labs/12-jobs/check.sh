#!/usr/bin/env bash
# Lab 12 grader: runs the three jobs of the README on the student's dataset with the
# student's parameters, and computes the answers by another route than the audit columns
# the README reads: q1 from each run's Lambda master table and the model (3m + 30s + 1 s a
# master row) against the student's limit, q2's lines by counting the files each run names
# in its parameters, q3 by placing the items' durations on CONCURRENCY slots. Measured once
# per dataset.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout

runs() {
    local DATA START MODEL
    . "$LAB_DATA/lab.env"
    DATA=$(cd "$LAB_DATA" && pwd)
    START=$(awk -F'"' '$2 == "start" { print $4; exit }' "$DATA/manifest.json")
    MODEL=$LAB_ROOT/datasets/jobs/lambda-batch-model.json
    mkdir -p out/lab12
    sed "s/run_duration > 45m/run_duration > ${ALERT_MIN}m/" \
        "$LAB_ROOT/datasets/jobs/lambda-batch-6h.json" > out/lab12/batch.json
    "$LKLAB" job run out/lab12/batch.json --out out/lab12/batch --param data="$DATA" \
        --param model="$MODEL" --start "$START" --until 48h --quiet || return 1
    land_first "$DATA" "$START" 6 out/lab12/landing || return 1
    sed "s/\"min_interval\": \"30m\"/\"min_interval\": \"$MIN_INTERVAL\"/" "$LAB_DIR/arrival.json" \
        > out/lab12/arrival.json
    "$LKLAB" job run out/lab12/arrival.json --out out/lab12/arrival --start "$START" \
        --until 7h --quiet || return 1
    sed "s/\"concurrency\": 1/\"concurrency\": $CONCURRENCY/" "$LAB_DIR/tenants.json" \
        > out/lab12/tenants.json
    "$LKLAB" job run out/lab12/tenants.json --out out/lab12/tenants --param data="$DATA" \
        --param model="$MODEL" --start "$START" --quiet || return 1
    {
        # q1: the first run whose modelled batch job passes the limit
        for d in out/lab12/batch/runs/*/; do
            id=$(basename "$d")
            rows=$(sqlite3 -batch -noheader "$d/batch/lambda/serving.db" "SELECT count(*) FROM master")
            echo "$id $((210000 + 1000 * rows))"
        done | sort -n | awk -v lim=$((ALERT_MIN * 60000)) '$2 > lim { print "q1_run " $1; print "q1_ms " $2; exit }'
        echo "q2_runs $(ls out/lab12/arrival/runs | wc -l)"
        sqlite3 -batch -noheader out/lab12/arrival/system.db \
            "SELECT json_extract(parameters, '\$.files') FROM system_job_runs" |
            while read -r files; do cat $files | wc -l; done | awk '{ s += $1 } END { print "q2_lines " s }'
        sqlite3 -batch -noheader out/lab12/tenants/system.db \
            "SELECT duration_ms FROM system_task_runs WHERE task = 'per_tenant' ORDER BY rowid" |
            awk -v c="$CONCURRENCY" '{ s = 0; for (k = 1; k < c; k++) if (slot[k] < slot[s]) s = k;
                                       slot[s] += $1; if (slot[s] > m) m = slot[s] }
                                     END { print "q3 " m }'
    } > expected.txt
}
dir=$(measured runs) || { for q in q1 q2 q3; do echo "FAIL $q a run failed on your dataset: tell your instructor"; done; exit 0; }
want() { awk -v k="$1" '$1 == k { print $2 }' "$dir/expected.txt"; }

expect_members q1 "run_id:int:$(want q1_run)" "duration_ms:int:$(want q1_ms)"
expect_members q2 "runs:int:$(want q2_runs)" "lines:int:$(want q2_lines)"
expect_int q3 "$(want q3)"
