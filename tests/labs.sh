#!/usr/bin/env bash
# make labs: for every labs/NN-topic/ (labs/README.md, "How a lab is built"):
#   solutions  the reference solution passes (exit 0) for every student of LABS_STUDENTS
#              (default ci-student s1 .. s10: a lab must be right for any id, not one);
#   untouched  the untouched student files fail (exit 1, with FAIL lines);
#   cross      the first student's reference answers, graded as each other student (with
#              the untouched C files: code is graded from the code, not from answers.json),
#              pass no question, except the lab's concept choice (lab.json
#              "concept_choice": "q4", at most that one): every answer depends on the
#              student's own data or parameters; what still passes is named in the line;
#   concept    the concept choice is an object with the choice (a string) and a reason (a
#              number measured on the student's data): the first student's reference
#              answers with the reason's numbers changed, and with the choice changed, must
#              each fail that question and pass every other one (its grader checks both);
#   readme     the README's sh blocks run (tests/labs-readme.sh).
# One line per lab with the timings. Two labs run at a time (LABS_JOBS); each student has
# its own work directory (out/labs/NN-ID), whose dataset and measurements the cross-grading
# reuses; what passed is removed as soon as it is no longer needed, what failed is kept
# for a look (LABS_KEEP=1 keeps everything). LABS_ONLY="01 03" runs only those labs (for
# a quick local run).
set -uo pipefail
cd "$(dirname "$0")/.."
lklab=bin/lklab
read -r -a students <<< "${LABS_STUDENTS:-ci-student s1 s2 s3 s4 s5 s6 s7 s8 s9 s10}"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", b - a }'; }
# add TOTAL SINCE: TOTAL plus the seconds since SINCE (a now value)
add() { awk -v t="$1" -v a="$2" -v b="$(now)" 'BEGIN { printf "%.3f", t + b - a }'; }

# concept_check NN Q ANSWERS LOG: ANSWERS (the first student's reference answers) graded as
# the first student pass Q; with Q's numbers changed, then with Q's strings changed, they
# fail Q and nothing else changes (a C exercise's questions are graded from the untouched
# C files here, and fail every time). sqlite3's JSON functions rewrite the file (the labs
# need sqlite3 already).
concept_check() {
    local nn=$1 q=$2 answers=$3 log=$4 kind types out base ok=0
    failing() { printf '%s\n' "$1" | awk '/^FAIL / { sub(":", "", $2); print $2 }' | grep -vx "$q"; }
    types=$(sqlite3 -batch -noheader :memory: \
        "SELECT group_concat(DISTINCT type) FROM json_each(readfile('$answers'), '\$.$q')")
    if [[ ",$types," != *,text,* ]] || [[ ",$types," != *,integer,* && ",$types," != *,real,* ]]; then
        echo "== concept choice $q is not an object with a choice (text) and a reason (a number): $types" >> "$log"
        return 1
    fi
    echo "== concept choice $q, ${students[0]}'s answers graded as ${students[0]}" >> "$log"
    base=$("$lklab" lab check "$nn" --student "${students[0]}" --answers "$answers" 2>> "$log")
    printf '%s\n' "$base" >> "$log"
    printf '%s\n' "$base" | grep -q "^pass $q\$" || return 1
    for kind in reason choice; do
        sqlite3 -batch -noheader :memory: "
            WITH a(doc) AS (SELECT readfile('$answers'))
            SELECT json_set(doc, '\$.$q', json((SELECT json_group_object(key, CASE
                WHEN '$kind' = 'reason' AND type IN ('integer', 'real') THEN value + 1 + abs(value)
                WHEN '$kind' = 'choice' AND type = 'text' THEN 'not-' || value
                ELSE value END) FROM json_each(doc, '\$.$q')))) FROM a" > "$answers.$kind"
        echo "== concept choice $q, ${students[0]}'s answers with the $kind changed" >> "$log"
        out=$("$lklab" lab check "$nn" --student "${students[0]}" --answers "$answers.$kind" 2>> "$log")
        printf '%s\n' "$out" >> "$log"
        if printf '%s\n' "$out" | grep -q "^FAIL $q[: ]" &&
            [ "$(failing "$out")" = "$(failing "$base")" ]; then
            ok=$((ok + 1))
        fi
    done
    [ "$ok" -eq 2 ]
}

# One student's reference solution; its scratch runs (a sweep is 100 MB), solve/, are
# removed when it passed. Adds to $ok or $problems.
solution() {
    local nn=$1 id=$2 log=$3 rc
    echo "== solution, student $id" >> "$log"
    "$lklab" lab check "$nn" --student "$id" --use-solution >> "$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then ok=$((ok + 1)); else problems="$problems solution-$id-exit-$rc"; fi
    [ $rc -ne 0 ] || rm -rf "out/labs/$nn-$id/solve"
    return $rc
}

