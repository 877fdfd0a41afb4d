# Helpers for the labs' check.sh (sourced: . "$LAB_DIR/../check-lib.sh"). Each expect_*
# prints exactly one verdict line, "PASS qN" or "FAIL qN <hint>", as lklab lab check reads
# them. Hints here only say what is wrong with the form of an answer; the concept hint comes
# from lab.json when none is given.

# The student's answer to KEY, or nothing when it is missing or null.
answer() { "$LKLAB" lab answer "$LAB_ANSWERS" "$1" 2>/dev/null || true; }

# expect_int ID EXPECTED: the answer is the integer EXPECTED.
expect_int() {
    local got; got=$(answer "$1")
    if [ -z "$got" ]; then echo "FAIL $1"
    elif ! [[ "$got" =~ ^-?[0-9]+$ ]]; then echo "FAIL $1 the answer must be a whole number"
    elif [ "$got" = "$2" ]; then echo "PASS $1"
    else echo "FAIL $1"; fi
}

# expect_num ID EXPECTED TOLERANCE: a number within TOLERANCE of EXPECTED.
expect_num() {
    local got; got=$(answer "$1")
    if [ -z "$got" ]; then echo "FAIL $1"
    elif ! [[ "$got" =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
        echo "FAIL $1 the answer must be a number"
    elif awk -v g="$got" -v e="$2" -v t="$3" 'BEGIN { d = g - e; exit !(d <= t && -d <= t) }'
    then echo "PASS $1"
    else echo "FAIL $1"; fi
}

# expect_text ID EXPECTED: the answer is exactly the text EXPECTED (e.g. an ISO time).
expect_text() {
    local got; got=$(answer "$1")
    if [ -n "$got" ] && [ "$got" = "$2" ]; then echo "PASS $1"; else echo "FAIL $1"; fi
}

# expect_word ID REGEX [NOT_REGEX]: the answer, in lower case, matches REGEX (an extended
# regular expression) and not NOT_REGEX.
expect_word() {
    local got; got=$(answer "$1" | tr '[:upper:]' '[:lower:]')
    if [ -n "$got" ] && printf '%s' "$got" | grep -Eq -- "$2" &&
        { [ -z "${3:-}" ] || ! printf '%s' "$got" | grep -Eq -- "$3"; }
    then echo "PASS $1"
    else echo "FAIL $1"; fi
}

# sql RUN QUERY: one value from RUN/serving.db.
sql() { sqlite3 -batch -noheader "$1/serving.db" "$2"; }

# note ID TEXT...: a line shown under question ID's verdict (what was measured, the limit, a
# diff line): "NOTE ID TEXT". Never the expected answer of a question graded by value.
note() { local id=$1; shift; printf 'NOTE %s %s\n' "$id" "$*"; }

# at_most ID WHAT VALUE LIMIT UNIT: PASS when VALUE <= LIMIT, else FAIL with both numbers
# ("your run's WHAT is VALUE UNIT, above the limit of LIMIT UNIT"). "inf" is above any limit.
at_most() {
    local id=$1 what=$2 value=$3 limit=$4 unit=${5:-}
    if [ "$value" != inf ] && awk -v v="$value" -v l="$limit" 'BEGIN { exit !(v + 0 <= l + 0) }'
    then echo "PASS $id"
    else echo "FAIL $id $what is $value $unit, above the limit of $limit $unit"; fi
}

# measured FUNC: FUNC's files, made once per student dataset. The first call runs FUNC in
# a fresh directory $LAB_CACHE/FUNC (its output goes to stderr) and marks it done; later
# checks of the same student reuse it ('lklab lab check' empties LAB_CACHE when the data,
# check.sh, check-lib.sh or lab.json change). Prints the directory; exit 1 when FUNC
# failed. Only for what is measured on LAB_DATA, never for anything read from LAB_SRC or
# LAB_ANSWERS.
measured() {
    local dir=${LAB_CACHE:-$LAB_WORK/.cache}/$1
    if [ ! -f "$dir/.done" ]; then
        rm -rf "$dir" && mkdir -p "$dir" || return 1
        (cd "$dir" && "$1") >&2 || return 1
        touch "$dir/.done"
    fi
    echo "$dir"
}

# build_harness FILE.c Q...: build the project library (make lib) and compile the lab's
# harness.c with the graded $LAB_SRC/FILE.c into ./harness. On failure it prints a FAIL
# line for each question Q, the first with the compiler's first 20 lines as NOTE lines
# (the whole message is in compile.log), and returns 1.
build_harness() {
    local src=$1 q first=$2; shift
    if ! make -s -C "$LAB_ROOT" lib > compile.log 2>&1; then
        for q in "$@"; do
            echo "FAIL $q cannot build the project library (run make lib in the repository first)"
        done
        return 1
    fi
    # shellcheck disable=SC2046 # the flags are lists
    if ! "${CC:-cc}" -O1 -Wall -Wextra $("$LAB_ROOT/bin/lklab-cflags") -I"$LAB_DIR" -o harness \
            "$LAB_DIR/harness.c" "$LAB_SRC/$src" $("$LAB_ROOT/bin/lklab-cflags" --libs) \
            > compile.log 2>&1; then
        echo "FAIL $first $src does not compile; the compiler says:"
        awk 'NR <= 20' compile.log | while IFS= read -r line; do note "$first" "$line"; done
        for q in "$@"; do
            [ "$q" = "$first" ] || echo "FAIL $q $src does not compile (see $first)"
        done
        return 1
    fi
    cat compile.log >&2
}

# expect_members ID MEMBER:KIND:EXPECTED[:TOLERANCE]...: a question whose answer is an object
# (a small count with a number that only the student's own run gives, or a choice with its
# reason): PASS when every MEMBER is right (KIND int, num or text, as expect_int, expect_num,
# expect_text; word: this word in any case, spaces around it allowed), else FAIL with a note
# naming the members that are not.
expect_members() {
    local id=$1 spec member kind want tol wrong=""
    shift
    for spec in "$@"; do
        IFS=: read -r member kind want tol <<< "$spec"
        [ "$kind" != text ] || want=${spec#"$member:$kind:"}   # an ISO time has colons
        [ "$kind" != word ] || want="^[[:space:]]*$want[[:space:]]*\$"
        [ "$("expect_$kind" "$id.$member" "$want" $tol)" = "PASS $id.$member" ] ||
            wrong="$wrong $member"
    done
    if [ -z "$wrong" ]; then echo "PASS $id"; else echo "FAIL $id"; note "$id" "not right:$wrong"; fi
}

# land_first DATA START HOURS DEST: copy the landing files of DATA/landing that landed in
# the first HOURS hours from START (an ISO time; the files' names start with their landing
# time, docs/formats.md) into DEST, each with its landing time as its modification time:
# a landing directory for a file-arrival trigger on the virtual clock (lab 12's README
# does the same by hand). Returns 1 when a copy fails.
land_first() {
    local data=$1 start=$2 hours=$3 dest=$4 end names f
    end=$(date -u -d "@$(( $(date -u -d "$start" +%s) + 3600 * hours ))" +%Y%m%dT%H%M%S000Z) &&
        names=$(ls "$data/landing") && mkdir -p "$dest" || return 1
    while read -r f; do
        cp "$data/landing/$f" "$dest/" &&
            touch -d "${f:0:4}-${f:4:2}-${f:6:2}T${f:9:2}:${f:11:2}:${f:13:2}Z" "$dest/$f" ||
            return 1
    done < <(awk -v end="$end" 'NF && $0 < end' <<< "$names")
}
