/*
 * lb_test - helpers shared by the Lambda tests (tests/test_lb_*.c), header-only because
 * the Makefile compiles tests/test_*.c and tests/lk_test.c only. Every helper fails the
 * calling test (cr_assert) instead of returning an error.
 */
#ifndef LB_TEST_H
#define LB_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_results.h"
#include "lk_json.h"
#include "lk_spec.h"
#include "lk_test.h"
#include "lk_time.h"
#include "lk_truth.h"

/* An instant from ISO text ("end" = LK_TIME_POS_INF). */
static inline int64_t lbt_time(const char *iso)
{
    int64_t t;
    if (strcmp(iso, "end") == 0)
        return LK_TIME_POS_INF;
    cr_assert_eq(lk_time_parse(iso, strlen(iso), &t), 0, "bad time '%s'", iso);
    return t;
}

/* A table of a Lambda run at a virtual time, as the canonical CSV (heap). */
static inline char *lbt_export(const char *run, const char *table, int64_t at)
{
    struct lk_err err = LK_ERR_INIT;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int rc = lb_results_export(run, table, at, fp, &err);
    fclose(fp);
    cr_assert_eq(rc, 0, "export %s of %s: %s", table, run, err.msg);
    return buf;
}

/* lk_truth over the events that arrived by `at`, as the canonical CSV (heap). */
static inline char *lbt_truth(const char *data, const char *spec_path, int64_t at)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_spec spec;
    struct lk_result *r;
    struct lk_truth_stats st;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;
    cr_assert_eq(lk_spec_load(&spec, spec_path, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_truth_eval(&spec, data, at, &r, &st, NULL, NULL, &err), 0, "%s", err.msg);
    fp = open_memstream(&buf, &len);
    lk_result_write_csv(r, fp);
    fclose(fp);
    lk_result_free(r);
    return buf;
}

/* Path of a named pipeline spec (heap). */
static inline char *lbt_pipeline(const char *name)
{
    return lkt_fmt("%s/datasets/pipelines/%s.json", lkt_root(), name);
}

/* Generate a dataset DIR/ds with extra gen options; returns its path (heap). */
static inline char *lbt_gen(const char *dir, const char *opts)
{
    char *ds = lkt_fmt("%s/ds", dir), *err = NULL;
    int rc = lkt_run(NULL, &err, "gen --scenario clickstream --quiet --out %s %s", ds, opts);
    cr_assert_eq(rc, 0, "gen failed: %s", err ? err : "?");
    free(err);
    return ds;
}

/* Run lklab lambda with the given arguments; returns the exit code, *err its stderr. */
#define lbt_lambda(errp, ...) lkt_run(NULL, (errp), "lambda --quiet " __VA_ARGS__)

/* Write text to path. */
static inline void lbt_write(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp, "cannot write %s", path);
    fputs(text, fp);
    fclose(fp);
}

/* An integer member of an object member of RUN/run.json ("totals", "lines"). */
static inline int64_t lbt_runjson_int(const char *run, const char *obj, const char *name)
{
    char *path = lkt_fmt("%s/run.json", run);
    cJSON *root, *o, *v;
    int64_t out;
    cr_assert_eq(lk_json_read_file(path, &root, NULL), 0, "cannot read %s", path);
    o = cJSON_GetObjectItemCaseSensitive(root, obj);
    v = o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
    cr_assert(cJSON_IsNumber(v), "%s.%s missing in %s", obj, name, path);
    out = (int64_t)v->valuedouble;
    cJSON_Delete(root);
    free(path);
    return out;
}

#endif
