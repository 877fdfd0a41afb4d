#!/usr/bin/env bash
# make torture: a seeded random kill -9 campaign against real `lklab kappa` and `lklab lambda`
# processes (docs/testing.md). For each configuration: one uninterrupted run is the
# reference (checked against `lklab truth` where the mode makes them equal); then the same
# run in a fresh directory is SIGKILLed at random delays drawn from the seed (seeded shares
# of the measured time the run has left, so most kills land mid-run), restarted, killed
# again, finished, and every table, the lake and run.json must equal the reference byte
# for byte.
# Some runs begin with a --crash-after phase crash at a seeded point as well.
#
#   TORTURE_SEED=N    the seed (default: from the clock; always printed)
#   TORTURE_KILLS=K   mid-run kills per stack, at least (default 30)
#   TORTURE_STACKS=S  "kappa lambda" (default) or one of them
#   LKLAB_BIN=PATH    the lklab binary (default bin/lklab)
#
# The seed fixes the datasets, the kill delays and crash points; where a delay lands in the
# run depends on the machine's speed, so a failure is reproduced by the seed plus the kept
# run directory (out/torture/<stack>-<config>/run-N-failed) and the kill times it prints.
# Exit: 0 all equal, 1 a mismatch or a failed restart, 2 usage, 4 setup failed.
set -uo pipefail
cd "$(dirname "$0")/.."
LK=${LKLAB_BIN:-$PWD/bin/lklab}
SEED=${TORTURE_SEED:-$(( $(date +%s%N) / 1000 % 1000000000 ))}
KILLS=${TORTURE_KILLS:-30}
STACKS=${TORTURE_STACKS:-kappa lambda}
W=out/torture

die() { echo "torture: $*" >&2; exit 4; }
case "$SEED$KILLS" in *[!0-9]*) echo "torture: TORTURE_SEED and TORTURE_KILLS must be numbers" >&2; exit 2 ;; esac
for s in $STACKS; do
    case $s in kappa | lambda) ;; *) echo "torture: TORTURE_STACKS: unknown stack '$s'" >&2; exit 2 ;; esac
done
[ -x "$LK" ] || die "no lklab binary at $LK (run make first)"
command -v timeout > /dev/null || die "needs timeout (coreutils)"
command -v sqlite3 > /dev/null || die "needs the sqlite3 shell (make deps installs it)"

