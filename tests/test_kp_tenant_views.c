/*
 * lklab kappa --tenant-views: one SQLite view per tenant over the output (issue 5, the
 * multi-tenant scenario), made for real, with tenant values that are hostile as SQL.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_sink.h"
#include "kp_test.h"
#include "banned.h"

/* datasets/fixtures/tenants.jsonl plus tenants that differ only in case, and one with a
 * double quote and one with a SQL injection that ends in a quote. */
static const char extra[] =
    "{\"event_id\":\"n-7\",\"tenant\":\"A\",\"key\":\"k1\",\"type\":\"click\",\"value\":7,"
    "\"event_time\":\"2026-01-01T00:04:00Z\",\"arrival_time\":\"2026-01-01T00:04:01Z\"}\n"
    "{\"event_id\":\"n-8\",\"tenant\":\"a\",\"key\":\"k1\",\"type\":\"click\",\"value\":8,"
    "\"event_time\":\"2026-01-01T00:04:02Z\",\"arrival_time\":\"2026-01-01T00:04:03Z\"}\n"
    "{\"event_id\":\"n-9\",\"tenant\":\"a\",\"key\":\"k1\",\"type\":\"view\",\"value\":9,"
    "\"event_time\":\"2026-01-01T00:04:04Z\",\"arrival_time\":\"2026-01-01T00:04:05Z\"}\n"
    "{\"event_id\":\"n-10\",\"tenant\":\"x'; DROP TABLE output; --\",\"key\":\"k1\","
    "\"type\":\"click\",\"value\":1,\"event_time\":\"2026-01-01T00:05:00Z\","
    "\"arrival_time\":\"2026-01-01T00:05:01Z\"}\n"
    "{\"event_id\":\"n-11\",\"tenant\":\"q\\\"t\",\"key\":\"k1\",\"type\":\"click\",\"value\":1,"
    "\"event_time\":\"2026-01-01T00:05:02Z\",\"arrival_time\":\"2026-01-01T00:05:03Z\"}\n"
    "{\"event_id\":\"n-12\",\"tenant\":\"evil'\",\"key\":\"k1\",\"type\":\"click\",\"value\":1,"
    "\"event_time\":\"2026-01-01T00:06:02Z\",\"arrival_time\":\"2026-01-01T00:06:03Z\"}\n";

static char *make_fixture(const char *dir)
{
    char *src = lkt_fmt("%s/datasets/fixtures/tenants.jsonl", lkt_root());
    char *text = lkt_slurp(src), *path = lkt_fmt("%s/tenants.jsonl", dir);
    FILE *fp = fopen(path, "w");
    cr_assert(text && fp);
    fputs(text, fp);
    fputs(extra, fp);
    cr_assert_eq(fclose(fp), 0);
    free(text);
    free(src);
    return path;
}

/* 'text' as an SQL literal (quotes doubled), heap. */
static char *literal(const char *s)
{
    char *out = malloc(2 * strlen(s) + 3), *p = out;
    *p++ = '\'';
    for (; *s; s++) {
        if (*s == '\'')
            *p++ = '\'';
        *p++ = *s;
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

static void check_views(const char *run, long long want_tenants)
{
    char *tenants = lkt_query_text(run, "SELECT DISTINCT tenant FROM output ORDER BY tenant");
    long long views = lkt_query_int(run, "SELECT count(*) FROM sqlite_master WHERE type = 'view'"
                                         " AND name LIKE 'output\\_tenant\\_%' ESCAPE '\\'");
    long long distinct = lkt_query_int(run, "SELECT count(DISTINCT tenant) FROM output");
    char *line = tenants, *nl;
    long long seen = 0;
    cr_assert_eq(distinct, want_tenants, "tenants in the output");
    cr_assert_eq(views, distinct, "one view per tenant");
    for (; (nl = strchr(line, '\n')); line = nl + 1) {
        char *name, *lit, *q1, *q2;
        *nl = '\0';
        name = kp_sink_view_name(line, strlen(line));
        lit = literal(line);
        q1 = lkt_fmt("SELECT count(*) FROM \"%s\"", name);
        q2 = lkt_fmt("SELECT count(*) FROM output WHERE tenant = %s", lit);
        cr_assert_gt(lkt_query_int(run, q2), 0, "%s", q2);
        cr_assert_eq(lkt_query_int(run, q1), lkt_query_int(run, q2), "view of tenant '%s' (%s)",
                     line, name);
        cr_assert(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_%ABCDEF") == strlen(name),
                  "view name '%s' has only [a-z0-9_] and %%XX", name);
        seen++;
        free(q1);
        free(q2);
        free(lit);
        free(name);
    }
    cr_assert_eq(seen, distinct);
    free(tenants);
}

Test(kp_tenant_views, one_view_per_tenant_with_the_tenants_rows_even_for_hostile_names)
{
    char *dir = lkt_tmpdir("tviews"), *data = make_fixture(dir), *run = lkt_fmt("%s/run", dir);
    char *path = lkt_fmt("%s/run.json", run), *json;
    int rc = kpt_kappa(data, "revenue", run,
                       "--output-mode update --watermark none "
                       "--trigger 1m --tenant-views");
    cr_assert_eq(rc, 0);
    /* ../x a/b .. x\y%z=1 '; DROP..  t01 A a x'; DROP.. q"t evil' */
    check_views(run, 11);
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output"), 12, "output intact");
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output_tenant_a"), 2, "a, not A");
    json = lkt_slurp(path);
    cr_assert(strstr(json, "\"tenant_views\":\t11"), "%s", json);
    free(json);
    free(path);
    free(run);
    free(data);
    free(dir);
}

Test(kp_tenant_views, views_follow_reprocessing_and_restarts_in_append_mode)
{
    char *dir = lkt_tmpdir("tviews-append"), *data = make_fixture(dir);
    char *run = lkt_fmt("%s/run", dir);
    const char *args = "--output-mode append --watermark 1m --trigger 1m --final-watermark "
                       "--tenant-views";
    cr_assert_eq(kpt_kappa(data, "revenue", run, args), 0);
    check_views(run, 11);
    cr_assert_eq(kpt_kappa(data, "revenue", run,
                           "--output-mode append --watermark 1m --trigger 1m"
                           " --final-watermark --tenant-views --reprocess"),
                 0);
    check_views(run, 11); /* the views read `output`, which now shows version 2 */
    cr_assert_eq(lkt_query_int(run, "SELECT count(*) FROM output_v2"), 12);
    free(run);
    free(data);
    free(dir);
}

Test(kp_tenant_views, refuses_a_pipeline_not_grouped_by_tenant)
{
    char *dir = lkt_tmpdir("tviews-refuse"), *spec = lkt_fmt("%s/by-type.json", dir), *err = NULL;
    FILE *fp = fopen(spec, "w");
    int rc;
    cr_assert_not_null(fp);
    fputs("{\"name\":\"by_type\",\"group_by\":[\"type\"],\"window\":{\"kind\":\"tumbling\","
          "\"size\":\"1m\"},\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"}]}\n",
          fp);
    cr_assert_eq(fclose(fp), 0);
    rc = lkt_run(NULL, &err,
                 "kappa --data %s/datasets/fixtures/tenants.jsonl --pipeline %s "
                 "--out %s/run --output-mode update --tenant-views",
                 lkt_root(), spec, dir);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, err);
    cr_assert(strstr(err, "does not group by tenant"), "%s", err);
    free(err);
    free(spec);
    free(dir);
}
