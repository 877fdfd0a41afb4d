#!/usr/bin/env bash
# The Kafka source's throughput into Kappa beside the file source (docs/live.md
# "Throughput"): a dataset replayed at --speed max into a broker of its own, then the same
# Kappa query (1h trigger, 10m watermark, append, no fsync) over the topic and over the
# log files; prints events/s of each. BENCH_LIVE_EVENTS=N sets the dataset size (1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
LK=${LKLAB_BIN:-$PWD/bin/lklab}
N=${BENCH_LIVE_EVENTS:-1000000}
W=out/bench-live
rm -rf "$W"
mkdir -p "$W"
trap '"$LK" broker stop --dir "$W/broker" 2> /dev/null || true' EXIT
"$LK" gen --scenario clickstream --events "$N" --out "$W/ds" --quiet
lines=$(cat "$W"/ds/log/p-*.jsonl | wc -l)
port=$("$LK" broker start --dir "$W/broker" | cut -d: -f2)
url=kafka://127.0.0.1:$port/bench
t0=$(date +%s.%N)
"$LK" replay --data "$W/ds" --to "$url" --speed max --quiet
t1=$(date +%s.%N)
q=(--pipeline revenue --trigger 1h --watermark 10m --durability process --quiet)
"$LK" kappa --source "$url" --out "$W/k-kafka" "${q[@]}"
t2=$(date +%s.%N)
"$LK" kappa --data "$W/ds" --out "$W/k-log" "${q[@]}"
t3=$(date +%s.%N)
rate() { echo "$lines $1 $2" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }
echo "bench-live: $lines lines; replay into Kafka $(rate "$t0" "$t1") lines/s;" \
    "Kappa from Kafka $(rate "$t1" "$t2") events/s; Kappa from the log files $(rate "$t2" "$t3") events/s"
"$LK" results --run "$W/k-kafka" --out "$W/kafka.csv"
"$LK" results --run "$W/k-log" --out "$W/log.csv"
cmp -s "$W/kafka.csv" "$W/log.csv" && echo "bench-live: the two answers are equal" \
    || { echo "bench-live: the answers differ" >&2; exit 1; }
