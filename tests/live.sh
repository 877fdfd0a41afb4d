#!/usr/bin/env bash
# make live-test: the live sources against a real Apache Kafka broker (docs/live.md).
# Each check starts its own broker on a free loopback port with its data in a fresh
# directory under out/live-test/, and stops it by its pid (lklab broker stop) at the end,
# also when a check fails. Answers are compared with `lklab truth` or with the same run
# over the dataset's files (the log source), never with themselves.
# Prints one line per check and "live-test: N passed, M failed"; exit 1 when any failed,
# and out/live-test/ is removed when none did.
set -uo pipefail
cd "$(dirname "$0")/.."
LK=${LKLAB_BIN:-$PWD/bin/lklab}
W=out/live-test
rm -rf "$W"
mkdir -p "$W"
[ -x "$LK" ] || { echo "live-test: no lklab binary at $LK (run make first)" >&2; exit 4; }

pass=0 fail=0 brokers=()
ok() { echo "live-test: ok   $1"; pass=$((pass + 1)); }
bad() { echo "live-test: FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
stop_all() {
    local b
    for b in "${brokers[@]}"; do "$LK" broker stop --dir "$b" 2> /dev/null; done
}
trap stop_all EXIT

# start_broker DIR: a broker on a free port; sets PORT.
start_broker() {
    PORT=$("$LK" broker start --dir "$1" 2>> "$W/brokers.log" | cut -d: -f2) || return 1
    brokers+=("$1")
    [ -n "$PORT" ]
}
count_commits() { ls "$1/checkpoint/commits" 2> /dev/null | wc -l; }
# wait_commits RUN N PID: until RUN has N commits (or the process ended)
wait_commits() {
    local i
    for ((i = 0; i < 600; i++)); do
        [ "$(count_commits "$1")" -ge "$2" ] && return 0
        kill -0 "$3" 2> /dev/null || return 1
        sleep 0.1
    done
    return 1
}
# wait_jobs RUN N PID: until the Lambda run RUN has logged N jobs (or the process ended; 30 s at most)
wait_jobs() {
    local i
    for ((i = 0; i < 3000; i++)); do
        [ "$(cat "$1/metrics.jsonl" 2> /dev/null | wc -l)" -ge "$2" ] && return 0
        kill -0 "$3" 2> /dev/null || return 1
        sleep 0.01
    done
    return 1
}
same() { cmp -s "$1" "$2"; }
kappa() { "$LK" kappa --pipeline revenue --trigger 1m --quiet "$@"; }
export_csv() { "$LK" results --run "$1" --out "$2" ${3:+--table "$3"}; }
# restart_equals RUN: restart the 10m-watermark update query on RUN (stderr in RUN.err);
# its output and late tables must equal the log-sourced run's
restart_equals() {
    kappa --source "$URL" --out "$1" --watermark 10m --output-mode update --durability process 2> "$1.err" \
        && export_csv "$1" "$1.csv" && same "$1.csv" "$W/log-wm.csv" \
        && export_csv "$1" "$1-late.csv" late && same "$1-late.csv" "$W/log-wm-late.csv"
}

lambda() { "$LK" lambda --pipeline revenue --quiet "$@"; }
# lambda_dump RUN: what a Lambda run answered and how it got there, without the wall-clock
# columns: the serving answer (lklab results), the master dataset (every line with its
# partition and line number) and each job's virtual times and discrepancy
lambda_dump() {
    export_csv "$1" "$1.csv" \
        && sqlite3 "$1/serving.db" "SELECT * FROM master ORDER BY seq" > "$1.master" \
        && sqlite3 "$1/serving.db" "SELECT layer, job, trigger_time, visible_time, input_rows, rows_written,
            modelled_ms, discrepancy_rows, discrepancy_abs_events FROM progress ORDER BY layer, job" > "$1.progress"
}
# lambda_equals RUN: its dumps equal the log-sourced Lambda run's
lambda_equals() {
    lambda_dump "$1" && same "$1.csv" "$W/l-log.csv" && same "$1.master" "$W/l-log.master" \
        && same "$1.progress" "$W/l-log.progress"
}

DS=$W/ds
"$LK" gen --scenario clickstream --events 20000 --seed 11 --out "$DS" 2> /dev/null \
    || { echo "live-test: gen failed" >&2; exit 4; }
"$LK" truth --data "$DS" --pipeline revenue --out "$W/truth.csv" 2> /dev/null || exit 4
kappa --data "$DS" --out "$W/log-wm" --watermark 10m --output-mode update --durability process || exit 4
export_csv "$W/log-wm" "$W/log-wm.csv" && export_csv "$W/log-wm" "$W/log-wm-late.csv" late || exit 4
lambda --data "$DS" --out "$W/l-log" && lambda_dump "$W/l-log" || exit 4

# --- the broker: start, refuse a second start, port, stop, stop again ------------------------
B=$W/b1
start_broker "$B" || { bad "broker start" "$(tail -3 "$W/brokers.log")"; echo "live-test: $pass passed, $((fail)) failed"; exit 1; }
ok "broker start on 127.0.0.1:$PORT ($(tr -d '\n\t ' < "$B/broker.json"))"
"$LK" broker start --dir "$B" > /dev/null 2> "$W/err"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$W/err")" = 1 ] && ok "second start refused (exit 2, one line)" || bad "second start" "exit $rc"
[ "$("$LK" broker port --dir "$B")" = "$PORT" ] && ok "broker port" || bad "broker port"

