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
for l in 0 "$LATENESS"; do
    a=""
    [ "$l" = 0 ] || a="--allowed-lateness $l"
    # shellcheck disable=SC2086 # a is empty or two words
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "cont-$l" --trigger continuous \
        --output-mode update --watermark 1m --durability process --quiet $a
    "$LKLAB" table query --no-header --db "cont-$l/serving.db" "SELECT count(*) FROM late" \
        > "late-$l"
done
late() { cut -d, -f1 "m-$1"; }
state() { cut -d, -f2 "m-$1"; }
printf '{"q1": %s, "q2": %s, "q3": %s, "q4": %s, "q5": %s, "q8": %s}\n' \
    "$(late 1m)" "$(late "$DELAY")" "$(late 1h)" "$(state 1m)" "$(state 1h)" \
    "$(( $(cat late-0) - $(cat "late-$LATENESS") ))" > "$LAB_OUT"
