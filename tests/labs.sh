#!/usr/bin/env bash
# make labs: for every labs/NN-topic/, the reference solution must pass its check (exit 0),
# the untouched student files must fail it (exit 1, with FAIL lines), and the README's
# commands must run (tests/labs-readme.sh). One line per lab with the timings.
# Two labs run at a time (LABS_JOBS): each has its own work directory (out/labs/NN-ID).
set -uo pipefail
cd "$(dirname "$0")/.."
lklab=bin/lklab
student=ci-student
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", b - a }'; }

# One lab: writes its line to out/labs/ci-NN.result; exit 0 when it is ok.
one_lab() {
    local dir=${1%/} nn log problems="" rc out t0 t1 t2 t3 status
    nn=$(basename "$dir" | cut -c1-2)
    log=out/labs/ci-$nn.log
    : > "$log"

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

    if [ -z "$problems" ]; then status=ok; else status="FAILED:$problems (see $log)"; fi
    printf '  LAB     %-28s solution %s, untouched %s, readme %s  %s\n' "$(basename "$dir")" \
        "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")" "$status" \
        > "out/labs/ci-$nn.result"
    [ -z "$problems" ]
}

if [ "${1:-}" = "--one" ]; then
    one_lab "$2"
    exit $?
fi

mkdir -p out/labs
rm -f out/labs/ci-*.result
dirs=(labs/[0-9][0-9]-*/)
if [ ! -d "${dirs[0]}" ]; then
    echo "make labs: no labs/NN-topic/ directories" >&2
    exit 1
fi
printf '%s\0' "${dirs[@]}" | xargs -0 -n 1 -P "${LABS_JOBS:-2}" "$0" --one
failed=$?
for dir in "${dirs[@]}"; do
    nn=$(basename "${dir%/}" | cut -c1-2)
    if [ -f "out/labs/ci-$nn.result" ]; then
        cat "out/labs/ci-$nn.result"
    else
        printf '  LAB     %-28s FAILED: no result (see out/labs/ci-%s.log)\n' "$(basename "${dir%/}")" "$nn"
        failed=1
    fi
done
[ $failed -eq 0 ]