# --- replay and a Kafka-sourced Kappa run -------------------------------------------------------
URL=kafka://127.0.0.1:$PORT/clicks
"$LK" replay --data "$DS" --to "$URL" --speed max --quiet && ok "replay --speed max" || bad "replay"
"$LK" replay --data "$DS" --to "$URL" --speed max --quiet 2> "$W/err"; rc=$?
[ $rc = 3 ] && grep -q "exists already" "$W/err" && ok "replay into an existing topic refused (exit 3)" || bad "replay twice" "exit $rc"

kappa --source "$URL" --out "$W/k-update" --watermark none --output-mode update --durability process \
    && export_csv "$W/k-update" "$W/k-update.csv" && same "$W/k-update.csv" "$W/truth.csv" \
    && ok "kafka source, update, no watermark == lklab truth" || bad "kafka update == truth"

kappa --source "$URL" --out "$W/k-wm" --watermark 10m --output-mode update --durability process \
    && export_csv "$W/k-wm" "$W/k-wm.csv" && export_csv "$W/k-wm" "$W/k-wm-late.csv" late \
    && same "$W/k-wm.csv" "$W/log-wm.csv" && same "$W/k-wm-late.csv" "$W/log-wm-late.csv" \
    && ok "kafka source, watermark 10m == the log source (output and late tables)" || bad "kafka wm == log"

# Kappa first, on a topic that does not exist yet, then a paced replay (what lklab live
# does): the query follows the replay and still ends equal to the truth.
kappa --source "$URL-paced" --out "$W/k-paced" --watermark none --output-mode update --durability process &
pid=$!
sleep 1
"$LK" replay --data "$DS" --to "$URL-paced" --speed 20000x --quiet && wait $pid \
    && export_csv "$W/k-paced" "$W/k-paced.csv" && same "$W/k-paced.csv" "$W/truth.csv" \
    && ok "kappa started before a paced replay == lklab truth" || bad "kappa before a paced replay"

# --clock wall: triggers on the replay's clock (wall time x speed from the replay's start);
# a batch takes what the topic holds then. Update mode without a watermark still ends equal
# to the truth, however the records fell into batches.
"$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL-wall" --out "$W/k-wall" --watermark none \
    --output-mode update --durability process --clock wall &
