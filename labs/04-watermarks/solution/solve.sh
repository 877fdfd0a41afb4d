#!/bin/sh
# Lab 04 reference solution: runs the README's commands and writes the answers to $LAB_OUT
# (q6 and q7 are graded from solution/watermark.c).
set -eu
w=$(mktemp -d "${TMPDIR:-/tmp}/lab04-solve.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"
. "$LAB_DATA/lab.env"
for d in 1m "$DELAY" 1h; do
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "wm-$d" --trigger 5m \
        --watermark "$d" --durability process --quiet
    "$LKLAB" table query --no-header --db "wm-$d/serving.db" \
        "SELECT (SELECT count(*) FROM late), (SELECT max(state_rows) FROM progress)" > "m-$d"
done
late() { cut -d, -f1 "m-$1"; }
state() { cut -d, -f2 "m-$1"; }
printf '{"q1": %s, "q2": %s, "q3": %s, "q4": %s, "q5": %s}\n' \
    "$(late 1m)" "$(late "$DELAY")" "$(late 1h)" "$(state 1m)" "$(state 1h)" > "$LAB_OUT"
