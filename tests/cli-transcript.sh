#!/bin/bash
# A transcript of lklab's command-line surface, to diff before and after a change to cli/ that
# must not change behaviour (a refactoring): every command's --help, -h, bad options, stray
# arguments, each long option without its value, with '=' and with a bad value, the usage
# errors of subcommands and of kappa/lambda's live sources, and real writes of truth, export
# and results to a file, standard output, a missing directory and /dev/full, on a 3000-event
# dataset. Each call prints its exit code, an md5 of stdout and the whole of stderr.
#
#   tests/cli-transcript.sh OLD_BIN > before.txt
#   tests/cli-transcript.sh bin/lklab > after.txt
#   diff before.txt after.txt        # empty: the same codes, messages and output
#
# The option lists come from this tree's cli/cmd_*.c, so both binaries get the same calls.
# It takes a minute or two; its scratch directory (out/cli-transcript.PID, SCRATCH in the
# transcript) is removed at the end.
# demo and live are only called where they stop on a usage error (else they run for minutes).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
W=$ROOT/out/cli-transcript.$$
export LKLAB_ROOT=$ROOT
rm -rf "$W"
mkdir -p "$W"
trap 'rm -rf "$W"' EXIT

run() {
    local so rc
    so=$("$BIN" "$@" 2>"$W/err")
    rc=$?
    printf '=== lklab %s\n--- rc=%d\n--- stdout %s\n--- stderr\n%s\n' "$*" "$rc" \
        "$(printf '%s' "$so" | sed "s|$W|SCRATCH|g" | md5sum | cut -c1-12)" "$(cat "$W/err")"
}

# standard output on a full device (a write error at the flush)
run_full() {
    local rc
    "$BIN" "$@" >/dev/full 2>"$W/err"
    rc=$?
    printf '=== lklab %s >/dev/full\n--- rc=%d\n--- stderr\n%s\n' "$*" "$rc" "$(cat "$W/err")"
}

{
for c in gen truth kappa lambda results reconcile cost latency sweep plot report lab table \
    export job broker replay live cron serve demo; do
    case $c in
    export) pre=spark ;;
    lab | table) pre=list ;;
    *) pre= ;;
    esac
    run $c --help
    run $c -h
    run $c --he
    run $c $pre --help
    run $c $pre -h
    run $c $pre --bogus
    run $c $pre -x
    run $c $pre -hx
    run $c $pre --bogus=1
    run $c $pre --help extra
    run $c $pre extra --help
    run $c $pre extra
    run $c $pre extra1 extra2
    run $c $pre --help=1
    run $c $pre -- --help
    case $c in demo | live) ;; *) run $c && run $c $pre ;; esac
    for o in $(grep -ho '{ *"[a-z-]*", *[a-z_]*_argument' "$ROOT/cli/cmd_$c.c" |
        sed 's/{ *"\([a-z-]*\)", *\([a-z_]*\)/\1:\2/'); do
        name=${o%%:*}
        if [ "${o#*:}" = no_argument ]; then
            case $c in demo | live) ;; *) run $c $pre --$name ;; esac
            run $c $pre --$name=1
        else
            run $c $pre --$name
            case $c in demo | live) ;; *) run $c $pre --$name= ;; esac
            run $c $pre --$name bogus-value extra
        fi
    done
done

# operands and subcommands
run export; run export flink; run export spark --pipeline revenue; run export --pipeline revenue
run lab list extra; run lab data; run lab check 01 --out x; run lab nope; run lab list --student x
run table create; run table list --db; run table nope; run table list --db "$W/t.db" extra
run job; run job validate; run job nope x; run job run x.json; run job history a b
run cron; run cron next; run cron nope; run cron next '* * * * *' extra
run cron --count 2 --after 2026-01-01T00:00:00Z next '0 * * * *'
run broker; run broker start; run broker start stop; run broker --dir "$W/b" nope
run serve --runs; run reconcile a; run reconcile a b c; run reconcile --run r a
run reconcile --run r; run reconcile --at 2026-01-01T00:00:00Z a b

