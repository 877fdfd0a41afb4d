/*
 * The oracle against answers worked out by hand from datasets/fixtures/tiny.jsonl
 * (see datasets/fixtures/README.md for what each line is for).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lk_csv.h"
#include "lk_spec.h"
#include "lk_test.h"
#include "lk_time.h"
#include "lk_truth.h"
#include "banned.h"

static char *truth_of(const char *pipeline, struct lk_truth_stats *st)
{
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    char spec_path[1024], data[1024];
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    snprintf(spec_path, sizeof(spec_path), "%s/datasets/pipelines/%s.json", lkt_root(), pipeline);
    snprintf(data, sizeof(data), "%s/datasets/fixtures/tiny.jsonl", lkt_root());
    cr_assert_eq(lk_spec_load(&spec, spec_path, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_truth_run(&spec, data, LK_TIME_POS_INF, fp, st, NULL, NULL, &err), 0, "%s",
                 err.msg);
    fclose(fp);
    return buf;
}

/* Worked by hand: f-02 counted once, f-08 (19 min late) included, f-07/f-12 dropped. */
Test(lk_truth, revenue_on_the_tiny_fixture_matches_the_hand_computed_table)
{
    static const char expected[] =
        "tenant,type,window_start,window_end,events,value_sum,value_min,value_max,distinct_keys\n"
        "\"t,03\",view,2026-01-01T00:02:00.000Z,2026-01-01T00:03:00.000Z,1,1.00,1.00,1.00,1\n"
        "t01,purchase,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,3,119.75,7.25,100.00,3\n"
        "t01,purchase,2026-01-01T00:01:00.000Z,2026-01-01T00:02:00.000Z,1,3.00,3.00,3.00,1\n"
        "t01,view,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,1,0.00,0.00,0.00,1\n"
        "t01,view,2026-01-01T00:01:00.000Z,2026-01-01T00:02:00.000Z,1,0.00,0.00,0.00,1\n"
        "t02,purchase,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,1,-2.50,-2.50,-2.50,1\n"
        "t02,purchase,2026-01-01T00:01:00.000Z,2026-01-01T00:02:00.000Z,2,5.55,0.05,5.50,1\n"
        "t02,view,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,1,0.00,0.00,0.00,1\n";
    struct lk_truth_stats st;
    char *got = truth_of("revenue", &st);
    cr_assert_str_eq(got, expected);
    free(got);
}

Test(lk_truth, accounts_for_every_line_of_the_fixture)
{
    struct lk_truth_stats st;
    free(truth_of("revenue", &st));
    cr_assert_eq(st.lines, 14);
    cr_assert_eq(st.events, 11);
    cr_assert_eq(st.duplicates, 1);
    cr_assert_eq(st.malformed, 2);
    cr_assert_eq(st.lines, st.events + st.duplicates + st.malformed);
    cr_assert_eq(st.by_reason[LK_Q_DECIMALS], 1);
    cr_assert_eq(st.by_reason[LK_Q_JSON], 1);
    cr_assert_eq(st.rows, 8);
}

/*
 * Sessions, gap 5m, per (tenant, key): t01/u1 is f-01 00:00:05, f-03 00:00:59.999 and
 * f-04 00:01:00 -> [00:00:05, 00:06:00); t01/u2 is f-02 00:00:10 and f-11 00:01:59.999
 * -> [00:00:10, 00:06:59.999); singletons last exactly the gap.
 */