# The first student's answers ($copied) graded as student ID, whose work directory (dataset
# and measurements) the solution made. Adds to $passing, $most or $problems.
cross() {
    local nn=$1 id=$2 log=$3 rc out p q n bad=0
    echo "== cross: ${students[0]}'s answers graded as $id" >> "$log"
    out=$("$lklab" lab check "$nn" --student "$id" --answers "$copied" 2>> "$log")
    rc=$?
    printf '%s\n' "$out" >> "$log"
    [ $rc -le 1 ] || { problems="$problems cross-$id-exit-$rc"; bad=1; }
    p=$(printf '%s\n' "$out" | awk '/^pass / { printf "%s%s", s, $2; s = "," }')
    [ -n "$p" ] && passing="$passing $id:$p"
    n=$(printf '%s\n' "$out" | grep -c '^pass ')
    [ "$n" -gt "$most" ] && most=$n
    for q in ${p//,/ }; do
        [ "$q" = "$concept" ] || { problems="$problems cross-$id-passes-$q"; bad=1; }
    done
    return $bad
}

# One lab: writes its line to out/labs/ci-NN.result; exit 0 when it is ok. The students
# run one after another, each cross-graded right after its solution, and a student's work
# directory (120-150 MB) is removed once both passed: the disk holds two at a time, not
# eleven (the first student's stays until its answers and concept choice are checked).
one_lab() {
    local dir=${1%/} nn log problems="" rc out status id ok=0 copied
    local most=0 passing="" concept t_sol=0 t_cross=0 t_untouched t_readme t
    nn=$(basename "$dir" | cut -c1-2)
    log=out/labs/ci-$nn.log
    : > "$log"
    concept=$("$lklab" lab answer "$dir/lab.json" concept_choice 2>/dev/null)
    copied=out/labs/ci-$nn.answers.json

    t=$(now)
    solution "$nn" "${students[0]}" "$log"
    t_sol=$(add "$t_sol" "$t")

    t=$(now)
    echo "== untouched, student ${students[0]}" >> "$log"
    out=$("$lklab" lab check "$nn" --student "${students[0]}" 2>> "$log")
    rc=$?
    t_untouched=$(add 0 "$t")
    printf '%s\n' "$out" >> "$log"
    [ $rc -eq 1 ] || problems="$problems untouched-exit-$rc"
    printf '%s\n' "$out" | grep -q '^FAIL ' || problems="$problems untouched-no-FAIL"

    if cp "out/labs/$nn-${students[0]}/solution-answers.json" "$copied" 2>> "$log"; then
        for id in "${students[@]:1}"; do
            t=$(now)
            solution "$nn" "$id" "$log"
            rc=$?
            t_sol=$(add "$t_sol" "$t")
            t=$(now)
            cross "$nn" "$id" "$log" && [ $rc -eq 0 ] && [ "${LABS_KEEP:-0}" != 1 ] &&
                rm -rf "out/labs/$nn-$id"
            t_cross=$(add "$t_cross" "$t")
        done
        t=$(now)
        [ -z "$concept" ] || concept_check "$nn" "$concept" "$copied" "$log" ||
            problems="$problems concept-$concept-unchecked"
        t_cross=$(add "$t_cross" "$t")
    else
        problems="$problems no-solution-answers"
        for id in "${students[@]:1}"; do solution "$nn" "$id" "$log"; done
    fi

    t=$(now)
    tests/labs-readme.sh "$dir" >> "$log" 2>&1 || problems="$problems readme"
    t_readme=$(add 0 "$t")

    if [ -z "$problems" ]; then
        status=ok
        # what the README's commands made (out/labNN) and the first student's directory
        [ "${LABS_KEEP:-0}" = 1 ] || rm -rf "out/lab$nn" "out/labs/$nn-${students[0]}"
    else
        status="FAILED:$problems (see $log)"
    fi
    {
        printf '  LAB     %-28s solutions %d/%d %.1fs, untouched %.1fs, cross %.1fs (at most %d passed%s), readme %.1fs  %s\n' \
            "$(basename "$dir")" "$ok" "${#students[@]}" "$t_sol" "$t_untouched" "$t_cross" "$most" \
            "${concept:+, concept choice $concept checked}" "$t_readme" "$status"
        [ -z "$passing" ] || printf '          still passing when copied:%s\n' "$passing"
    } > "out/labs/ci-$nn.result"
    [ -z "$problems" ]
}

if [ "${1:-}" = "--one" ]; then
    one_lab "$2"
    exit $?
fi

mkdir -p out/labs
rm -f out/labs/ci-*.result
dirs=()
for dir in labs/[0-9][0-9]-*/; do
    nn=$(basename "$dir" | cut -c1-2)
    if [ -z "${LABS_ONLY:-}" ] || [[ " $LABS_ONLY " == *" $nn "* ]]; then dirs+=("$dir"); fi
done
if [ ${#dirs[@]} -eq 0 ] || [ ! -d "${dirs[0]}" ]; then
    echo "make labs: no labs/NN-topic/ directories" >&2
    exit 1
fi
start=$(now)
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
echo "  LABS    ${#dirs[@]} labs, ${#students[@]} students each, in $(secs "$start" "$(now)")"
[ $failed -eq 0 ]
