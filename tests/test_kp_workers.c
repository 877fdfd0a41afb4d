/*
 * --workers N: partitions on threads, one global watermark. Every table of the run is
 * byte-identical for any N (output, late, quarantine), and the impossible cases are refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_test.h"
#include "banned.h"

static char *table_of(const char *ds, const char *run, const char *args, const char *table)
{
    cr_assert_eq(kpt_kappa(ds, "revenue", run, args), 0, "kappa %s", args);
    return kpt_results(run, table);
}

static void assert_same_for_any_workers(const char *args, const char *name)
{
    static const char *const tables[] = { "output", "late", "quarantine" };
    char *ds = kpt_dataset(), *dir = lkt_tmpdir(name);
    for (int w = 2; w <= 3; w++) {
        char *r1 = lkt_fmt("%s/w1-%d", dir, w), *rn = lkt_fmt("%s/w%d", dir, w);
        char *a1 = lkt_fmt("%s --workers 1", args), *an = lkt_fmt("%s --workers %d", args, w);
        for (int t = 0; t < 3; t++) {
            char *x = table_of(ds, r1, a1, tables[t]), *y = table_of(ds, rn, an, tables[t]);
            cr_assert(x && y && strcmp(x, y) == 0, "%s differs with %d workers", tables[t], w);
            cr_assert(strchr(x, '\n') != strrchr(x, '\n'), "%s has rows", tables[t]);
            free(x);
            free(y);
        }
        free(r1);
        free(rn);
        free(a1);
        free(an);
    }
    free(dir);
    free(ds);
}

Test(kp_workers, append_results_are_byte_identical_for_any_worker_count)
{
    assert_same_for_any_workers("--trigger 10m --watermark 1m", "workers-append");
}

Test(kp_workers, update_results_are_byte_identical_for_any_worker_count)
{
    assert_same_for_any_workers("--trigger 1h --watermark 2m --output-mode update", "workers-update");
}

Test(kp_workers, a_pipeline_not_grouped_by_tenant_or_a_continuous_trigger_is_refused)
{
    char *err = NULL, *dir = lkt_tmpdir("workers-refused"), *spec = lkt_fmt("%s/by-type.json", dir);
    FILE *fp = fopen(spec, "w");
    fputs("{\"name\":\"by_type\",\"group_by\":[\"type\"],\"window\":{\"kind\":\"tumbling\","
          "\"size\":\"1m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}", fp);
    fclose(fp);
    cr_assert_eq(lkt_run(NULL, &err, "kappa --data %s/datasets/fixtures/tiny.jsonl --pipeline %s"
                                     " --out %s/run --workers 2", lkt_root(), spec, dir), 2);
    cr_assert(strstr(err, "--workers 2 needs a pipeline grouped by tenant"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "kappa --data %s/datasets/fixtures/tiny.jsonl --pipeline revenue"
                                     " --out %s/run --workers 2 --trigger continuous", lkt_root(), dir), 2);
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
    char *cmd = lkt_fmt("mkdir -p %s && cp %s/datasets/fixtures/tiny.jsonl %s && cp %s %s",
                        logdir, lkt_root(), p0, p0, p1);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(lkt_run(NULL, &err, "kappa --quiet --data %s --pipeline revenue --out %s/run"
                                     " --workers 2", ds, dir), 3);
    cr_assert(strstr(err, "not partitioned by hash(tenant)"), "%s", err);
    free(cmd);
    free(p0);
    free(p1);
    free(logdir);
    free(ds);
    free(err);
    free(dir);
}