pid=$!
sleep 1
"$LK" replay --data "$DS" --to "$URL-wall" --speed 8640x --quiet && wait $pid \
    && grep -q '"clock":[[:space:]]*"wall"' "$W/k-wall/run.json" \
    && export_csv "$W/k-wall" "$W/k-wall.csv" && same "$W/k-wall.csv" "$W/truth.csv" \
    && ok "--clock wall, replay at 8640x (a day in 10 s), update, no watermark == lklab truth ($(count_commits "$W/k-wall") batches)" \
    || bad "--clock wall == truth"

# --clock wall after a restart: kill -9 the query once it has committed some batches while
# the replay runs, restart it: it resumes from its checkpoint, past the replay-start record
# at offset 0, and must still run on the replay's wall clock (it reads the clock from
# offset 0: the resume note names it), and end equal to the truth.
"$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL-wallr" --out "$W/k-wallr" \
    --watermark none --output-mode update --durability process --clock wall &
pid=$!
sleep 1
"$LK" replay --data "$DS" --to "$URL-wallr" --speed 8640x --quiet &
rp=$!
if wait_commits "$W/k-wallr" 20 $pid; then
    kill -9 $pid
    wait $pid 2> /dev/null
    "$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL-wallr" --out "$W/k-wallr" \
        --watermark none --output-mode update --durability process --clock wall 2> "$W/k-wallr.err"
    rc=$?
    wait $rp
    [ $rc = 0 ] && grep -q "resuming from batch .*on the replay's wall clock (8640x)" "$W/k-wallr.err" \
        && export_csv "$W/k-wallr" "$W/k-wallr.csv" && same "$W/k-wallr.csv" "$W/truth.csv" \
        && ok "--clock wall killed and restarted: resumes on the replay's clock, == lklab truth" \
        || bad "--clock wall restart" "exit $rc: $(head -c 300 "$W/k-wallr.err")"
else
    kill $pid 2> /dev/null
    wait $pid $rp
    bad "--clock wall restart" "no 20 batches committed before the query ended"
fi

# --- the dashboard during a live run (tests/browser/check-dashboard.mjs live): Kappa on a
# topic a replay fills at 500x (a day in 173 s: stopped long before); two screenshots some seconds apart, the
# batch count and the instant the page shows must have changed (read from the DOM). The
# replay and the query are stopped once it is seen (the answers are checked above).
. tests/browser/setup.sh
"$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL-dash" --out "$W/k-dash" --watermark 10m \
    --output-mode update --change-feed --durability process &
kp=$!
"$LK" replay --data "$DS" --to "$URL-dash" --speed 500x --quiet &
rp=$!
for ((i = 0; i < 100; i++)); do [ -d "$W/k-dash" ] && break; sleep 0.1; done
"$LK" serve --runs "$W/k-dash" --data "$DS" --port 0 > "$W/dash.url" 2> "$W/serve.err" &
sp=$!
for ((i = 0; i < 50; i++)); do [ -s "$W/dash.url" ] && break; sleep 0.1; done
node tests/browser/check-dashboard.mjs live "$(cat "$W/dash.url")" "$W/dash-1.png" "$W/dash-2.png" > "$W/dash.out" 2>&1 \
    && ok "dashboard during a live run: the numbers changed ($(tail -1 "$W/dash.out"))" || bad "dashboard live" "$(cat "$W/dash.out" "$W/serve.err")"
kill $sp $rp $kp 2> /dev/null
wait $sp $rp $kp 2> /dev/null

# --follow waits past the end of the replay; stopped and restarted without it, it ends
"$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL" --out "$W/k-follow" --watermark none \
    --output-mode update --durability process --follow &
pid=$!
sleep 8
if kill -0 $pid 2> /dev/null; then
    kill -TERM $pid; wait $pid 2> /dev/null
    kappa --source "$URL" --out "$W/k-follow" --watermark none --output-mode update --durability process 2> /dev/null \
        && export_csv "$W/k-follow" "$W/k-follow.csv" && same "$W/k-follow.csv" "$W/truth.csv" \
        && ok "--follow keeps waiting; restarted without it == lklab truth" || bad "--follow restart"
