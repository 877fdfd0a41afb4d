#!/usr/bin/env python3
"""make spark-check: real Spark (pyspark, local mode) checks lklab on generated data.

For each case below, `lklab export spark` writes the job, which runs on pyspark with
--trigger available-now and maxFilesPerTrigger beside `lklab kappa --source files --trigger
available-now --max-files-per-trigger N` over the same landing files, in the same order
(Spark takes the oldest modification time first, lklab the first name: the files are
copied with modification times in name order). Then:
  - update and complete, no watermark: Spark's answer = `lklab truth` (reconcile exit 0);
  - append with a watermark: Spark's rows = lklab's rows; Spark's numRowsDroppedByWatermark
    total = what lklab's `late` table predicts for it; the watermark of every batch in
    Spark's progress JSON = lklab's progress table;
  - every case: Spark's batches = lklab's, and its malformed count = lklab's quarantine.
One Spark session (one JVM) runs every case. docs/spark.md explains each comparison.
Usage: check.py --lklab bin/lklab --out out/spark-check [--cases a,b]
"""
import argparse
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES_PER_TRIGGER = 10
# name: (pipeline, output mode, watermark)
CASES = {
    "revenue-update": ("revenue", "update", "none"),
    "revenue-complete": ("revenue", "complete", "none"),
    "revenue-append": ("revenue", "append", "10m"),
    "sliding-update": ("sliding", "update", "none"),
    "sliding-append": ("sliding", "append", "10m"),
    "sessions-complete": ("sessions", "complete", "none"),
    "sessions-append": ("sessions", "append", "10m"),
}
failures = []


