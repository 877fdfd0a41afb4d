/*
 * Lambda, worked by hand: datasets/fixtures/lambda-seam.jsonl with batch jobs every hour
 * that take 5 virtual minutes (datasets/fixtures/lambda-model.json) and 10 s speed
 * buckets that take no time. The window under the loupe is (t01, purchase, 00:50):
 *
 *   line  event  arrives          value key  where it is counted
 *   1     s-a    00:50:12         10.00 u1   speed bucket ..00:50:20, batch view 1
 *   2     s-a    00:55:00 (dup)   10.00 u1   speed bucket ..00:55:00 (overcount!), not batch
 *   3     s-b    01:00:00.000     5.00  u2   speed bucket ..01:00:00, batch view 1 (cutoff)
 *   4     s-c    01:00:00.001     2.50  u3   speed bucket ..01:00:10 only (after the cutoff)
 *   5     (truncated json: quarantined)
 *   6     s-d    01:30:01 (t02 view)         ends the input: final job at 01:30:10
 *
 * Batch job 1: trigger 01:00:00, cutoff 01:00:00, visible 01:05:00 (a, b; dup dropped).
 * Final job 2: trigger 01:30:10 (last bucket end), visible 01:35:10.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lb_test.h"
#include "banned.h"

#define W "t01,purchase,2026-01-01T00:50:00.000Z,2026-01-01T00:51:00.000Z,"
#define HEADER                                                                                     \
    "tenant,type,window_start,window_end,events,value_sum,value_min,value_max,distinct_keys\n"

static char *run_fixture(const char *name)
{
    char *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir), *err = NULL;
    int rc = lbt_lambda(&err,
                        "--data %s/datasets/fixtures/lambda-seam.jsonl --pipeline revenue "
                        "--out %s --batch-every 1h --speed-trigger 10s --cost-model "
                        "%s/datasets/fixtures/lambda-model.json",
                        lkt_root(), run, lkt_root());
    cr_assert_eq(rc, 0, "%s", err ? err : "");
    free(err);
    free(dir);
    return run;
}

/* The serving row of window W at a time, or "" when there is none. */
static void expect_serving(const char *run, const char *at, const char *row)
{
    char *csv = lbt_export(run, "serving", lbt_time(at));
    if (row[0])
        cr_assert(strstr(csv, row) != NULL, "at %s: want %s got\n%s", at, row, csv);
    else
        cr_assert_str_eq(csv, HEADER, "at %s", at);
    free(csv);
}

Test(lb_fixture, serving_answer_before_and_after_the_batch_view_lands)
{
    char *run = run_fixture("lb-fixture");
    expect_serving(run, "2026-01-01T00:50:19.999Z", ""); /* nothing visible yet */
    expect_serving(run, "2026-01-01T00:52:00Z", W "1,10.00,10.00,10.00,1\n");
    /* the re-delivered s-a: the speed layer counts it again (at-least-once) */
    expect_serving(run, "2026-01-01T00:56:00Z", W "2,20.00,10.00,10.00,1\n");
    expect_serving(run, "2026-01-01T01:00:00Z", W "3,25.00,5.00,10.00,2\n");
    /* just before view 1 lands: still the speed layer's overcount (truth: 3, 17.50) */
    expect_serving(run, "2026-01-01T01:04:59.999Z", W "4,27.50,2.50,10.00,3\n");
    /* view 1 lands: batch (a, b; dup dropped) + speed bucket after the cutoff (c) */
    expect_serving(run, "2026-01-01T01:05:00Z", W "3,17.50,2.50,10.00,3\n");
    expect_serving(run, "end", W "3,17.50,2.50,10.00,3\n");
    free(run);
}

Test(lb_fixture, batch_and_speed_tables_split_the_window_at_the_cutoff)
{
    char *run = run_fixture("lb-fixture-split");
    char *batch = lbt_export(run, "batch", lbt_time("2026-01-01T01:05:00Z"));
    char *speed = lbt_export(run, "speed", lbt_time("2026-01-01T01:05:00Z"));
    char *before = lbt_export(run, "batch", lbt_time("2026-01-01T01:04:59.999Z"));
    char *speed_end = lbt_export(run, "speed", LK_TIME_POS_INF);
    cr_assert_str_eq(batch, HEADER W "2,15.00,5.00,10.00,2\n"); /* s-b at the cutoff: batch */
    cr_assert_str_eq(speed, HEADER W "1,2.50,2.50,2.50,1\n");   /* s-c 1 ms later: speed */
    cr_assert_str_eq(before, HEADER);                           /* no view before 01:05 */
    cr_assert_str_eq(speed_end, HEADER);                        /* final view covers all */
    free(batch);
    free(speed);
    free(before);
    free(speed_end);
    free(run);
}

Test(lb_fixture, final_answer_equals_truth_and_metrics_show_the_reconciliation)
{
    char *run = run_fixture("lb-fixture-final");
    char *data = lkt_fmt("%s/datasets/fixtures/lambda-seam.jsonl", lkt_root());
    char *spec = lbt_pipeline("revenue"), *truth = lbt_truth(data, spec, LK_TIME_POS_INF);
    char *csv = lbt_export(run, "serving", LK_TIME_POS_INF);
    char *mpath = lkt_fmt("%s/metrics.jsonl", run), *metrics = lkt_slurp(mpath);
    cr_assert_str_eq(csv, truth);
    /* job 1 saw serving 4 events where truth (arrived by 01:04:59.999) has 3 */
    cr_assert(strstr(metrics, "\"job\":1,\"trigger_time\":\"2026-01-01T01:00:00.000Z\","
                              "\"start_time\":\"2026-01-01T01:00:00.000Z\","
                              "\"visible_time\":\"2026-01-01T01:05:00.000Z\""),
              "%s", metrics);
    cr_assert(strstr(metrics, "\"discrepancy_rows\":1,\"discrepancy_abs_events\":1}"), "%s",
              metrics);
    cr_assert(strstr(metrics, "\"final\":true"), "%s", metrics);
    cr_assert(strstr(metrics, "\"discrepancy_rows\":0,\"discrepancy_abs_events\":0}"), "%s",
              metrics);
    cr_assert_eq(lbt_runjson_int(run, "totals", "lines"), 6);
    cr_assert_eq(lbt_runjson_int(run, "totals", "processed"), 4);
    cr_assert_eq(lbt_runjson_int(run, "totals", "duplicates"), 1);
    cr_assert_eq(lbt_runjson_int(run, "totals", "quarantined"), 1);
    cr_assert_eq(lbt_runjson_int(run, "totals", "micro_batches"), 5);
    cr_assert_eq(lbt_runjson_int(run, "totals", "batch_jobs"), 2);
    free(metrics);
    free(mpath);
    free(csv);
    free(truth);
    free(spec);
    free(data);
    free(run);
}