else
    bad "--follow" "the run ended by itself"
fi

# offsets/N: Spark's {"TOPIC":{"0":N,...}}, N the next Kafka offset: the partition's lines
# + 1 (the replay-start record) at the end of the run
last=$(ls "$W/k-wm/checkpoint/offsets" | sort -n | tail -1)
want=$(for f in "$DS"/log/p-*.jsonl; do echo $(( $(wc -l < "$f") + 1 )); done | paste -sd' ')
got=$(grep -o '"source":{"clicks":{[^}]*}}' "$W/k-wm/checkpoint/offsets/$last" | grep -o '"[0-9]*":[0-9]*' | cut -d: -f2 | paste -sd' ')
[ -n "$got" ] && [ "$got" = "$want" ] && ok "offsets/$last holds Spark's source offsets ($got)" || bad "spark offsets" "got '$got' want '$want'"

# --- kill -9 of Kappa mid-run, restart: equals the uninterrupted run ---------------------------
# (the real process in the background, not a shell function's subshell: kill -9 must hit it)
"$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL" --out "$W/k-kill" --watermark 10m \
    --output-mode update --durability fsync &
pid=$!
if wait_commits "$W/k-kill" 150 $pid; then
    kill -9 $pid; wait $pid 2> /dev/null
    n=$(count_commits "$W/k-kill")
    restart_equals "$W/k-kill" && ok "kill -9 after $n batches + restart == uninterrupted" || bad "kill -9 + restart" "$(cat "$W/k-kill.err")"
else
    wait $pid; bad "kill -9" "the run ended before 150 batches"
fi

# --- Lambda on Kafka: the same run as on the log (serving answer, master dataset with the
# dataset's line numbers, every job's virtual times and discrepancy), whose final answer is
# the truth; the discrepancy's truth reads the run's mirror of the topic (RUN/source/log),
# which holds the dataset's log byte for byte
lambda --source "$URL" --out "$W/l-kafka" && lambda_equals "$W/l-kafka" && same "$W/l-kafka.csv" "$W/truth.csv" \
    && cat "$DS"/log/p-*.jsonl | cmp -s - <(cat "$W/l-kafka"/source/log/p-*.jsonl) \
    && ok "lambda --source kafka:// == lambda --data (results, master, jobs) == lklab truth" || bad "lambda kafka == log"
# its latencies, measured against the truth of its mirror, are the log-sourced run's
"$LK" latency --run "$W/l-log" --format json > "$W/l-log.lat" && "$LK" latency --run "$W/l-kafka" --format json > "$W/l-kafka.lat" \
    && same "$W/l-kafka.lat" "$W/l-log.lat" && ok "lklab latency on the kafka:// lambda run == on the log-sourced run" \
    || bad "lambda kafka latency" "$(head -c 300 "$W/l-kafka.lat")"

lambda --source "$URL-lpaced" --out "$W/l-paced" &
pid=$!
sleep 1
"$LK" replay --data "$DS" --to "$URL-lpaced" --speed 20000x --quiet && wait $pid && lambda_equals "$W/l-paced" \
    && ok "lambda started before a paced replay == lambda --data" || bad "lambda before a paced replay"

# killed inside batch job 2 (after the mirror was written), and kill -9 at a moment the
# test does not choose: each restart ends equal to the log-sourced run
lambda --source "$URL" --out "$W/l-crash" --crash-after batch:2 2> /dev/null
lambda --source "$URL" --out "$W/l-crash" && lambda_equals "$W/l-crash" \
    && ok "lambda --crash-after batch:2 + restart == lambda --data" || bad "lambda crash batch:2 + restart"