# required options, and kappa/lambda's sources
run kappa --data d --pipeline revenue; run kappa --data d --out o; run kappa --pipeline p --out o
run kappa --out o; run kappa --pipeline p
run kappa --follow --data d --pipeline revenue --out "$W/k"
run kappa --clock wall --data d --pipeline revenue --out "$W/k"
run kappa --clock bad; run kappa --source landing:"$W/l" --data d --pipeline revenue --out "$W/k"
run kappa --source kafka://127.0.0.1:1/t --data d; run kappa --source bogus
run kappa --source files --data /nonexistent --pipeline revenue --out "$W/k"
run kappa --source landing:"$W/l" --clock wall --pipeline revenue --out "$W/k"
run kappa --data d --pipeline revenue --out o --clock wall --trigger 1m
run lambda --data d --pipeline revenue; run lambda --source landing:"$W/l"; run lambda --clock wall
run lambda --source bogus; run lambda --data d --out o; run lambda --out o
run lambda --source kafka://127.0.0.1:1/t --data d --pipeline revenue --out "$W/l"
run lambda --follow --data d --pipeline revenue --out "$W/l"
run lambda --clock virtual --data /nonexistent --pipeline revenue --out "$W/l"
run lambda --pipeline revenue --out "$W/l"
run truth --data /nonexistent --pipeline revenue --out "$W/x.csv"; run truth --data d --pipeline nope --out -
run truth --data d --out o; run truth --pipeline p --out o; run truth --out o
run results --run /nonexistent --out -; run results --run r; run results --run "$W" --at bad --out -
run results --out x; run export spark --out x
run cost --run a --scenario b; run cost; run cost --scenario nope; run cost --format xml --run r
run latency --format xml; run latency --run /nonexistent
run report --sweep /nonexistent; run plot --sweep /nonexistent --out "$W/p"
run sweep --data /nonexistent --out "$W/s"; run sweep --data x; run sweep --out x
run replay --data /nonexistent --to landing:"$W/l"; run replay --data d; run replay --to x
run gen --scenario clickstream; run gen --out "$W/g"

# real writes
run gen --scenario clickstream --events 3000 --out "$W/ds" --quiet
run truth --data "$W/ds" --pipeline revenue --out - --quiet
run truth --data "$W/ds" --pipeline revenue --out "$W/t.csv" --quiet
md5sum <"$W/t.csv"
run truth --data "$W/ds" --pipeline revenue --out "$W/nodir/t.csv" --quiet
run_full truth --data "$W/ds" --pipeline revenue --out - --quiet
run truth --data "$W/ds" --pipeline revenue --out /dev/full --quiet
run export spark --pipeline revenue --out -
run export spark --pipeline revenue --out "$W/job.py"
md5sum <"$W/job.py"
run export spark --pipeline revenue --out "$W/nodir/job.py"
run_full export spark --pipeline revenue --out -
run export spark --pipeline revenue --out /dev/full
run kappa --data "$W/ds" --pipeline revenue --out "$W/k" --quiet
run results --run "$W/k" --out -
run results --run "$W/k" --out "$W/r.csv"
md5sum <"$W/r.csv"
run results --run "$W/k" --out "$W/nodir/r.csv"; run results --run "$W/k" --table late --out -
run_full results --run "$W/k" --out -
run results --run "$W/k" --out /dev/full
run lambda --data "$W/ds" --pipeline revenue --out "$W/lb" --quiet
run results --run "$W/lb" --out -; run results --run "$W/lb" --at 2026-01-01T06:00:00Z --out -
run reconcile "$W/t.csv" "$W/r.csv"; run cost --run "$W/k"; run latency --run "$W/k"
run table list --db "$W/k/serving.db"
} 2>&1 | sed "s|$W|SCRATCH|g"