Test(lk_truth, sessions_on_the_tiny_fixture_match_the_hand_computed_table)
{
    static const char expected[] =
        "tenant,key,window_start,window_end,events,value_sum,value_max,distinct_types\n"
        "\"t,03\",u1,2026-01-01T00:02:00.000Z,2026-01-01T00:07:00.000Z,1,1.00,1.00,1\n"
        "t01,u1,2026-01-01T00:00:05.000Z,2026-01-01T00:06:00.000Z,3,10.25,7.25,2\n"
        "t01,u2,2026-01-01T00:00:10.000Z,2026-01-01T00:06:59.999Z,2,12.50,12.50,2\n"
        "t01,u3,2026-01-01T00:00:20.000Z,2026-01-01T00:05:20.000Z,1,100.00,100.00,1\n"
        "t02,u8,2026-01-01T00:01:15.000Z,2026-01-01T00:06:45.000Z,2,5.55,5.50,1\n"
        "t02,u9,2026-01-01T00:00:30.000Z,2026-01-01T00:05:40.000Z,2,-2.50,0.00,2\n";
    struct lk_truth_stats st;
    char *got = truth_of("sessions", &st);
    cr_assert_str_eq(got, expected);
    free(got);
}

/*
 * Sliding 10m/5m over purchases only: every event lies in 00:00-00:02, so in exactly the
 * windows starting 23:55 and 00:00. t01 buys f-02 12.50 (u2), f-03 7.25 (u1), f-04 3 (u1),
 * f-08 100 (u3); t02 buys f-06 -2.50 (u9), f-09 0.05 (u8), f-13 5.50 (u8).
 */
Test(lk_truth, sliding_purchases_on_the_tiny_fixture_match_the_hand_computed_table)
{
    static const char expected[] =
        "tenant,window_start,window_end,purchases,revenue,buyers\n"
        "t01,2025-12-31T23:55:00.000Z,2026-01-01T00:05:00.000Z,4,122.75,3\n"
        "t01,2026-01-01T00:00:00.000Z,2026-01-01T00:10:00.000Z,4,122.75,3\n"
        "t02,2025-12-31T23:55:00.000Z,2026-01-01T00:05:00.000Z,3,3.05,2\n"
        "t02,2026-01-01T00:00:00.000Z,2026-01-01T00:10:00.000Z,3,3.05,2\n";
    struct lk_truth_stats st;
    char *got = truth_of("sliding", &st);
    cr_assert_str_eq(got, expected);
    cr_assert_eq(st.filtered, 4, "4 views are filtered out");
    free(got);
}

Test(lk_truth, without_dedup_a_redelivery_counts_twice)
{
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    struct lk_truth_stats st;
    static const char json[] = "{\"name\":\"n\",\"group_by\":[\"tenant\"],"
                               "\"window\":{\"kind\":\"tumbling\",\"size\":\"1d\"},"
                               "\"aggregates\":[{\"fn\":\"count\",\"as\":\"n\"}]}";
    char data[1024], *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    snprintf(data, sizeof(data), "%s/datasets/fixtures/tiny.jsonl", lkt_root());
    cr_assert_eq(lk_spec_parse(&spec, json, sizeof(json) - 1, "test", &err), 0, "%s", err.msg);
    cr_assert_eq(lk_truth_run(&spec, data, LK_TIME_POS_INF, fp, &st, NULL, NULL, &err), 0);
    fclose(fp);
    /* t01: f-01 f-02 f-03 f-04 f-02(again) f-11 f-08 = 7; t02: f-05 f-06 f-09 f-13 = 4 */
    cr_assert_str_eq(buf, "tenant,window_start,window_end,n\n"
                          "\"t,03\",2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,1\n"
                          "t01,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,7\n"
                          "t02,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,4\n");
    free(buf);
}

Test(lk_truth, a_missing_dataset_is_an_error_naming_it)
{
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    struct lk_truth_stats st;
    char path[1024];
    snprintf(path, sizeof(path), "%s/datasets/pipelines/revenue.json", lkt_root());
    cr_assert_eq(lk_spec_load(&spec, path, &err), 0);
    cr_assert_eq(
        lk_truth_run(&spec, "/nonexistent/ds", LK_TIME_POS_INF, stdout, &st, NULL, NULL, &err),
        LK_ENOENT);
    cr_assert(strstr(err.msg, "/nonexistent/ds") != NULL, "%s", err.msg);
}

