#!/usr/bin/env bash
# Lab 04 grader (labs/README.md has the contract): q1-q5 and q8 measured on $LAB_DATA
# (once per dataset: measured, check-lib.sh);
# q6, q7 compile $LAB_SRC/watermark.c with harness.c and compare it, batch by batch, with
# the engine on datasets/fixtures/watermark.jsonl and with the hand-worked walkthrough of
# tests/test_kp_watermark.c.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
. "$LAB_DATA/lab.env"           # DELAY, LATENESS
q() { "$LKLAB" table query --no-header --db "$1" "$2"; }

# ---- q1-q5: late data and state vs the watermark delay, on the student's dataset (and
# the engine on the fixture, for q6 and q7), measured once per dataset
measure() {
    local d
    for d in 1m "$DELAY" 1h; do
        "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out "wm-$d" --trigger 5m \
            --watermark "$d" --durability process --quiet || return 1
        q "wm-$d/serving.db" "SELECT (SELECT count(*) FROM late), (SELECT max(state_rows) FROM progress)" \
            > "m-$d"
    done
    # q8: continuous, update mode, 1m watermark, without and with the allowed lateness
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out cont-0 --trigger continuous \
        --output-mode update --watermark 1m --durability process --quiet || return 1
    "$LKLAB" kappa --data "$LAB_DATA" --pipeline revenue --out cont-l --trigger continuous \
        --output-mode update --watermark 1m --allowed-lateness "$LATENESS" \
        --durability process --quiet || return 1
    echo $(( $(q cont-0/serving.db "SELECT count(*) FROM late") \
             - $(q cont-l/serving.db "SELECT count(*) FROM late") )) > rescued
    for d in 1m 10m 1h; do
        "$LKLAB" kappa --data "$fx/watermark.jsonl" --pipeline "$fx/watermark-spec.json" \
            --out "fx-$d" --trigger 5m --watermark "$d" --cost-model none --durability process \
            --quiet || return 1
        q "fx-$d/serving.db" "SELECT 'batch ' || batch_id || ' ' || trigger_time || ' ' || watermark
                              FROM progress ORDER BY batch_id" > "engine-batches-$d"
        q "fx-$d/serving.db" "SELECT 'late ' || batch_id || ' ' || event_id || ' ' || watermark
                              FROM late ORDER BY batch_id, rowid" > "engine-late-$d"
        q "fx-$d/serving.db" "SELECT batch_id || ' ' || watermark FROM progress" > "engine-e-$d"
    done
}
fx=$LAB_ROOT/datasets/fixtures
m=$(measured measure) || { echo "FAIL q1 cannot measure your dataset: tell your instructor"; exit 0; }
late() { cut -d, -f1 "$m/m-$1"; }
max_state() { cut -d, -f2 "$m/m-$1"; }
expect_int q1 "$(late 1m)"
expect_int q2 "$(late "$DELAY")"
expect_int q3 "$(late 1h)"
expect_int q4 "$(max_state 1m)"
expect_int q5 "$(max_state 1h)"
expect_int q8 "$(cat "$m/rescued")"

# ---- q6, q7: the C exercise
ok_next=1 ok_late=1
build_harness watermark.c q6 q7 || exit 0
# differ Q TITLE YOURS ENGINE: the first lines where they differ, shown under question Q
differ() {
    note "$1" "$2: yours (<) vs the engine's (>):"
    diff "$3" "$4" | awk 'NR <= 6' | while IFS= read -r line; do note "$1" "$line"; done
}
for d in 1m 10m 1h; do
    ./harness "$fx/watermark.jsonl" 5m "$d" 10m | grep '^batch' > "yours-batches-$d"
    ./harness "$fx/watermark.jsonl" 5m "$d" 10m "$m/engine-e-$d" | grep '^late' > "yours-late-$d"
    if [ "$ok_next" = 1 ] && ! cmp -s "$m/engine-batches-$d" "yours-batches-$d"; then
        ok_next=0
        differ q6 "watermark $d, batch <N> <trigger> <E_N>" "yours-batches-$d" "$m/engine-batches-$d"
    fi
    if [ "$ok_late" = 1 ] && ! cmp -s "$m/engine-late-$d" "yours-late-$d"; then
        ok_late=0
        differ q7 "watermark $d, late <N> <event_id> <L_N>" "yours-late-$d" "$m/engine-late-$d"
    fi
done
# the walkthrough of tests/test_kp_watermark.c, by hand: E_N for a 10m delay
hand=$(for hm in epoch 11:52 11:56 12:03 12:03 12:14 12:14 12:21 12:21 12:21 12:35; do
    echo "$hm" | awk -F: '$1 == "epoch" { print 0; next }
                          { printf "%.0f\n", 1767225600000 + ($1 * 60 + $2) * 60000 }'
done)
[ "$ok_next" = 0 ] || [ "$(awk '{ print $4 }' yours-batches-10m)" = "$hand" ] ||
    { ok_next=0; note q6 "your E_N with a 10m delay differ from the walkthrough of tests/test_kp_watermark.c"; }
./harness --probe > probe
# probe Q FUNC: when a boundary case of FUNC failed, show what the student's FUNC returned
probe() { note "$1" "./harness --probe (what your $2 returns):"; grep "^$2" probe |
          while IFS= read -r line; do note "$1" "$line"; done; }
grep -q '^late(end=1000,L=1000) 1$' probe && grep -q '^late(end=1001,L=1000) 0$' probe \
    && grep -q '^late(end=999,L=1000) 1$' probe || { [ "$ok_late" = 0 ] || probe q7 late; ok_late=0; }
grep -q '^next(0,600000,60000) 540000$' probe && grep -q '^next(900000,600000,60000) 900000$' probe \
    && grep -q '^next(0,30000,60000) 0$' probe || { [ "$ok_next" = 0 ] || probe q6 next; ok_next=0; }
if [ "$ok_next" = 1 ]; then echo "PASS q6"; else echo "FAIL q6"; fi
if [ "$ok_late" = 1 ]; then echo "PASS q7"; else echo "FAIL q7"; fi