def sh(*cmd, ok=(0,)):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in ok:
        sys.exit("spark-check: %s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


def expect(case, what, spark, lklab):
    if spark == lklab:
        print("  ok    %-18s %s: %s" % (case, what, spark if len(str(spark)) < 60 else "equal"))
    else:
        print("  FAIL  %-18s %s: Spark %s, lklab %s" % (case, what, spark, lklab))
        failures.append((case, what))


def table(lklab, run, name):
    out = sh(lklab, "results", "--run", run, "--table", name, "--out", "-").stdout
    return list(csv.DictReader(out.splitlines()))


def make_dataset(lklab, out):
    """Small, with late data (minutes to hours), re-deliveries and every kind of malformed line."""
    ds = os.path.join(out, "ds")
    sh(lklab, "gen", "--scenario", "clickstream", "--events", "3000", "--span", "2h",
       "--tenants", "4", "--keys", "200", "--drop-every", "5m", "--late-frac", "0.1",
       "--dup-frac", "0.05", "--malformed-frac", "0.02", "--quiet", "--out", ds)
    landing = os.path.join(out, "landing")
    shutil.rmtree(landing, ignore_errors=True)
    os.makedirs(landing)
    base = 1767225600  # modification times one second apart, in name order
    for i, name in enumerate(sorted(os.listdir(os.path.join(ds, "landing")))):
        dst = os.path.join(landing, name)
        shutil.copyfile(os.path.join(ds, "landing", name), dst)
        os.utime(dst, (base + i, base + i))
    return ds, landing


def spark_dropped_expected(late_rows, first_batch, group_by):
    """What Spark's numRowsDroppedByWatermark sums to, from lklab's `late` table.

    Spark filters late rows after the partial aggregation, so it counts (group, window)
    keys per batch, not events; and its dedup runs first, so a late copy of an event seen
    in an earlier batch is dropped as a duplicate and not counted (docs/spark.md).
    """
    keys = set()
    for r in late_rows:
        if first_batch[r["event_id"]] < int(r["batch_id"]):
            continue
        keys.add((r["batch_id"], r["window_start"]) + tuple(r[g] for g in group_by))
    return len(keys)


def first_batches(ds, progress_rows):
    """event_id -> the batch that first took a copy (files in name order, N per batch)."""
    names = sorted(os.listdir(os.path.join(ds, "landing")))
    first = {}
    for i, name in enumerate(names):
        with open(os.path.join(ds, "landing", name), "rb") as f:
            for line in f:
                try:
                    eid = json.loads(line)["event_id"]
                except (ValueError, KeyError, TypeError):
                    continue
                first.setdefault(eid, i // FILES_PER_TRIGGER)
    return first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lklab", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", default=",".join(CASES))
    args = ap.parse_args()
    lklab = os.path.abspath(args.lklab)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    ds, landing = make_dataset(lklab, args.out)
    cases = args.cases.split(",")
    jobs = {}
    for case in cases:
        pipeline, mode, wm = CASES[case]
        d = os.path.join(args.out, case)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        opts = ["--trigger", "available-now", "--watermark", wm, "--output-mode", mode]
        sh(lklab, "export", "spark", "--pipeline", pipeline, "--out", os.path.join(d, "job.py"),
           "--source", "landing", "--max-files-per-trigger", str(FILES_PER_TRIGGER), *opts)
        sh(lklab, "kappa", "--data", ds, "--pipeline", pipeline, "--out", os.path.join(d, "run"),
           "--source", "files", "--max-files-per-trigger", str(FILES_PER_TRIGGER),
           "--durability", "process", "--quiet", *opts)
        truth = os.path.join(args.out, pipeline + "-truth.csv")
        if not os.path.exists(truth):
            sh(lklab, "truth", "--data", ds, "--pipeline", pipeline, "--out", truth, "--quiet")
        spec = importlib.util.spec_from_file_location("job_" + case.replace("-", "_"),
                                                      os.path.join(d, "job.py"))
        job = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(job)
        jobs[case] = job
    print("spark-check: dataset and lklab runs in %.1fs" % (time.time() - t0))

    t1 = time.time()
    spark = jobs[cases[0]].spark_session("local[2]")
    print("spark-check: Spark session started in %.1fs" % (time.time() - t1))
    for case in cases:
        pipeline, mode, wm = CASES[case]
        d = os.path.join(args.out, case)
        t2 = time.time()
        job = jobs[case]
        summary = job.run(spark, job.parse_args([
            "--input", landing, "--checkpoint", os.path.join(d, "checkpoint"),
            "--output", os.path.join(d, "spark.csv"), "--progress", os.path.join(d, "progress.jsonl")]))
        print("spark-check: %s ran on Spark in %.1fs" % (case, time.time() - t2))
        compare(lklab, ds, args.out, case, summary)
    spark.stop()
    print("spark-check: %d cases in %.1fs" % (len(cases), time.time() - t0))
    if failures:
        sys.exit("spark-check: FAILED: " + ", ".join("%s %s" % f for f in failures))
    print("spark-check: Spark and lklab agree")


def compare(lklab, ds, out, case, summary):
    pipeline, mode, wm = CASES[case]
    d = os.path.join(out, case)
    run = os.path.join(d, "run")
    with open(os.path.join(run, "run.json")) as f:
        totals = json.load(f)["totals"]
    progress = [json.loads(line) for line in open(os.path.join(d, "progress.jsonl"))]
    lk_progress = table(lklab, run, "progress")
    expect(case, "batches", len(progress), len(lk_progress))
    expect(case, "malformed lines (lklab: quarantined)", summary["malformed"], totals["quarantined"])
    expect(case, "lines", summary["lines"], totals["lines"])
    spark_csv = os.path.join(d, "spark.csv")
    if wm == "none":
        r = subprocess.run([lklab, "reconcile", spark_csv, os.path.join(out, pipeline + "-truth.csv")],
                           capture_output=True, text=True)
        expect(case, "reconcile with lklab truth (exit)", r.returncode, 0)
        if r.returncode:
            print(r.stdout[-2000:])
        return
    lk_csv = os.path.join(d, "lklab.csv")
    sh(lklab, "results", "--run", run, "--out", lk_csv)
    expect(case, "append rows (cmp with lklab results)", open(spark_csv).read(), open(lk_csv).read())
    expect(case, "watermark of every batch",
           [p["eventTime"].get("watermark") for p in progress], [p["watermark"] for p in lk_progress])
    late = table(lklab, run, "late")
    with open(os.path.join(ROOT, "datasets", "pipelines", pipeline + ".json")) as f:
        group_by = json.load(f)["group_by"]
    expected = spark_dropped_expected(late, first_batches(ds, lk_progress), group_by)
    expect(case, "numRowsDroppedByWatermark (lklab: late keys; %d late rows)" % len(late),
           summary["dropped_by_watermark"], expected)


if __name__ == "__main__":
    main()
