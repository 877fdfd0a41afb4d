#!/usr/bin/env bash
# Lab 07 grader: expected values measured on the student's dataset ($LAB_DATA), partly by
# other routes than the README (progress table instead of run.json, truth of the new logic
# instead of the swapped view).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
run() { "$LKLAB" kappa --data "$LAB_DATA" --quiet --durability process "$@"; }
rows() { echo $(($(wc -l < "$1") - 1)); } # a result CSV has a header line

"$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
run --pipeline revenue --out daily --trigger 24h
expect_int q1 "$(($(rows truth.csv) - $(sql daily 'SELECT count(*) FROM output')))"

run --pipeline revenue --out once --trigger once
expect_int q2 "$(sql once 'SELECT count(*) FROM output')"

run --pipeline revenue --out an --trigger available-now --max-events-per-trigger 2000
expect_int q3 "$(sql an 'SELECT count(*) FROM progress')"
expect_int q4 "$(sql an 'SELECT count(*) FROM late')"

live=(--out live --trigger 1h --output-mode update --watermark none)
run --pipeline revenue "${live[@]}"
run --pipeline "$LAB_DIR/revenue-5m.json" "${live[@]}" --reprocess
expect_int q5 "$(sql live "SELECT value FROM meta WHERE key = 'current_version'")"
"$LKLAB" truth --data "$LAB_DATA" --pipeline "$LAB_DIR/revenue-5m.json" --out truth-5m.csv 2>/dev/null
expect_int q6 "$(rows truth-5m.csv)"