static char *result_csv(const struct lk_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    cr_assert_eq(lk_result_write_csv(r, fp), 0);
    fclose(fp);
    return buf;
}

/* The incremental evaluator at each cutoff of a rising series against a one-shot eval. */
static void check_incremental(const char *pipeline, const char *data, const int64_t *cuts,
                              size_t ncuts)
{
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    char *spec_path = lkt_fmt("%s/datasets/pipelines/%s.json", lkt_root(), pipeline);
    struct lk_truth_inc *inc;
    cr_assert_eq(lk_spec_load(&spec, spec_path, &err), 0, "%s", err.msg);
    inc = lk_truth_inc_new(&spec, data);
    for (size_t i = 0; i < ncuts; i++) {
        struct lk_result *a, *b;
        struct lk_truth_stats st;
        char *ca, *cb;
        cr_assert_eq(lk_truth_inc_eval(inc, cuts[i], &a, &err), 0, "%s", err.msg);
        cr_assert_eq(lk_truth_eval(&spec, data, cuts[i], &b, &st, NULL, NULL, &err), 0, "%s",
                     err.msg);
        ca = result_csv(a);
        cb = result_csv(b);
        cr_assert_str_eq(ca, cb, "%s, cutoff %zu", pipeline, i);
        free(ca);
        free(cb);
        lk_result_free(a);
        lk_result_free(b);
    }
    lk_truth_inc_free(inc);
    free(spec_path);
}

Test(lk_truth, the_incremental_truth_equals_a_one_shot_eval_at_every_cutoff)
{
    static const char *pipelines[] = { "revenue", "sessions", "sliding" };
    char *data = lkt_dataset("truth-inc", "--scenario clickstream --events 20000 --seed 5 "
                                          "--late-frac 0.2 --dup-frac 0.1 --span 6h");
    int64_t t0, cuts[9];
    cr_assert_eq(lk_time_parse("2026-01-01T00:00:00Z", 20, &t0), 0);
    for (size_t i = 0; i < 8; i++)
        cuts[i] = t0 + (int64_t)i * 50 * 60 * 1000 - 1;
    cuts[8] = LK_TIME_POS_INF;
    for (size_t p = 0; p < 3; p++)
        check_incremental(pipelines[p], data, cuts, 9);
    free(data);
}

/*
 * Copies of one event_id in two partitions, the later partition's copy arriving first: a
 * one-shot read keeps partition 0's copy once both are available, so must the evaluator.
 */
Test(lk_truth, the_incremental_truth_keeps_the_one_shot_copy_across_partitions)
{
    char *dir = lkt_tmpdir("truth-inc-parts");
    char *log = lkt_fmt("%s/log", dir), *p0 = lkt_fmt("%s/p-00000.jsonl", log),
         *p1 = lkt_fmt("%s/p-00001.jsonl", log);
    int64_t t0, cuts[3];
    cr_assert_eq(mkdir(log, 0755), 0);
    lkt_write(p0, "{\"event_id\":\"a\",\"tenant\":\"t01\",\"key\":\"u1\",\"type\":\"view\","
                  "\"value\":1,\"event_time\":\"2026-01-01T00:00:05Z\","
                  "\"arrival_time\":\"2026-01-01T00:10:00Z\"}\n");
    lkt_write(p1, "{\"event_id\":\"a\",\"tenant\":\"t02\",\"key\":\"u1\",\"type\":\"view\","
                  "\"value\":2,\"event_time\":\"2026-01-01T00:00:05Z\","
                  "\"arrival_time\":\"2026-01-01T00:00:06Z\"}\n");
    cr_assert_eq(lk_time_parse("2026-01-01T00:00:00Z", 20, &t0), 0);
    cuts[0] = t0 + 60 * 1000;
    cuts[1] = t0 + 20 * 60 * 1000;
    cuts[2] = LK_TIME_POS_INF;
    check_incremental("revenue", dir, cuts, 3);
    free(p0);
    free(p1);
    free(log);
    free(dir);
}

