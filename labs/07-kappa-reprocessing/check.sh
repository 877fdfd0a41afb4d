#!/usr/bin/env bash
# Lab 07 grader: expected values measured on the student's dataset ($LAB_DATA), partly by
# other routes than the README (SQL on serving.db instead of run.json and the progress
# table, the log's files instead of the manifest, truth of the new logic instead of the
# swapped view). q1 and q4 are small counts that two students can share, so each comes
# with a number only the student's own run gives (a watermark, to the millisecond).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
. "$LAB_DATA/lab.env"           # CAP, the student's per-trigger cap
run() { "$LKLAB" kappa --data "$LAB_DATA" --quiet --durability process "$@"; }
rows() { echo $(($(wc -l < "$1") - 1)); } # a result CSV has a header line
iso() { printf '%s.%03dZ' "$(date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%S)" $(($1 % 1000)); }

# every run of the lab, once per dataset; the expected answers into expected.txt
runs() {
    local lines
    "$LKLAB" truth --data "$LAB_DATA" --pipeline revenue --out truth.csv 2>/dev/null
    run --pipeline revenue --out daily --trigger 24h
    echo "q1_rows $(($(rows truth.csv) - $(sql daily 'SELECT count(*) FROM output')))" > expected.txt
    echo "q1_watermark $(iso "$(sql daily 'SELECT watermark FROM progress ORDER BY batch_id DESC LIMIT 1')")" >> expected.txt
    # q2: the no-data batch that ends available-now, which once never runs
    run --pipeline revenue --out an-all --trigger available-now
    echo "q2 $(sql an-all 'SELECT output_rows FROM progress ORDER BY batch_id DESC LIMIT 1')" >> expected.txt
    # q3: once ignores the cap (and says so); q4: the capped backlog drops late rows
    lines=$(cat "$LAB_DATA"/log/*.jsonl | wc -l)
    run --pipeline revenue --out once-capped --trigger once --max-events-per-trigger "$CAP" 2>/dev/null
    echo "q3 $(sql once-capped 'SELECT sum(input_rows) FROM progress')" >> expected.txt
    run --pipeline revenue --out an --trigger available-now --max-events-per-trigger "$CAP"
    echo "q4_rows $(sql an 'SELECT count(*) FROM late')" >> expected.txt
    echo "q4_watermark $(iso "$(sql an 'SELECT min(watermark) FROM late')")" >> expected.txt
    # q5: a crash in batch 2, restarted with once: it re-runs batch 2 only
    run --pipeline revenue --out crashed --trigger available-now --max-events-per-trigger "$CAP" \
        --crash-after 2:planned 2>/dev/null
    run --pipeline revenue --out crashed --trigger once
    echo "q5 $((lines - $(sql crashed 'SELECT sum(input_rows) FROM progress')))" >> expected.txt
    # q6: the new logic's truth (the swapped view must equal it; the README checks with cmp)
    "$LKLAB" truth --data "$LAB_DATA" --pipeline "$LAB_DIR/revenue-5m.json" --out truth-5m.csv 2>/dev/null
    echo "q6 $(rows truth-5m.csv)" >> expected.txt
}
dir=$(measured runs) || { for q in q1 q2 q3 q4 q5 q6; do echo "FAIL $q a run failed on your dataset: tell your instructor"; done; exit 0; }
want() { awk -v k="$1" '$1 == k { print $2 }' "$dir/expected.txt"; }

expect_members q1 "rows:int:$(want q1_rows)" "watermark:text:$(want q1_watermark)"
expect_int q2 "$(want q2)"
expect_int q3 "$(want q3)"
expect_members q4 "late_rows:int:$(want q4_rows)" "first_watermark:text:$(want q4_watermark)"
expect_int q5 "$(want q5)"
expect_int q6 "$(want q6)"
