#!/usr/bin/env bash
# Lab 01 grader (labs/README.md has the contract): recomputes every answer live on
# $LAB_DATA with the student's parameters ($LAB_DATA/lab.env), in $LAB_WORK, and prints
# PASS/FAIL per question. What it measures is kept in $LAB_CACHE (measured, check-lib.sh).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
. "$LAB_DATA/lab.env"           # STREAM_TRIGGER, STOP_BATCH
q() { "$LKLAB" table query --no-header --db "$1" "$2"; }

# expected.env: every expected value, measured once per student dataset
measure() {
    local k=stream same=0 rows live snap
    # q1, q2: batch read vs a 24h-trigger stream
    "$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out k24 --trigger 24h \
        --watermark none --output-mode update --durability process --quiet
    "$LKLAB" results --run k24 --out k24.csv
    rows=$(tail -n +2 truth.csv | wc -l | tr -d ' ')
    cmp -s truth.csv k24.csv && same=1
    # q3, q5: view vs materialized view while the stream goes on
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "$k" --trigger "$STREAM_TRIGGER" \
        --lake lake --crash-after "$STOP_BATCH:committed" --durability process --quiet 2>/dev/null
    "$LKLAB" table create --db "$k/serving.db" live_rows --view --as "SELECT * FROM output_v1" >/dev/null
    "$LKLAB" table create --db "$k/serving.db" snap_rows --materialized \
        --as "SELECT * FROM output_v1" >/dev/null
    "$LKLAB" table create --db "$k/serving.db" lake_rows --external --location lake >/dev/null
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "$k" --trigger "$STREAM_TRIGGER" \
        --lake lake --durability process --quiet
    live=$(q "$k/serving.db" "SELECT count(*) FROM live_rows")
    snap=$(q "$k/serving.db" "SELECT count(*) FROM snap_rows")
    # q4: DROP of the external table leaves the files
    "$LKLAB" table drop --db "$k/serving.db" lake_rows >/dev/null
    cat > expected.env <<ENV
same=$same
q1=$rows
q2=$(sql k24 "SELECT input_rows FROM progress WHERE batch_id = 0")
q3=$((live - snap))
q4=$(find lake -name '*.jsonl' -exec cat {} + | wc -l | tr -d ' ')
q5=$(q "$k/serving.db" "SELECT iso(refreshed_at) FROM catalog WHERE name = 'snap_rows'")
ENV
}
m=$(measured measure) || { echo "FAIL q1 cannot measure your dataset: tell your instructor"; exit 0; }
. "$m/expected.env"

if [ "$same" = 1 ]; then
    expect_int q1 "$q1"
else
    echo "FAIL q1 truth and the 24h stream differ on this dataset: tell your instructor"
fi
expect_int q2 "$q2"
expect_int q3 "$q3"
expect_int q4 "$q4"
expect_text q5 "$q5"
