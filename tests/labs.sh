#!/usr/bin/env bash
# make labs: for every labs/NN-topic/, the reference solution must pass its check (exit 0),
# the untouched student files must fail it (exit 1, with FAIL lines), and the README's
# commands must run (tests/labs-readme.sh). One line per lab with the timings.
set -uo pipefail
cd "$(dirname "$0")/.."
lklab=bin/lklab
student=ci-student
failed=0
count=0
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", b - a }'; }

for dir in labs/[0-9][0-9]-*/; do
    dir=${dir%/}
    nn=$(basename "$dir" | cut -c1-2)
    count=$((count + 1))
    log=out/labs/ci-$nn.log
    mkdir -p out/labs
    : > "$log"
    problems=""

    t0=$(now)
    "$lklab" lab check "$nn" --student "$student" --use-solution >> "$log" 2>&1
    rc=$?
    t1=$(now)
    [ $rc -eq 0 ] || problems="$problems solution-exit-$rc"

    out=$("$lklab" lab check "$nn" --student "$student" 2>> "$log")
    rc=$?
    t2=$(now)
    printf '%s\n' "$out" >> "$log"
    [ $rc -eq 1 ] || problems="$problems untouched-exit-$rc"
    printf '%s\n' "$out" | grep -q '^FAIL ' || problems="$problems untouched-no-FAIL"

    tests/labs-readme.sh "$dir" >> "$log" 2>&1 || problems="$problems readme"
    t3=$(now)

    if [ -z "$problems" ]; then status=ok; else status="FAILED:$problems (see $log)"; failed=1; fi
    printf '  LAB     %-28s solution %s, untouched %s, readme %s  %s\n' "$(basename "$dir")" \
        "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")" "$status"
done

if [ $count -eq 0 ]; then
    echo "make labs: no labs/NN-topic/ directories" >&2
    exit 1
fi
exit $failed
