#!/usr/bin/env bash
# Lab 02 grader: expected values measured on the student's dataset ($LAB_DATA) with the
# README's sweep (made once per dataset: measured, check-lib.sh), read from sweep.csv by
# column name (docs/sweep.md). A run choice that misses its requirement is told the run's
# latency and the limit; "inf" (events never correct) meets no limit.
set -uo pipefail
. "$LAB_DIR/../check-lib.sh"   # labs/check-lib.sh, also in a handout

sweep() {
    "$LKLAB" sweep --data "$LAB_DATA" --pipeline revenue --out sweep --triggers 1m,10m,1h,24h \
        --quiet > /dev/null || return 1
    # table.csv: name,first_visible_p50_ms,first_visible_p95_ms,correct_p95_ms,total_usd
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { name = $c["run"]; sub("^runs/", "", name)
          print name, $c["first_visible_p50_ms"], $c["first_visible_p95_ms"],
                $c["correct_p95_ms"], $c["total_usd"] }' sweep/sweep.csv > table.csv
}
m=$(measured sweep) || { echo "FAIL q1 the sweep failed on your dataset: tell your instructor"; exit 0; }
table=$m/table.csv

col() { awk -F, -v n="$1" -v c="$2" '$1 == n { print $c }' "$table"; }
# cheapest COLUMN LIMIT: the run with the lowest total among those with COLUMN <= LIMIT
cheapest() {
    awk -F, -v c="$1" -v lim="$2" '$c != "" && $c != "inf" && $c + 0 <= lim &&
        (w == "" || $5 + 0 < m) { m = $5 + 0; w = $1 } END { print w }' "$table"
}
expect_num q1 "$(col kappa-1m-wm10m 2)" 0.5
expect_num q2 "$(col kappa-1m-wm10m 5)" 0.005
expect_num q3 "$(col kappa-24h-wm10m 5)" 0.005

# choice Q COLUMN LIMIT KEY: Q.run must be the cheapest run meeting COLUMN <= LIMIT, and
# Q.KEY that run's COLUMN (the number the choice rests on, from the student's own sweep)
choice() {
    local q=$1 c=$2 lim=$3 key=$4 best got value
    best=$(cheapest "$c" "$lim")
    got=$(answer "$q.run" | sed 's#^[[:space:]]*runs/##; s/[[:space:]]//g')
    if [ -z "$best" ]; then
        echo "FAIL $q no run meets this requirement on this dataset: tell your instructor"
    elif [ -z "$got" ]; then
        echo "FAIL $q"
    elif ! grep -q "^$got," "$table"; then
        echo "FAIL $q there is no run '$got' in the sweep (see the run column of sweep.csv)"
    elif [ "$got" != "$best" ]; then
        value=$(col "$got" "$c")
        if [ "$value" = inf ] || ! awk -v v="$value" -v l="$lim" 'BEGIN { exit !(v + 0 <= l) }'
        then
            at_most "$q" "$key of $got" "$value" "$lim" ms
        else
            echo "FAIL $q $got meets the requirement ($key $value ms), but a cheaper run does too"
        fi
    else
        value=$(col "$got" "$c")
        local given; given=$(answer "$q.$key")
        if [ -n "$given" ] && [ "$value" != inf ] &&
            awk -v g="$given" -v v="$value" 'BEGIN { d = g - v; exit !(g ~ /^[0-9.]+$/ && d <= 0.5 && -d <= 0.5) }'
        then echo "PASS $q"
        else echo "FAIL $q the run is right; $key must be its value in your sweep.csv"; fi
    fi
}
choice q4 3 60000 first_visible_p95_ms
choice q5 4 2700000 correct_p95_ms
choice q6 4 172800000 correct_p95_ms

# q7 from the student's own q4 and q6 runs when they are runs of the table (graded on the
# ratio of their choices: a wrong pick already failed q4/q6), else from the expected ones
pick() {
    local a; a=$(answer "$1.run" | sed 's#^runs/##; s/[[:space:]]//g')
    [ -n "$a" ] && grep -q "^$a," "$table" && echo "$a"
}
f=$(pick q4 || cheapest 3 60000)
b=$(pick q6 || cheapest 4 172800000)
if [ -n "$f" ] && [ -n "$b" ]; then
    ratio=$(awk -v x="$(col "$f" 5)" -v y="$(col "$b" 5)" 'BEGIN { if (y > 0) printf "%.6f", x / y }')
    expect_num q7 "$ratio" 0.00051
else
    echo "FAIL q7"
fi
