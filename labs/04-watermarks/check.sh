#!/usr/bin/env bash
# Lab 04 grader (labs/README.md has the contract): q1-q5 recomputed live on $LAB_DATA;
# q6, q7 compile $LAB_SRC/watermark.c with harness.c and compare it, batch by batch, with
# the engine on datasets/fixtures/watermark.jsonl and with the hand-worked walkthrough of
# tests/test_kp_watermark.c.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
q() { "$LKLAB" table query --no-header --db "$1" "$2"; }

# ---- q1-q5: late data and state vs the watermark delay, on the student's dataset
for d in 1m 10m 1h; do
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "wm-$d" --trigger 5m \
        --watermark "$d" --durability process --quiet
done
late_pct() {
    q "wm-$1/serving.db" "SELECT printf('%.2f', 100.0 * (SELECT count(*) FROM late)
                                                / (SELECT sum(input_rows) FROM progress))"
}
max_state() { q "wm-$1/serving.db" "SELECT max(state_rows) FROM progress"; }
expect_num q1 "$(late_pct 1m)" 0.011
expect_num q2 "$(late_pct 10m)" 0.011
expect_num q3 "$(late_pct 1h)" 0.011
expect_int q4 "$(max_state 1m)"
expect_int q5 "$(max_state 1h)"

# ---- q6, q7: the C exercise
fx=$LAB_ROOT/datasets/fixtures
ok_next=1 ok_late=1
build_harness watermark.c q6 q7 || exit 0
for d in 1m 10m 1h; do
    "$LKLAB" kappa --data "$fx/watermark.jsonl" --pipeline "$fx/watermark-spec.json" \
        --out "fx-$d" --trigger 5m --watermark "$d" --cost-model none --durability process --quiet
    q "fx-$d/serving.db" "SELECT 'batch ' || batch_id || ' ' || trigger_time || ' ' || watermark
                          FROM progress ORDER BY batch_id" > "engine-batches-$d"
    q "fx-$d/serving.db" "SELECT 'late ' || batch_id || ' ' || event_id || ' ' || watermark
                          FROM late ORDER BY batch_id, rowid" > "engine-late-$d"
    q "fx-$d/serving.db" "SELECT batch_id || ' ' || watermark FROM progress" > "engine-e-$d"
    ./harness "$fx/watermark.jsonl" 5m "$d" 10m | grep '^batch' > "yours-batches-$d"
    ./harness "$fx/watermark.jsonl" 5m "$d" 10m "engine-e-$d" | grep '^late' > "yours-late-$d"
    if ! cmp -s "engine-batches-$d" "yours-batches-$d"; then
        ok_next=0
        echo "watermark $d: your watermarks (<) vs the engine's (>):" >&2
        diff "yours-batches-$d" "engine-batches-$d" | awk 'NR <= 6' >&2
    fi
    if ! cmp -s "engine-late-$d" "yours-late-$d"; then
        ok_late=0
        echo "watermark $d: your late rows (<) vs the engine's (>):" >&2
        diff "yours-late-$d" "engine-late-$d" | awk 'NR <= 6' >&2
    fi
done
# the walkthrough of tests/test_kp_watermark.c, by hand: E_N for a 10m delay
hand=$(for hm in epoch 11:52 11:56 12:03 12:03 12:14 12:14 12:21 12:21 12:21 12:35; do
    echo "$hm" | awk -F: '$1 == "epoch" { print 0; next }
                          { printf "%.0f\n", 1767225600000 + ($1 * 60 + $2) * 60000 }'
done)
[ "$(awk '{ print $4 }' yours-batches-10m)" = "$hand" ] || ok_next=0
./harness --probe > probe
grep -q '^late(end=1000,L=1000) 1$' probe && grep -q '^late(end=1001,L=1000) 0$' probe \
    && grep -q '^late(end=999,L=1000) 1$' probe || ok_late=0
grep -q '^next(0,600000,60000) 540000$' probe && grep -q '^next(900000,600000,60000) 900000$' probe \
    && grep -q '^next(0,30000,60000) 0$' probe || ok_next=0
if [ "$ok_next" = 1 ]; then echo "PASS q6"; else echo "FAIL q6"; fi
if [ "$ok_late" = 1 ]; then echo "PASS q7"; else echo "FAIL q7"; fi