# MINSTD (Park-Miller): a small generator with the same sequence in every bash.
# rnd_seed STREAM starts one stream of the seed (the --at instants', a stack's); rnd N then
# sets R to a number in [0, N).
rnd_seed() {
    local h=0 c i
    for (( i = 0; i < ${#1}; i++ )); do
        printf -v c '%d' "'${1:i:1}"
        h=$(( (h * 31 + c) % 1000003 ))
    done
    state=$(( (SEED + h * 7919) % 2147483646 + 1 ))
}
rnd() {
    [ "$1" -gt 0 ] || { R=0; return; }
    state=$(( state * 48271 % 2147483647 ))
    R=$(( state % $1 ))
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The configurations: name, stack, pipeline, dataset, options, and what its reference must
# equal besides itself: "truth" (the oracle) or another configuration's reference tables.
# LAKE in the options stands for a lake directory inside the run directory.
CONFIGS=(
    "kappa append revenue dsk --trigger 15m"
    "kappa update revenue dsk --trigger 15m --watermark none --output-mode update=truth"
    "kappa workers2 revenue dsk --trigger 15m --workers 2 --durability process=append"
    "kappa lake revenue dsk --trigger 30m --lake LAKE"
    "kappa files revenue dsk --source files --trigger 10m --durability process"
    "kappa complete-feed revenue dsk --trigger 1h --output-mode complete --watermark none --change-feed --tenant-views --durability process=truth"
    "kappa sessions-w2 sessions dsk --trigger 5m --watermark none --output-mode update --workers 2 --durability process=truth"
    "lambda revenue revenue dsl --batch-every 1h --speed-trigger 1m=truth"
    "lambda sessions sessions dsl --batch-every 2h --speed-trigger 1m=truth"
)
# Virtual instants at which Lambda's serving answer is compared (--at), inside dsl's span.
DSL_START=1767225600 # 2026-01-01T00:00:00Z
DSL_SPAN=14400       # 4h

start=$(now_ms)
rm -rf "$W"
mkdir -p "$W" || die "cannot create $W"
echo "torture: seed $SEED (TORTURE_SEED=$SEED make torture repeats it), >= $KILLS kills per stack"

# Datasets: Kappa 30k events over a day, Lambda 20k events over 4 hours; a landing file
# every 10 minutes (not 1: thousands of small files make gen slow on a busy disk).
"$LK" gen --scenario clickstream --events 30000 --drop-every 10m --seed "$SEED" --out "$W/dsk" --quiet ||
    die "lklab gen failed for $W/dsk"
"$LK" gen --scenario clickstream --events 20000 --span 4h --drop-every 10m --seed "$SEED" --out "$W/dsl" --quiet ||
    die "lklab gen failed for $W/dsl"
rnd_seed at
AT_TIMES=()
for _ in 1 2 3; do
    rnd $DSL_SPAN
    AT_TIMES+=("$(date -u -d "@$(( DSL_START + R ))" +%Y-%m-%dT%H:%M:%SZ)")
done

# parse_config LINE: sets stack name pipe ds opts expect
parse_config() {
    local spec=${1%%=*}
    expect=""
    [ "$spec" = "$1" ] || expect=${1#*=}
    read -r stack name pipe ds opts <<< "$spec"
}

# The command for one attempt of configuration (globals) into RUN; extra args appended.
cmd_for() {
    local run=$1
    shift
    CMD=("$LK" "$stack" --quiet --data "$W/$ds" --pipeline "$pipe" --out "$run" ${opts//LAKE/$run/lake} "$@")
}

# A CSV without one column (by its header name): the wall-clock duration of progress rows.
drop_column() {
    awk -F, -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
        { out = ""; for (i = 1; i <= NF; i++) if (i != c) out = out (out == "" ? "" : ",") $i; print out }'
}

# snapshot RUN DIR: everything that must not depend on kills, as text files in DIR.
snapshot() {
    local run=$1 dir=$2 t at ok=0
    mkdir -p "$dir"
    if [ "$stack" = kappa ]; then
        for t in output late quarantine; do
            "$LK" results --run "$run" --table $t --out "$dir/$t.csv" 2>> "$dir/errors" || ok=1
        done
    else
        for t in serving batch quarantine; do
            "$LK" results --run "$run" --table $t --out "$dir/$t.csv" 2>> "$dir/errors" || ok=1
        done
        for at in "${AT_TIMES[@]}"; do
            "$LK" results --run "$run" --at "$at" --out "$dir/serving-at-$at.csv" 2>> "$dir/errors" || ok=1
        done
    fi
    "$LK" results --run "$run" --table progress --out - 2>> "$dir/errors" |
        drop_column duration_ms > "$dir/progress.csv" || ok=1
    # run.json without what belongs to the last process (its clock, memory, whether it resumed).
    grep -Ev '"(wall_seconds|peak_rss_kb|resumed)":' "$run/run.json" > "$dir/run.json" 2>> "$dir/errors" || ok=1
    # Every change of the output (--change-feed) once, and the latencies computed from the
    # output's history ('lklab latency' adds them to run.json, so after its copy; it does
    # not analyse session windows).
    if [ "$stack" = kappa ] && [ -n "$(sqlite3 "$run/serving.db" "SELECT name FROM sqlite_master WHERE name = 'changes'")" ]; then
        sqlite3 -csv "$run/serving.db" "SELECT * FROM changes ORDER BY version, batch_id, tenant, type, window_start, op" \
            > "$dir/changes.csv" 2>> "$dir/errors" || ok=1
    fi
    if [ "$pipe" != sessions ]; then
        "$LK" latency --run "$run" --format json > "$dir/latency.json" 2>> "$dir/errors" || ok=1
    fi
    if [ -d "$run/lake" ]; then
        (cd "$run/lake" && find . -type f | LC_ALL=C sort | xargs -r md5sum) > "$dir/lake.md5" || ok=1
    fi
    return $ok
}

# compare A B [FILES...]: 0 when equal; prints the differences (first lines) otherwise.
compare() {
    local a=$1 b=$2 f bad=0
    shift 2
    for f in "$@"; do
        if ! cmp -s "$a/$f" "$b/$f"; then
            echo "torture:   $f differs ($(diff "$a/$f" "$b/$f" 2> /dev/null | grep -c '^[<>]') lines; < reference, > this run):"
            diff "$a/$f" "$b/$f" 2>&1 | head -8 | sed 's/^/torture:     /'
            bad=1
        fi
    done
    return $bad
}

tables_of() { (cd "$1" && ls | grep -v '^errors$'); }

declare -A DURATION BATCHES MICRO KILLS_OF CRASHES_OF RUNS_OF
FAILURES=0

# The reference of one configuration: an uninterrupted run, its duration, its snapshot.
reference() {
    local cfg=$1 run t0 t1 t
    run=$W/$stack-$name/run # the path of every run: run.json names it (--lake)
    mkdir -p "$W/$stack-$name"
    cmd_for "$run"
    t0=$(now_ms)
    if ! "${CMD[@]}" 2> "$W/$stack-$name/ref.err"; then
        echo "torture: FAIL $stack/$name: the uninterrupted run failed: ${CMD[*]}"
        sed 's/^/torture:   /' "$W/$stack-$name/ref.err" | tail -5
        return 1
    fi
    t1=$(now_ms)
    DURATION[$cfg]=$(( t1 - t0 ))
    snapshot "$run" "$W/$stack-$name/ref" || {
        echo "torture: FAIL $stack/$name: exporting the reference failed"
        sed 's/^/torture:   /' "$W/$stack-$name/ref/errors"
        return 1
    }
    BATCHES[$cfg]=$(sed -n 's/.*"\(batches\|batch_jobs\)":[[:space:]]*\([0-9]*\).*/\2/p' "$run/run.json" | head -1)
    MICRO[$cfg]=$(sed -n 's/.*"micro_batches":[[:space:]]*\([0-9]*\).*/\1/p' "$run/run.json" | head -1)
    if [ "$expect" = truth ]; then
        "$LK" truth --quiet --data "$W/$ds" --pipeline "$pipe" --out "$W/$stack-$name/truth.csv" ||
            { echo "torture: FAIL $stack/$name: lklab truth failed"; return 1; }
        t=output.csv
        [ "$stack" = lambda ] && t=serving.csv
        if ! cmp -s "$W/$stack-$name/truth.csv" "$W/$stack-$name/ref/$t"; then
            echo "torture: FAIL $stack/$name: the uninterrupted run differs from lklab truth (seed $SEED)"
            diff "$W/$stack-$name/truth.csv" "$W/$stack-$name/ref/$t" | head -8 | sed 's/^/torture:   /'
            return 1
        fi
    elif [ -n "$expect" ]; then
        if ! compare "$W/$stack-$expect/ref" "$W/$stack-$name/ref" output.csv late.csv quarantine.csv; then
            echo "torture: FAIL $stack/$name: the uninterrupted run's tables differ from $stack/$expect's (seed $SEED)"
            return 1
        fi
    fi
    rm -rf "$run"
    echo "torture: $stack/$name reference: ${DURATION[$cfg]} ms, ${BATCHES[$cfg]} batches${expect:+, equals $expect}"
}

# A --crash-after point for the first attempt of a run, seeded, or nothing (3 runs in 4).
crash_point() {
    CRASH=""
    rnd 4
    [ $R -eq 0 ] || return 0
    if [ "$stack" = kappa ]; then
        local phases=(planned processed sink-committed committed)
        rnd "${BATCHES[$cfg]}"
        CRASH=$R
        rnd 4
        CRASH=$CRASH:${phases[$R]}
    else
        rnd 2
        if [ $R -eq 0 ]; then
            rnd "${BATCHES[$cfg]}"
            CRASH=batch:$(( R + 1 ))
        else
            rnd "${MICRO[$cfg]}"
            CRASH=speed:$(( R + 1 ))
        fi
    fi
}

# One run: 3-5 kills at seeded delays, then to the end; compare with the reference.
one_run() {
    local cfg=$1 n=$2 dir run k i d rem rc t0 t1 what kills=() landed=0 fail="" log
    dir=$W/$stack-$name
    run=$dir/run
    log=$dir/run.err
    rm -rf "$run" "$dir/snap"
    : > "$log"
    crash_point
    if [ -n "$CRASH" ]; then
        cmd_for "$run" --crash-after "$CRASH"
        ( "${CMD[@]}"; exit $? ) 2>> "$log"
        rc=$?
        if [ $rc -eq 137 ]; then
            CRASHES_OF[$stack]=$(( ${CRASHES_OF[$stack]:-0} + 1 ))
            kills+=("crash-after:$CRASH")
            echo "torture: $stack/$name run $n: --crash-after $CRASH: crashed"
        elif [ $rc -ne 0 ]; then
            fail="--crash-after $CRASH exited $rc"
        fi
    fi
    # Each delay is a seeded share (0-90%) of the time the run has left: the reference's
    # duration, less the delays of the kills so far (a restart resumes where it was).
    rem=${DURATION[$cfg]}
    rnd 3
    k=$(( R + 3 ))
    cmd_for "$run"
    for (( i = 1; i <= k; i++ )); do
        [ -z "$fail" ] && [ ! -f "$run/run.json" ] || break
        rnd 900
        d=$(( rem * R / 1000 ))
        t0=$(now_ms)
        # --foreground: timeout kills lklab only (it starts no processes) and waits until it
        # is gone. Without it, timeout kills its process group, itself included, and returns
        # while lklab may still be dying (in an fsync: its run lock not yet released), so
        # the restart would race with it. In a subshell that does not exec, so the shell's
        # "Killed" notice goes to the log.
        ( timeout --foreground -s KILL "$(printf '%d.%03d' $(( d / 1000 )) $(( d % 1000 )))" "${CMD[@]}"; exit $? ) 2>> "$log"
        rc=$?
        t1=$(now_ms)
        what="kill $i at $d ms ($(( R / 10 )).$(( R % 10 ))% of ~$rem ms left)"
        if [ $rc -eq 137 ] && [ ! -f "$run/run.json" ]; then
            landed=$(( landed + 1 ))
            kills+=("${d}ms")
            echo "torture: $stack/$name run $n: $what: killed"
            rem=$(( rem - d ))
            [ $rem -ge $(( DURATION[$cfg] / 10 + 1 )) ] || rem=$(( DURATION[$cfg] / 10 + 1 ))
        elif [ $rc -eq 124 ] && [ ! -f "$run/run.json" ]; then
            # timeout's 124: the process ended by itself as the delay expired, its status lost.
            echo "torture: $stack/$name run $n: $what: ended as the kill came, not counted"
        elif [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 137 ]; then # 124, 137: at the end
            echo "torture: $stack/$name run $n: $what: finished first (in $(( t1 - t0 )) ms), not killed"
            # A whole run was faster than the reference (a warm cache, a quieter machine):
            # the next runs draw their delays within this duration.
            [ $i -gt 1 ] || [ -n "$CRASH" ] || DURATION[$cfg]=$(( t1 - t0 ))
            break
        else
            fail="a restart exited $rc after kills at ${kills[*]}"
        fi
    done
    if [ -z "$fail" ] && [ ! -f "$run/run.json" ]; then
        "${CMD[@]}" 2>> "$log"
        rc=$?
        [ $rc -eq 0 ] || fail="the final restart exited $rc after kills at ${kills[*]}"
    fi
    KILLS_OF[$stack]=$(( ${KILLS_OF[$stack]:-0} + landed ))
    RUNS_OF[$stack]=$(( ${RUNS_OF[$stack]:-0} + 1 ))
    if [ -z "$fail" ]; then
        if ! snapshot "$run" "$dir/snap"; then
            fail="exporting the finished run failed: $(head -1 "$dir/snap/errors")"
        elif ! compare "$dir/ref" "$dir/snap" $(tables_of "$dir/ref"); then
            fail="differs from the uninterrupted run after kills at ${kills[*]:-none}"
        fi
    fi
    if [ -n "$fail" ]; then
        FAILURES=$(( FAILURES + 1 ))
        mv "$run" "$dir/run-$n-failed"
        [ -s "$log" ] && cp "$log" "$dir/run-$n-failed.err"
        echo "torture: FAIL $stack/$name run $n (seed $SEED): $fail"
        echo "torture:   command: ${CMD[*]//$run/$dir/run-$n-failed}"
        [ -s "$log" ] && grep -v 'Killed' "$log" | tail -3 | sed 's/^/torture:   stderr: /'
        return 1
    fi
    echo "torture: $stack/$name run $n: $landed kills${CRASH:+ + crash-after $CRASH}, equal"
    rm -rf "$run" "$dir/snap"
}

# The comparison must be able to fail: Kappa with --sink-guarantee at-least-once, crashed
# right after a sink commit and restarted, writes that batch twice (docs/kappa.md), so its
# output must differ from the append reference.
self_check() {
    local cfg dir run
    for cfg in "${CONFIGS[@]}"; do
        parse_config "$cfg"
        [ "$stack/$name" = kappa/append ] && break
    done
    dir=$W/kappa-self-check
    run=$dir/run
    mkdir -p "$dir"
    cmd_for "$run" --durability process --sink-guarantee at-least-once
    ( "${CMD[@]}" --crash-after "$(( BATCHES[$cfg] / 2 )):sink-committed"; exit $? ) 2> "$dir/err"
    if "${CMD[@]}" 2>> "$dir/err" && "$LK" results --run "$run" --out "$dir/output.csv" 2>> "$dir/err" &&
        ! cmp -s "$W/kappa-append/ref/output.csv" "$dir/output.csv"; then
        echo "torture: kappa self-check: an at-least-once sink crashed after its commit differs, as it must"
        rm -rf "$dir"
        return 0
    fi
    echo "torture: FAIL kappa self-check: an at-least-once replay was not seen as a difference (kept in $dir)"
    return 1
}

# One stack's campaign; writes its summary and failure count to $W/STACK.result. Its draws
# come from its own stream of the seed, so TORTURE_STACKS=lambda repeats the same lambda run.
campaign() {
    local want=$1 cfgs=() cfg n summary
    rnd_seed "$want"
    for cfg in "${CONFIGS[@]}"; do
        parse_config "$cfg"
        [ "$stack" = "$want" ] || continue
        reference "$cfg" || { FAILURES=$(( FAILURES + 1 )); continue; }
        cfgs+=("$cfg")
    done
    if [ "$want" = kappa ] && [ -n "${BATCHES[${CONFIGS[0]}]:-}" ]; then
        self_check || FAILURES=$(( FAILURES + 1 ))
    fi
    # Round robin over the configurations until enough kills landed (bounded: a machine so
    # fast that kills keep missing ends the campaign as a failure rather than looping).
    n=0
    while [ ${#cfgs[@]} -gt 0 ] && [ "${KILLS_OF[$want]:-0}" -lt "$KILLS" ] && [ $n -lt $(( KILLS * 2 )) ]; do
        n=$(( n + 1 ))
        for cfg in "${cfgs[@]}"; do
            parse_config "$cfg"
            one_run "$cfg" "$n"
            [ "${KILLS_OF[$want]:-0}" -lt "$KILLS" ] || break
        done
    done
    if [ "${KILLS_OF[$want]:-0}" -lt "$KILLS" ]; then
        echo "torture: FAIL $want: only ${KILLS_OF[$want]:-0} of $KILLS kills landed mid-run"
        FAILURES=$(( FAILURES + 1 ))
    fi
    summary="$want ${KILLS_OF[$want]:-0} kills"
    [ "${CRASHES_OF[$want]:-0}" -eq 0 ] || summary="$summary + ${CRASHES_OF[$want]} crash-after"
    printf '%s in %s runs\n%s\n' "$summary" "${RUNS_OF[$want]:-0}" "$FAILURES" > "$W/$want.result"
}

# The two stacks run side by side (two cores): each process is mostly waiting on the disk.
# Background jobs of a script ignore Ctrl-C, so an interrupt ends them here.
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; echo "torture: interrupted (seed $SEED; $W kept)" >&2; exit 130' INT TERM
for want in $STACKS; do
    campaign "$want" &
    pids+=($!)
done
wait "${pids[@]}"
SUMMARY=""
for want in $STACKS; do
    if [ -f "$W/$want.result" ]; then
        SUMMARY="$SUMMARY${SUMMARY:+, }$(sed -n 1p "$W/$want.result")"
        FAILURES=$(( FAILURES + $(sed -n 2p "$W/$want.result") ))
    else
        SUMMARY="$SUMMARY${SUMMARY:+, }$want did not finish"
        FAILURES=$(( FAILURES + 1 ))
    fi
done
secs=$(( ($(now_ms) - start) / 1000 ))
if [ $FAILURES -eq 0 ]; then
    echo "torture: $SUMMARY, all equal (seed $SEED, ${secs}s)"
    rm -rf "$W"
    exit 0
fi
echo "torture: $SUMMARY: $FAILURES FAILED (seed $SEED, ${secs}s; TORTURE_SEED=$SEED make torture; kept in $W)"
exit 1
