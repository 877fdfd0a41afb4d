#!/bin/sh
# Lab 01 reference solution: runs the README's commands and writes the answers to $LAB_OUT.
set -eu
w=$(mktemp -d "${TMPDIR:-/tmp}/lab01-solve.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"
. "$LAB_DATA/lab.env"
q() { "$LKLAB" table query --no-header --db "$1" "$2"; }

"$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out k24 --trigger 24h \
    --watermark none --output-mode update --quiet
q1=$(tail -n +2 truth.csv | wc -l | tr -d ' ')
# the progress table: batch_id,trigger_time,input_rows
q2=$(q k24/serving.db "SELECT batch_id, input_rows FROM progress" | awk -F, '$1 == 0 { print $2 }')

DB=stream/serving.db
"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out stream --trigger "$STREAM_TRIGGER" \
    --lake lake --crash-after "$STOP_BATCH:committed" --quiet 2>/dev/null || true
"$LKLAB" table create --db "$DB" live_rows --view --as "SELECT * FROM output_v1" >/dev/null
"$LKLAB" table create --db "$DB" snap_rows --materialized --as "SELECT * FROM output_v1" >/dev/null
"$LKLAB" table create --db "$DB" lake_rows --external --location lake >/dev/null
"$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out stream --trigger "$STREAM_TRIGGER" \
    --lake lake --quiet
# read from 'lklab table list': name,kind,location,rows,refreshed_at
list=$("$LKLAB" table list --db "$DB")
live=$(echo "$list" | awk -F, '$1 == "live_rows" { print $4 }')
snap=$(echo "$list" | awk -F, '$1 == "snap_rows" { print $4 }')
q5=$(echo "$list" | awk -F, '$1 == "snap_rows" { print $5 }')
"$LKLAB" table drop --db "$DB" lake_rows >/dev/null
q4=$(cat $(find lake -name '*.jsonl') | wc -l | tr -d ' ')

printf '{"q1": %s, "q2": %s, "q3": %s, "q4": %s, "q5": "%s"}\n' \
    "$q1" "$q2" "$((live - snap))" "$q4" "$q5" > "$LAB_OUT"
