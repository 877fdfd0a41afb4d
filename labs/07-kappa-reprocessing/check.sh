#!/usr/bin/env bash
# Lab 07 grader: expected values measured on the student's dataset ($LAB_DATA), partly by
# other routes than the README (SQL on serving.db instead of run.json, the log's files
# instead of the manifest, truth of the new logic instead of the swapped view).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
run() { "$LKLAB" kappa --data "$LAB_DATA" --quiet --durability process "$@"; }
rows() { echo $(($(wc -l < "$1") - 1)); } # a result CSV has a header line

"$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
run --pipeline revenue --out daily --trigger 24h
expect_int q1 "$(($(rows truth.csv) - $(sql daily 'SELECT count(*) FROM output')))"

# q2: the no-data batch that ends available-now, which once never runs
run --pipeline revenue --out an-all --trigger available-now
expect_int q2 "$(sql an-all 'SELECT output_rows FROM progress ORDER BY batch_id DESC LIMIT 1')"

# q3: once ignores the cap (and says so); q4: the capped backlog drops late rows
lines=$(cat "$LAB_DATA"/log/*.jsonl | wc -l)
run --pipeline revenue --out once-capped --trigger once --max-events-per-trigger 2000 2>/dev/null
expect_int q3 "$(sql once-capped 'SELECT sum(input_rows) FROM progress')"
run --pipeline revenue --out an --trigger available-now --max-events-per-trigger 2000
expect_int q4 "$(sql an 'SELECT count(*) FROM late')"

# q5: a crash in batch 2, restarted with once: it re-runs batch 2 only
run --pipeline revenue --out crashed --trigger available-now --max-events-per-trigger 2000 \
    --crash-after 2:planned 2>/dev/null
run --pipeline revenue --out crashed --trigger once
expect_int q5 "$((lines - $(sql crashed 'SELECT sum(input_rows) FROM progress')))"

live=(--out live --trigger 1h --output-mode update --watermark none)
run --pipeline revenue "${live[@]}"
run --pipeline "$LAB_DIR/revenue-5m.json" "${live[@]}" --reprocess
"$LKLAB" truth --data "$LAB_DATA" --pipeline "$LAB_DIR/revenue-5m.json" --out truth-5m.csv 2>/dev/null
expect_int q6 "$(rows truth-5m.csv)"
