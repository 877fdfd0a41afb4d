#!/usr/bin/env bash
# make bench: throughput of each stage on the default dataset (1M events), with the
# sqlite3 CLI doing the same aggregation on the same JSONL in the same run as a yardstick.
# Numbers are wall-clock on this machine; run it twice and compare, never assert on them.
set -euo pipefail
cd "$(dirname "$0")/.."
LK=./bin/lklab
OUT=${BENCH_OUT:-out/bench}
EVENTS=${BENCH_EVENTS:-1000000}
DS=$OUT/ds
mkdir -p "$OUT"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

printf 'lklab bench: %s events, %s cores, %s\n' "$EVENTS" "$(nproc)" "$(uname -m)"
printf '%-34s %10s %14s %10s\n' stage seconds events/s MB/s

# 1. gen
t0=$(now)
$LK gen --scenario clickstream --events "$EVENTS" --out "$DS" --quiet
t1=$(now)
bytes=$(cat "$DS"/log/*.jsonl | wc -c)
lines=$(cat "$DS"/log/*.jsonl | wc -l)
s=$(secs "$t0" "$t1")
printf '%-34s %10s %14s %10s\n' "gen (log + landing + manifest)" "$s" "$(rate "$EVENTS" "$s")" \
  "$(awk -v b="$bytes" -v s="$s" 'BEGIN { printf "%.1f", 2 * b / 1e6 / s }')"

# 2. truth (parse included)
t0=$(now)
$LK truth --data "$DS" --pipeline revenue --out "$OUT/truth.csv" --quiet
t1=$(now)
s_truth=$(secs "$t0" "$t1")
printf '%-34s %10s %14s %10s\n' "truth revenue (lklab)" "$s_truth" "$(rate "$lines" "$s_truth")" \
  "$(awk -v b="$bytes" -v s="$s_truth" 'BEGIN { printf "%.1f", b / 1e6 / s }')"

# 3. the same job in the sqlite3 CLI: import the JSONL lines, json_extract, dedup, GROUP BY
cat > "$OUT/sqlite-truth.sql" <<SQL
CREATE TABLE raw(line TEXT);
.mode ascii
.separator "\037" "\n"
$(for f in "$DS"/log/*.jsonl; do echo ".import $f raw"; done)
.mode csv
.headers on
.output $OUT/sqlite-truth.csv
WITH ev AS (
  SELECT rowid AS rid, json_extract(line, '\$.event_id') AS id,
         json_extract(line, '\$.tenant') AS tenant, json_extract(line, '\$.type') AS type,
         json_extract(line, '\$.key') AS key,
         CAST(round(json_extract(line, '\$.value') * 100) AS INTEGER) AS v,
         json_extract(line, '\$.event_time') AS et
  FROM raw WHERE json_valid(line)),
first AS (SELECT * FROM ev WHERE rid IN (SELECT min(rid) FROM ev GROUP BY id))
SELECT tenant, type, strftime('%Y-%m-%dT%H:%M:00.000Z', et) AS window_start,
       strftime('%Y-%m-%dT%H:%M:00.000Z', et, '+1 minute') AS window_end,
       count(*) AS events, printf('%.2f', sum(v) / 100.0) AS value_sum,
       printf('%.2f', min(v) / 100.0) AS value_min, printf('%.2f', max(v) / 100.0) AS value_max,
       count(DISTINCT key) AS distinct_keys
FROM first GROUP BY tenant, type, window_start ORDER BY tenant, type, window_start;
SQL
t0=$(now)
sqlite3 :memory: < "$OUT/sqlite-truth.sql"
t1=$(now)
s_sql=$(secs "$t0" "$t1")
printf '%-34s %10s %14s %10s\n' "truth revenue (sqlite3 CLI)" "$s_sql" "$(rate "$lines" "$s_sql")" \
  "$(awk -v b="$bytes" -v s="$s_sql" 'BEGIN { printf "%.1f", b / 1e6 / s }')"
printf '%-34s %10s\n' "ratio lklab truth / sqlite3" "$(awk -v a="$s_sql" -v b="$s_truth" 'BEGIN { printf "%.1fx", a / b }')"
# The two differ only where the strict event rules reject lines that are valid JSON
# (3 decimals, exponents, bad timestamps): sqlite3 cannot tell.
printf 'rows: lklab %s, sqlite3 %s (sqlite3 keeps lines the strict parser quarantines)\n' \
  "$(($(wc -l < "$OUT/truth.csv") - 1))" "$(($(wc -l < "$OUT/sqlite-truth.csv") - 1))"
# 4. the Kappa engine on the same data: batch is just a long trigger
jnum() { sed -n "s/.*\"$1\":[[:space:]]*\([0-9.]*\).*/\1/p" "$2" | head -1; }
kappa() { # name, extra args
  rm -rf "$OUT/k-$1"
  local t0 t1 s
  t0=$(now)
  $LK kappa --data "$DS" --pipeline revenue --out "$OUT/k-$1" --quiet "${@:2}"
  t1=$(now)
  s=$(secs "$t0" "$t1")
  printf '%-34s %10s %14s %10s   peak RSS %s MB\n' "kappa $1" "$s" "$(rate "$lines" "$s")" \
    "$(awk -v b="$bytes" -v s="$s" 'BEGIN { printf "%.1f", b / 1e6 / s }')" \
    "$(awk -v k="$(jnum peak_rss_kb "$OUT/k-$1/run.json")" 'BEGIN { printf "%.0f", k / 1024 }')"
  eval "s_kappa_${1//[^a-z0-9]/_}=$s"
}
kappa "24h" --trigger 24h
kappa "1m" --trigger 1m
kappa "24h-2workers" --trigger 24h --workers 2
kappa "1h" --trigger 1h
kappa "1h-2workers" --trigger 1h --workers 2
printf '%-34s %10s\n' "ratio kappa 24h / sqlite3" "$(awk -v a="$s_sql" -v b="$s_kappa_24h" 'BEGIN { printf "%.1fx", a / b }')"
printf '%-34s %10s\n' "ratio kappa 1m / kappa 24h (time)" "$(awk -v a="$s_kappa_1m" -v b="$s_kappa_24h" 'BEGIN { printf "%.2fx", a / b }')"
printf '%-34s %10s\n' "speed-up 2 workers (1h trigger)" "$(awk -v a="$s_kappa_1h" -v b="$s_kappa_1h_2workers" 'BEGIN { printf "%.2fx", a / b }')"
if [ -n "${BENCH_BIG:-}" ]; then # peak RSS is bounded by the watermark, not the input size
  $LK gen --scenario clickstream --events 4000000 --out "$OUT/ds4m" --quiet
  for n in 1m 4m; do
    d=$DS; [ $n = 4m ] && d=$OUT/ds4m
    rm -rf "$OUT/k-rss"
    $LK kappa --data "$d" --pipeline revenue --out "$OUT/k-rss" --trigger 1m --quiet
    printf '%-34s peak RSS %s MB\n' "kappa 1m on $n events" \
      "$(awk -v k="$(jnum peak_rss_kb "$OUT/k-rss/run.json")" 'BEGIN { printf "%.0f", k / 1024 }')"
  done
fi
if [ -d out/duckdb/node_modules/@duckdb/node-api ]; then
  echo "duckdb: found under out/duckdb (not wired in yet)"
else
  echo "duckdb: not installed (optional second yardstick)"
fi
for extra in tests/bench-*.sh; do
  [ -x "$extra" ] && "$extra" "$DS" "$OUT"
done
exit 0
