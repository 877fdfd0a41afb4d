#!/usr/bin/env bash
# Lab 01 grader (labs/README.md has the contract): recomputes every answer live on
# $LAB_DATA with the README's commands, in $LAB_WORK, and prints PASS/FAIL per question.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
q() { "$LKLAB" table query --no-header --db "$1" "$2"; }
k=$LAB_WORK/k1h

# q1, q2: batch read vs a 24h-trigger stream
"$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out k24 --trigger 24h \
    --watermark none --output-mode update --durability process --quiet
"$LKLAB" results --run k24 --out k24.csv
rows=$(tail -n +2 truth.csv | wc -l | tr -d ' ')
if cmp -s truth.csv k24.csv; then
    expect_int q1 "$rows"
else
    echo "FAIL q1 truth and the 24h stream differ on this dataset: tell your instructor"
fi
expect_int q2 "$(sql k24 "SELECT count(*) FROM progress")"

# q3, q5: view vs materialized view while the stream goes on
"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "$k" --trigger 1h --lake lake \
    --crash-after 5:committed --durability process --quiet 2>/dev/null
"$LKLAB" table create --db "$k/serving.db" live_rows --view --as "SELECT * FROM output_v1" >/dev/null
"$LKLAB" table create --db "$k/serving.db" snap_rows --materialized \
    --as "SELECT * FROM output_v1" >/dev/null
"$LKLAB" table create --db "$k/serving.db" lake_rows --external --location lake >/dev/null
"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "$k" --trigger 1h --lake lake \
    --durability process --quiet
expect_int q3 "$(q "$k/serving.db" \
    "SELECT (SELECT count(*) FROM live_rows) - (SELECT count(*) FROM snap_rows)")"

# q4: DROP of the external table leaves the files
"$LKLAB" table drop --db "$k/serving.db" lake_rows >/dev/null
expect_int q4 "$(find lake -name '*.jsonl' | wc -l | tr -d ' ')"
expect_text q5 "$(q "$k/serving.db" "SELECT iso(refreshed_at) FROM catalog WHERE name = 'snap_rows'")"