"$LK" lambda --pipeline revenue --quiet --source "$URL" --out "$W/l-kill" &
pid=$!
wait_jobs "$W/l-kill" 500 $pid
if kill -9 $pid 2> /dev/null; then
    wait $pid 2> /dev/null
    n=$(wc -l < "$W/l-kill/metrics.jsonl")
    lambda --source "$URL" --out "$W/l-kill" && lambda_equals "$W/l-kill" \
        && ok "lambda kill -9 after $n jobs + restart == lambda --data" || bad "lambda kill -9 + restart"
else
    bad "lambda kill -9" "the run ended before 500 jobs"
fi

"$LK" lambda --pipeline revenue --quiet --source "$URL" --out "$W/l-follow" --follow &
pid=$!
sleep 8
if kill -0 $pid 2> /dev/null; then
    kill -TERM $pid; wait $pid 2> /dev/null
    lambda --source "$URL" --out "$W/l-follow" && lambda_equals "$W/l-follow" \
        && ok "lambda --follow keeps waiting; restarted without it == lambda --data" || bad "lambda --follow restart"
else
    bad "lambda --follow" "the run ended by itself"
fi

# --- the broker goes away mid-run: one line, exit 4; back: the restart loses/doubles nothing ---
# (a shallow prefetch, so that records are still due at the broker when it goes)
LKLAB_KAFKA_CONF=queued.min.messages=200,max.partition.fetch.bytes=16384,queued.max.messages.kbytes=64 LKLAB_KAFKA_TIMEOUT_MS=3000 "$LK" kappa --pipeline revenue --trigger 1m --quiet --source "$URL" \
    --out "$W/k-gone" --watermark 10m --output-mode update --durability fsync 2> "$W/gone.err" &
pid=$!
if wait_commits "$W/k-gone" 150 $pid; then
    "$LK" broker stop --dir "$B" 2> /dev/null
    wait $pid; rc=$?
    [ $rc = 4 ] && [ "$(wc -l < "$W/gone.err")" = 1 ] && grep -q "cannot reach the Kafka broker" "$W/gone.err" \
        && ok "broker stopped mid-run: exit 4, one line ($(cat "$W/gone.err"))" || bad "broker gone" "exit $rc: $(cat "$W/gone.err")"
    start_broker "$B" && [ "$("$LK" broker port --dir "$B")" = "$PORT" ] || bad "broker restart on the same port"
    restart_equals "$W/k-gone" && ok "broker back, restart == uninterrupted (the topic survived the broker restart)" || bad "restart after broker restart" "$(cat "$W/k-gone.err")"
else
    wait $pid; bad "broker gone" "the run ended before 150 batches"
fi
# the same for Lambda (its speed layer and its mirror read the topic through the same
# client): stopped after 20 of its ~7,800 jobs, the run (3.6 s with this prefetch) is
# still reading when the broker goes
LKLAB_KAFKA_CONF=queued.min.messages=200,max.partition.fetch.bytes=16384,queued.max.messages.kbytes=64 LKLAB_KAFKA_TIMEOUT_MS=3000 \
    "$LK" lambda --pipeline revenue --quiet --source "$URL" --out "$W/l-gone" 2> "$W/lgone.err" &
pid=$!
wait_jobs "$W/l-gone" 20 $pid
"$LK" broker stop --dir "$B" 2> /dev/null
wait $pid; rc=$?
[ $rc = 4 ] && [ "$(wc -l < "$W/lgone.err")" = 1 ] && grep -q "cannot reach the Kafka broker" "$W/lgone.err" \
    && ok "lambda: broker stopped mid-run: exit 4, one line" || bad "lambda broker gone" "exit $rc: $(cat "$W/lgone.err")"
start_broker "$B" && [ "$("$LK" broker port --dir "$B")" = "$PORT" ] || bad "broker restart on the same port"
lambda --source "$URL" --out "$W/l-gone" && lambda_equals "$W/l-gone" \
    && ok "lambda: broker back, restart == lambda --data" || bad "lambda restart after broker restart"

