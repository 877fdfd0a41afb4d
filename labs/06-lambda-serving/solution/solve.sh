#!/bin/sh
# Lab 06 reference solution: runs the README's commands and writes the answers to $LAB_OUT
# (q4 and q5 are graded from solution/merge.c).
set -eu
w=$(mktemp -d "${TMPDIR:-/tmp}/lab06-solve.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"
. "$LAB_DATA/lab.env"
"$LKLAB" lambda --data "$LAB_DATA" --pipeline revenue --out run --batch-every "$BATCH_EVERY" --quiet
DB=run/serving.db
before=$("$LKLAB" table query --no-header --db "$DB" \
    "SELECT iso(visible_at - 1) FROM batch_views WHERE view_id = 1")
landed=$("$LKLAB" table query --no-header --db "$DB" \
    "SELECT iso(visible_at) FROM batch_views WHERE view_id = 1")
"$LKLAB" results --run run --at "$before" --out before.csv
"$LKLAB" results --run run --at "$landed" --out after.csv
q2=$(diff before.csv after.csv | grep -c '^<' || true)
q3=$(grep '"layer":"batch"' run/metrics.jsonl | head -1 \
     | sed -n 's/.*"discrepancy_rows":\([0-9]*\).*/\1/p')
printf '{"q1": "%s", "q2": %s, "q3": %s}\n' "$landed" "$q2" "$q3" > "$LAB_OUT"