/* Row by row, every field: a and b hold the same rows in the same order. */
static void expect_same_rows(const struct lk_result *a, const struct lk_result *b,
                             const struct lk_spec *spec, const char *what)
{
    cr_assert_eq(a->n, b->n, "%s: %zu rows, want %zu", what, b->n, a->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct lk_csv_row *x = a->rows[i], *y = b->rows[i];
        for (size_t g = 0; g < spec->ngroup; g++)
            cr_assert(x->group[g].len == y->group[g].len
                          && memcmp(x->group[g].ptr, y->group[g].ptr, x->group[g].len) == 0,
                      "%s: row %zu group %zu", what, i, g);
        cr_assert_eq(x->window_start, y->window_start, "%s: row %zu", what, i);
        cr_assert_eq(x->window_end, y->window_end, "%s: row %zu", what, i);
        for (size_t v = 0; v < spec->naggs; v++)
            cr_assert_eq(x->values[v], y->values[v], "%s: row %zu %s = %lld, want %lld", what, i,
                         spec->aggs[v].as, (long long)y->values[v], (long long)x->values[v]);
        cr_assert_eq(lk_result_find(b, x), y, "%s: row %zu not found", what, i);
    }
}

/* What the sweep does: the truth written once, read back by each run's latency analysis. */
Test(lk_truth, a_truth_read_back_from_its_csv_equals_the_evaluated_one)
{
    static const char *pipelines[] = { "revenue", "sessions", "sliding" };
    char *dir = lkt_tmpdir("truth-csv");
    char *data = lkt_dataset("truth-csv", "--scenario clickstream --events 20000 --seed 7 "
                                          "--late-frac 0.2 --dup-frac 0.1 --span 6h");
    for (size_t p = 0; p < 3; p++) {
        struct lk_spec spec;
        struct lk_err err = LK_ERR_INIT;
        struct lk_truth_stats st;
        struct lk_result *a, *b;
        char *spec_path = lkt_fmt("%s/datasets/pipelines/%s.json", lkt_root(), pipelines[p]);
        char *csv = lkt_fmt("%s/%s.csv", dir, pipelines[p]);
        FILE *fp;
        cr_assert_eq(lk_spec_load(&spec, spec_path, &err), 0, "%s", err.msg);
        cr_assert_eq(lk_truth_eval(&spec, data, LK_TIME_POS_INF, &a, &st, NULL, NULL, &err), 0,
                     "%s", err.msg);
        cr_assert_gt(a->n, 100);
        fp = fopen(csv, "w");
        cr_assert(fp);
        cr_assert_eq(lk_result_write_csv(a, fp), 0);
        cr_assert_eq(fclose(fp), 0);
        cr_assert_eq(lk_truth_final(&spec, data, csv, &b, &err), 0, "%s", err.msg);
        expect_same_rows(a, b, &spec, pipelines[p]);
        lk_result_free(b);
        lk_result_free(a);
        free(spec_path);
        free(csv);
    }
    free(data);
    free(dir);
}

Test(lk_truth, a_truth_csv_of_another_pipeline_is_refused_naming_it)
{
    struct lk_spec spec;
    struct lk_err err = LK_ERR_INIT;
    struct lk_result *r = (struct lk_result *)1;
    char *dir = lkt_tmpdir("truth-csv-bad");
    char *csv = lkt_fmt("%s/truth.csv", dir);
    char *spec_path = lkt_fmt("%s/datasets/pipelines/revenue.json", lkt_root());
    lkt_write(csv, "tenant,window_start,window_end,events\n"
                   "t01,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,1\n");
    cr_assert_eq(lk_spec_load(&spec, spec_path, &err), 0, "%s", err.msg);
    cr_assert_eq(lk_result_load_csv(&spec, csv, &r, &err), LK_EINPUT);
    cr_assert_null(r);
    cr_assert(strstr(err.msg, csv), "%s", err.msg);
    free(spec_path);
    free(csv);
    free(dir);
}