# --- no broker at all: one line, exit 4 -------------------------------------------------------
"$LK" broker stop --dir "$B" 2> /dev/null
LKLAB_KAFKA_TIMEOUT_MS=2000 kappa --source "$URL" --out "$W/k-none" --watermark none --output-mode update 2> "$W/err"; rc=$?
[ $rc = 4 ] && [ "$(wc -l < "$W/err")" = 1 ] && ok "no broker: exit 4, one line" || bad "no broker" "exit $rc: $(cat "$W/err")"
"$LK" broker stop --dir "$B" 2> "$W/err"; rc=$?
[ $rc = 3 ] && ok "stop without a broker: exit 3" || bad "stop twice" "exit $rc"

# --- lklab live: broker, replay (a day in 29 s), both Kappa queries and Lambda on the topic,
# the dashboard; it shows each run's lag behind the replay, stops what it started, and its
# runs end equal to the truth of the day it generated
brokers+=("$W/live/broker")
"$LK" live --events 5000 --speed 3000x --out "$W/live" > "$W/live.out" 2>&1 \
    && grep -Eq "behind the replay: kappa-update [0-9.]+ s; kappa-append [0-9.]+ s; lambda [0-9.]+ s" "$W/live.out" \
    && "$LK" truth --data "$W/live/data" --pipeline revenue --out "$W/live-truth.csv" 2> /dev/null \
    && export_csv "$W/live/lambda" "$W/live-lambda.csv" && same "$W/live-lambda.csv" "$W/live-truth.csv" \
    && export_csv "$W/live/kappa-update" "$W/live-update.csv" && same "$W/live-update.csv" "$W/live-truth.csv" \
    && grep -q '"data":[[:space:]]*"kafka://' "$W/live/lambda/run.json" \
    && ok "lklab live: Lambda and Kappa update on the topic == lklab truth" || bad "lklab live" "$(tail -5 "$W/live.out")"

# --- usage -----------------------------------------------------------------------------------
kappa --source kafka://nohost/x --out "$W/u" 2> "$W/err"; rc=$?
[ $rc = 2 ] && ok "bad Kafka URL: exit 2" || bad "bad URL" "exit $rc"
kappa --data "$DS" --source "$URL" --out "$W/u" 2> "$W/err"; rc=$?
[ $rc = 2 ] && ok "--data beside a live source: exit 2" || bad "--data + live" "exit $rc"
kappa --data "$DS" --follow --out "$W/u" 2> "$W/err"; rc=$?
[ $rc = 2 ] && ok "--follow without a live source: exit 2" || bad "--follow" "exit $rc"
lambda --data "$DS" --source "$URL" --out "$W/u" 2> "$W/err"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$W/err")" = 1 ] && ok "lambda: --data beside a live source: exit 2, one line" || bad "lambda --data + live" "exit $rc"

# --- landing: the replay's files, taken once the replay ended ----------------------------------
kappa --data "$DS" --source files --out "$W/files" --watermark 10m --output-mode update --durability process \
    && export_csv "$W/files" "$W/files.csv" || bad "files source"
"$LK" replay --data "$DS" --to "landing:$W/drops" --speed 200000x --quiet &
rp=$!
kappa --source "landing:$W/drops" --out "$W/k-landing" --watermark 10m --output-mode update --durability process 2> /dev/null \
    && wait $rp && export_csv "$W/k-landing" "$W/k-landing.csv" && same "$W/k-landing.csv" "$W/files.csv" \
    && ok "landing: replay + kappa --source landing:DIR == the files source" || bad "landing replay"

echo "live-test: $pass passed, $fail failed"
# the brokers' logs and the runs (240 MB) stay for a look only when a check failed
if [ $fail = 0 ]; then stop_all; brokers=(); rm -rf "$W"; fi
[ $fail = 0 ]
