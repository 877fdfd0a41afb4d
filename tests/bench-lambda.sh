#!/usr/bin/env bash
# Lambda part of `make bench` (called by tests/bench.sh as: tests/bench-lambda.sh DS OUT).
# Runs `lklab lambda --batch-every 6h` over dataset DS and prints, from RUN/metrics.jsonl:
#   - the speed layer's throughput (events per second of measured micro-batch time), and
#   - every batch job's measured time against the size of the master dataset it rescans
#     (the series grows with the master dataset: that is the batch layer's cost).
# Wall-clock numbers on this machine; compare runs, never assert on them. Writes
# OUT/lambda.summary (wall=, max_job_ms=, truth_s=) for the targets table of tests/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
DS=${1:?usage: tests/bench-lambda.sh DATASET OUTDIR}
OUT=${2:?usage: tests/bench-lambda.sh DATASET OUTDIR}
RUN=$OUT/lambda-run
LK=./bin/lklab
rm -rf "$RUN"
mkdir -p "$OUT"

# lklab truth on the same data right before, for the targets table (adjacent timings are
# what a shared machine can compare: its load changes within a bench)
t0=$(date +%s.%N)
$LK truth --data "$DS" --pipeline revenue --out "$OUT/lambda-truth.csv" --quiet
t1=$(date +%s.%N)
truth=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
t0=$(date +%s.%N)
$LK lambda --data "$DS" --pipeline revenue --out "$RUN" --batch-every 6h --quiet
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

# Flat JSON lines: pull a numeric member out with awk.
awk -v wall="$wall" '
function num(line, name,   m) {
  if (match(line, "\"" name "\":[-0-9.e+]+")) return substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 3) + 0
  return 0
}
/"layer":"speed"/ { sev += num($0, "input_rows"); sms += num($0, "duration_ms"); smb++ }
/"layer":"batch"/ {
  n++; job[n] = num($0, "job"); rows[n] = num($0, "master_rows"); ms[n] = num($0, "duration_ms")
  out[n] = num($0, "rows_written"); dr[n] = num($0, "discrepancy_rows"); fin[n] = ($0 ~ /"final":true/)
}
END {
  printf "%-34s %10s %14s\n", "lambda revenue --batch-every 6h", wall, "(wall s, whole run)"
  printf "%-34s %10.2f %14.0f   (%d micro-batches, %d events)\n", "  speed layer (measured)", sms / 1000,
         (sms > 0 ? sev / (sms / 1000) : 0), smb, sev
  printf "  batch jobs: master rows -> measured job time (rescans the whole master dataset)\n"
  printf "  %4s %12s %12s %12s %10s %12s\n", "job", "master_rows", "job_ms", "us/row", "rows_out", "discrepancy"
  grows = 1
  for (i = 1; i <= n; i++) {
    printf "  %4d %12d %12.1f %12.2f %10d %12d%s\n", job[i], rows[i], ms[i], (rows[i] ? 1000 * ms[i] / rows[i] : 0),
           out[i], dr[i], fin[i] ? "  (final)" : ""
    if (i > 1 && rows[i] > 2 * rows[1] && ms[i] <= ms[1]) grows = 0
  }
  printf "  batch job time grows with the master dataset: %s\n", grows ? "yes" : "NO (check the machine)"
}' "$RUN/metrics.jsonl"
# For the targets table of tests/bench.sh: the run's wall time and its largest batch job.
awk -v wall="$wall" -v truth="$truth" '
/"layer":"batch"/ && match($0, "\"duration_ms\":[-0-9.e+]+") {
  ms = substr($0, RSTART + 14, RLENGTH - 14) + 0; if (ms > max) max = ms
}
END { printf "wall=%s\nmax_job_ms=%.1f\ntruth_s=%s\n", wall, max, truth }' "$RUN/metrics.jsonl" \
  > "$OUT/lambda.summary"
