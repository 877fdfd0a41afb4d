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

# build_harness FILE.c Q...: build the project library (make lib) and compile the lab's
# harness.c with the graded $LAB_SRC/FILE.c into ./harness. On failure it prints a FAIL
# line for each question Q (the compiler's message goes to stderr) and returns 1.
build_harness() {
    local src=$1 q; shift
    if ! make -s -C "$LAB_ROOT" lib >&2; then
        for q in "$@"; do
            echo "FAIL $q cannot build the project library (run make lib in the repository first)"
        done
        return 1
    fi
    # shellcheck disable=SC2046 # the flags are lists
    if ! "${CC:-cc}" -O1 -Wall -Wextra $("$LAB_ROOT/bin/lklab-cflags") -I"$LAB_DIR" -o harness \
            "$LAB_DIR/harness.c" "$LAB_SRC/$src" $("$LAB_ROOT/bin/lklab-cflags" --libs) >&2; then
        for q in "$@"; do
            echo "FAIL $q $src does not compile (the compiler's message is above)"
        done
        return 1
    fi
}
