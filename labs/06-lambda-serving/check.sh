#!/usr/bin/env bash
# Lab 06 grader (labs/README.md has the contract): q1-q3 recomputed live on $LAB_DATA;
# q4, q5 compile $LAB_SRC/merge.c with harness.c and compare its serving answers with
# 'lklab results --at' (the engine's serving layer) on the student's run and on the
# seam fixture datasets/fixtures/lambda-seam.jsonl (hand-worked in its README).
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout
q() { "$LKLAB" table query --no-header --db "$1" "$2"; }

# ---- q1-q3: one answer changes when batch view 1 lands
"$LKLAB" lambda --data "$LAB_DATA" --pipeline revenue --out run --batch-every 6h --quiet
db=run/serving.db
landed=$(q "$db" "SELECT iso(visible_at) FROM batch_views WHERE view_id = 1")
before=$(q "$db" "SELECT iso(visible_at - 1) FROM batch_views WHERE view_id = 1")
"$LKLAB" results --run run --at "$before" --out before.csv
"$LKLAB" results --run run --at "$landed" --out after.csv
changed=$(diff before.csv after.csv | grep -c '^<' || true)
disc=$(grep '"layer":"batch","job":1,' run/metrics.jsonl \
       | sed -n 's/.*"discrepancy_rows":\([0-9]*\).*/\1/p')
expect_text q1 "$landed"
expect_int q2 "$changed"
expect_int q3 "$disc"

# ---- q4, q5: the C exercise
fx=$LAB_ROOT/datasets/fixtures
build_harness merge.c q4 q5 || exit 0
"$LKLAB" lambda --data "$fx/lambda-seam.jsonl" --pipeline revenue --out seam --batch-every 1h \
    --cost-model "$fx/lambda-model.json" --quiet
ok_minmax=1 ok_seam=1
# compare RUN T: the harness vs the engine's serving answer, on columns COLS
compare() {
    ./harness "$1" "$2" | sort > yours.csv
    "$LKLAB" results --run "$1" --at "$2" --out - | cut -d, -f1-8 | sort > engine.csv
    for part in minmax seam; do
        if [ $part = minmax ]; then cols=1-4,7,8; else cols=1-6; fi
        cut -d, -f$cols yours.csv > y
        cut -d, -f$cols engine.csv > e
        if ! cmp -s y e; then
            eval "ok_$part=0"
            echo "$1 at $2 ($part columns): yours (<) vs the serving layer (>):" >&2
            diff y e | awk 'NR <= 4' >&2
        fi
    done
}
for t in 2026-01-01T00:52:00Z 2026-01-01T00:56:00Z 2026-01-01T01:00:00Z \
         2026-01-01T01:04:59.999Z 2026-01-01T01:05:00Z end; do
    compare seam "$t"
done
# the hand-worked answer at 01:05 (datasets/fixtures/README.md): 3 events, 17.50
./harness seam 2026-01-01T01:05:00Z | grep -q '^t01,purchase,2026-01-01T00:50:00.000Z,[^,]*,3,17.50,' \
    || ok_seam=0
for t in "$before" "$landed" \
         $(q "$db" "SELECT iso(visible_at) FROM batch_views WHERE view_id = 2") end; do
    compare run "$t"
done
if [ "$ok_minmax" = 1 ]; then echo "PASS q4"; else echo "FAIL q4"; fi
if [ "$ok_seam" = 1 ]; then echo "PASS q5"; else echo "FAIL q5"; fi
