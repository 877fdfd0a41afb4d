/*
 * --workers N: partitions on threads, one global watermark. Every table of the run is
 * byte-identical for any N (output, late, quarantine), and the impossible cases are refused.
 * Several workers read batch N+1 while the driver writes batch N (the read-ahead): the
 * batches they plan (ids, trigger times, counts, watermarks) are those of one worker, with
 * gaps in the input, capped batches and a final watermark, and a kill while it reads
 * recovers exactly, with fsync durability too.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_test.h"
#include "banned.h"

/* Every table of runs r1 and r2 is byte-identical, and has rows (what: for the message). */
static void assert_same_tables(const char *r1, const char *r2, const char *what)
{
    static const char *const tables[] = { "output", "late", "quarantine" };
    for (int t = 0; t < 3; t++) {
        char *x = kpt_results(r1, tables[t]), *y = kpt_results(r2, tables[t]);
        cr_assert(x && y && strcmp(x, y) == 0, "%s: %s differs", what, tables[t]);
        cr_assert(strchr(x, '\n') != strrchr(x, '\n'), "%s: %s has rows", what, tables[t]);
        free(x);
        free(y);
    }
}

static void assert_same_for_any_workers(const char *args, const char *name)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir(name), *r1 = lkt_fmt("%s/w1", dir);
    char *a1 = lkt_fmt("%s --workers 1", args);
    cr_assert_eq(kpt_kappa(ds, "revenue", r1, a1), 0, "kappa %s", a1);
    for (int w = 2; w <= 3; w++) {
        char *rn = lkt_fmt("%s/w%d", dir, w), *an = lkt_fmt("%s --workers %d", args, w);
        cr_assert_eq(kpt_kappa(ds, "revenue", rn, an), 0, "kappa %s", an);
        assert_same_tables(r1, rn, an);
        free(rn);
        free(an);
    }
    free(a1);
    free(r1);
    free(dir);
    free(ds);
}

Test(kp_workers, append_results_are_byte_identical_for_any_worker_count)
{
    assert_same_for_any_workers("--trigger 10m --watermark 1m", "workers-append");
}

Test(kp_workers, update_results_are_byte_identical_for_any_worker_count)
{
    assert_same_for_any_workers("--trigger 1h --watermark 2m --output-mode update",
                                "workers-update");
}

/* The progress table as CSV without its one measured column (duration_ms). */
static char *progress_without_durations(const char *run)
{
    char *csv = kpt_results(run, "progress"), *out, *o;
    const char *p = csv;
    int col = -1, k = 0;
    cr_assert(csv, "progress of %s", run);
    for (const char *h = csv; *h != '\n'; h++) { /* which column is duration_ms */
        if (h == csv || h[-1] == ',') {
            if (strncmp(h, "duration_ms", 11) == 0 && (h[11] == ',' || h[11] == '\n'))
                col = k;
            k++;
        }
    }
    cr_assert_geq(col, 0, "progress has duration_ms");
    out = o = malloc(strlen(csv) + 1);
    for (k = 0; *p; p++) { /* no quoted commas in progress: numbers and ISO times */
        if (k != col || *p == '\n')
            *o++ = *p;
        if (*p == ',')
            k++;
        else if (*p == '\n')
            k = 0;
    }
    *o = '\0';
    free(csv);
    return out;
}

/* args with 1 and 2 workers: the same batches and tables; `worth` (SQL) counts what makes it a
 * case. */
static void assert_same_batches(const char *args, const char *name, const char *worth)
{
    char *ds = kpt_dataset(), *dir = lkt_tmpdir(name);
    char *r1 = lkt_fmt("%s/w1", dir), *r2 = lkt_fmt("%s/w2", dir);
    char *a1 = lkt_fmt("%s --workers 1", args), *a2 = lkt_fmt("%s --workers 2", args), *x, *y;
    cr_assert_eq(kpt_kappa(ds, "revenue", r1, a1), 0);
    cr_assert_eq(kpt_kappa(ds, "revenue", r2, a2), 0);
    cr_assert_gt(lkt_query_int(r1, worth), 0, "%s: %s", args, worth);
    x = progress_without_durations(r1);
    y = progress_without_durations(r2);
    cr_assert_str_eq(y, x, "%s: the batches of 2 workers differ from 1 worker's", args);
    free(x);
    free(y);
    assert_same_tables(r1, r2, a2);
    free(a1);
    free(a2);
    free(r1);
    free(r2);
    free(dir);
    free(ds);
}

Test(kp_workers, the_read_ahead_plans_the_same_batches_as_one_worker)
{
    /* capped batches (a backlog), then the final watermark's batch */
    assert_same_batches(
        "--trigger 10m --watermark 1m --max-events-per-trigger 60 --final-watermark",
        "readahead-capped", "SELECT count(*) FROM progress WHERE input_rows = 60");
    /* triggers skipped over the gaps in the input, no-data batches, update mode */
    assert_same_batches("--trigger 10m --watermark 1m --output-mode update", "readahead-gaps",
                        "SELECT count(*) FROM progress p JOIN progress q ON q.batch_id = "
                        "p.batch_id + 1 AND q.trigger_time - p.trigger_time > 600000");
}

/* fsync durability, two workers, a kill in batch 7 while the workers read batch 8. */
Test(kp_workers, a_kill_while_the_workers_read_ahead_recovers_exactly)
{
    kpt_crash_and_recover("--trigger 10m --watermark 10m", "--workers 2", "processed");
    kpt_crash_and_recover("--trigger 10m --watermark 10m", "--workers 2", "sink-committed");
}

Test(kp_workers, a_pipeline_not_grouped_by_tenant_or_a_continuous_trigger_is_refused)
{
    char *err = NULL, *dir = lkt_tmpdir("workers-refused"), *spec = lkt_fmt("%s/by-type.json", dir);
    lkt_write(spec,
              "{\"name\":\"by_type\",\"group_by\":[\"type\"],\"window\":{\"kind\":"
              "\"tumbling\",\"size\":\"1m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}");
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --data %s/datasets/fixtures/tiny.jsonl --pipeline %s"
                         " --out %s/run --workers 2",
                         lkt_root(), spec, dir),
                 2);
    cr_assert(strstr(err, "--workers 2 needs a pipeline grouped by tenant"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --data %s/datasets/fixtures/tiny.jsonl --pipeline revenue"
                         " --out %s/run --workers 2 --trigger continuous",
                         lkt_root(), dir),
                 2);
    cr_assert(strstr(err, "--trigger continuous runs one event at a time"), "%s", err);
    free(err);
    free(spec);
    free(dir);
}

Test(kp_workers, a_dataset_not_partitioned_by_tenant_is_refused_by_line)
{
    char *err = NULL, *dir = lkt_tmpdir("workers-badpart");
    char *ds = lkt_fmt("%s/ds", dir), *logdir = lkt_fmt("%s/ds/log", dir);
    char *p0 = lkt_fmt("%s/p-00000.jsonl", logdir), *p1 = lkt_fmt("%s/p-00001.jsonl", logdir);
    char *cmd = lkt_fmt("mkdir -p %s && cp %s/datasets/fixtures/tiny.jsonl %s && cp %s %s", logdir,
                        lkt_root(), p0, p0, p1);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(NULL, &err,
                         "kappa --quiet --data %s --pipeline revenue --out %s/run"
                         " --workers 2",
                         ds, dir),
                 3);
    cr_assert(strstr(err, "not partitioned by hash(tenant)"), "%s", err);
    free(cmd);
    free(p0);
    free(p1);
    free(logdir);
    free(ds);
    free(err);
    free(dir);
}
