#!/usr/bin/env bash
# Spark part of `make bench` (called by tests/bench.sh as: tests/bench-spark.sh DS OUT).
# The same job on the same data in lklab and in Spark local[2]: the revenue pipeline,
# available-now, append, 10m watermark, exported by `lklab export spark`, over the dataset's
# log partitions (a few big JSONL files; lklab: --source log). Prints Spark's start-up (JVM
# + session) apart from its run, lklab's time, the ratios, and whether the two answers are
# byte-identical. BENCH_SPARK_LANDING=1 also runs both over the landing files (thousands of
# small files: ~50 ms each in Spark on the lab VM, so ~5 minutes for the default dataset's
# ~5,700 files; lklab: --source files). Needs `make spark-deps` (pyspark in out/spark/venv);
# without it the section says so and is skipped.
# Wall-clock numbers on this machine; compare runs, never assert on them.
set -euo pipefail
cd "$(dirname "$0")/.."
DS=${1:?usage: tests/bench-spark.sh DATASET OUTDIR}
OUT=${2:?usage: tests/bench-spark.sh DATASET OUTDIR}/spark
PY=out/spark/venv/bin/python
LK=./bin/lklab
if [ ! -x "$PY" ]; then
  echo "spark: not installed (make spark-deps puts pyspark in out/spark/venv)"
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
OPTS=(--trigger available-now --watermark 10m --output-mode append)
$LK export spark --pipeline revenue --out "$OUT/job.py" "${OPTS[@]}"
lines=$(cat "$DS"/log/*.jsonl | wc -l)
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

# The job in Spark: start-up and run timed apart, written to OUT/times-NAME.
cat > "$OUT/bench.py" <<'PY'
import importlib.util, os, sys, time
out, data, name = sys.argv[1], sys.argv[2], sys.argv[3]
spec = importlib.util.spec_from_file_location("job", os.path.join(out, "job.py"))
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)
t0 = time.time()
spark = job.spark_session("local[2]")
t1 = time.time()
job.run(spark, job.parse_args(["--input", data, "--checkpoint", os.path.join(out, "ckpt-" + name),
                               "--output", os.path.join(out, "spark-%s.csv" % name)]))
t2 = time.time()
spark.stop()
print("%.3f %.3f" % (t1 - t0, t2 - t1))
PY

bench() { # name (= lklab --source), Spark input directory
  local t0 t1 s_lk s_start s_run
  t0=$(date +%s.%N)
  $LK kappa --data "$DS" --pipeline revenue --source "$1" --out "$OUT/k-$1" --quiet "${OPTS[@]}"
  t1=$(date +%s.%N)
  $LK results --run "$OUT/k-$1" --out "$OUT/lklab-$1.csv"
  s_lk=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  if ! "$PY" "$OUT/bench.py" "$OUT" "$2" "$1" > "$OUT/times-$1" 2> "$OUT/spark-$1.log"; then
    echo "spark: failed, skipped ($(grep -v WARN "$OUT/spark-$1.log" | tail -1))"
    return 0
  fi
  read -r s_start s_run < "$OUT/times-$1"
  printf '%-34s %10s %14s\n' "kappa revenue $1 (lklab)" "$s_lk" "$(rate "$lines" "$s_lk")"
  printf '%-34s %10s\n' "spark local[2] start-up" "$s_start"
  printf '%-34s %10s %14s\n' "spark local[2] revenue $1" "$s_run" "$(rate "$lines" "$s_run")"
  printf '%-34s %10s\n' "ratio spark run / lklab" \
    "$(awk -v a="$s_run" -v b="$s_lk" 'BEGIN { printf "%.1fx", a / b }')"
  printf '%-34s %10s\n' "ratio spark with start-up / lklab" \
    "$(awk -v a="$s_run" -v c="$s_start" -v b="$s_lk" 'BEGIN { printf "%.1fx", (a + c) / b }')"
  if cmp -s "$OUT/spark-$1.csv" "$OUT/lklab-$1.csv"; then
    echo "rows: $(($(wc -l < "$OUT/lklab-$1.csv") - 1)), byte-identical in Spark and lklab"
  else
    echo "rows: Spark and lklab DIFFER (cmp $OUT/spark-$1.csv $OUT/lklab-$1.csv)"
  fi
}

bench log "$DS/log"
if [ "${BENCH_SPARK_LANDING:-0}" = 1 ]; then
  bench files "$DS/landing"
fi
