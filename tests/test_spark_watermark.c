/*
 * Scenarios translated from Apache Spark's EventTimeWatermarkSuite
 * (sql/core/src/test/scala/org/apache/spark/sql/streaming/EventTimeWatermarkSuite.scala,
 * read at commit 56ceeac2562364f0031507e05952108a38fbb1d2). Every expected value is the
 * Spark test's own; tests/spark/README.md lists what could not be translated.
 *
 * The Spark query of these tests is
 *   timestamp_seconds(value) AS eventTime, withWatermark("eventTime", "10 seconds"),
 *   groupBy(window(eventTime, "5 seconds")).agg(count("*")) -> (window.start, count)
 * which is the spec W5 below with --watermark 10s; the event key is irrelevant (no group).
 */
#include "spark/spark_test.h"
#include "banned.h"

static const char W5[] = "{ \"name\": \"w5\", \"group_by\": [], \"window\": { \"kind\": "
                         "\"tumbling\", \"size\": \"5s\" }, \"aggregates\": "
                         "[ {\"fn\":\"count\", \"as\":\"n\"} ] }";
static const char COLS[] = SP_SEC("window_start") ", n";

/* "append mode" */
Test(spark_watermark, append_mode)
{
    static const char *const steps[] = { "k@10 k@11 k@12 k@13 k@14 k@15", "k@25", "k@10" };
    static const char *const want[] = { "", "10,5\n", "" };
    char *run;
    sp_check_steps("sp-wm-append", W5, "--watermark 10s", steps, want, 3, COLS);
    run = sp_run("sp-wm-append-all", W5, "--watermark 10s", steps, 2);
    /* assertNumRowsDroppedByWatermark(0) after step 1, (1) after step 2 */
    cr_expect_eq(sp_data_progress(run, "late_rows", 1), 0);
    cr_expect_eq(sp_data_progress(run, "late_rows", 2), 1);
    /* assertNumStateRows(2) after steps 1 and 2: numRowsTotal, counted after eviction, is
       state_rows_end. lklab's state_rows is the pre-eviction peak (docs/kappa.md, lklab vs
       Spark): the no-data batch of step 1 held [10, 15), [15, 20) and [25, 30) before it
       evicted [10, 15), so 3 there (worked out by hand). */
    cr_expect_eq(sp_last_progress(run, "state_rows_end", 1), 2);
    cr_expect_eq(sp_last_progress(run, "state_rows_end", 2), 2);
    cr_expect_eq(sp_last_progress(run, "state_rows", 1), 3);
    cr_expect_eq(sp_last_progress(run, "state_rows", 2), 2);
    free(run);
}

/* "update mode" */
Test(spark_watermark, update_mode)
{
    static const char *const steps[] = { "k@10 k@11 k@12 k@13 k@14 k@15", "k@25", "k@10 k@25",
                                         "k@10" };
    static const char *const want[] = { "10,5\n15,1\n", "25,1\n", "25,2\n", "" };
    char *run;
    sp_check_steps("sp-wm-update", W5, "--watermark 10s --output-mode update", steps, want, 4,
                   COLS);
    run = sp_run("sp-wm-update-all", W5, "--watermark 10s --output-mode update", steps, 3);
    cr_expect_eq(sp_data_progress(run, "late_rows", 1), 0);
    cr_expect_eq(sp_data_progress(run, "late_rows", 2), 1);
    cr_expect_eq(sp_data_progress(run, "late_rows", 3), 1);
    for (size_t k = 1; k <= 3; k++) /* assertNumStateRows(2) after steps 1, 2 and 3 */
        cr_expect_eq(sp_last_progress(run, "state_rows_end", k), 2, "step %zu", k);
    free(run);
}

/* "complete mode": no eviction when asked for complete results */
Test(spark_watermark, complete_mode)
{
    static const char *const steps[] = { "k@10 k@11 k@12", "k@25", "k@25", "k@10", "k@25" };
    static const char *const want[] = { "10,3\n", "10,3\n25,1\n", "10,3\n25,2\n", "10,4\n25,2\n",
                                        "10,4\n25,3\n" };
    sp_check_steps("sp-wm-complete", W5, "--watermark 10s --output-mode complete", steps, want, 5,
                   COLS);
}

/* "group by on raw timestamp": whole-second event times, so a 1 s window is the timestamp */
Test(spark_watermark, group_by_on_raw_timestamp)
{
    static const char spec[] = "{ \"name\": \"raw\", \"group_by\": [], \"window\": { \"kind\": "
                               "\"tumbling\", \"size\": \"1s\" }, \"aggregates\": "
                               "[ {\"fn\":\"count\", \"as\":\"n\"} ] }";
    static const char *const steps[] = { "k@10", "k@25" };
    static const char *const want[] = { "", "10,1\n" };
    sp_check_steps("sp-wm-raw", spec, "--watermark 10s", steps, want, 2, COLS);
}

/* Spark's timestamp_seconds(sec) as lklab prints it (sec < 60; the watermark 0 is the epoch). */
static char *sp_iso(long long sec, int epoch)
{
    return epoch ? lkt_fmt("1970-01-01T00:00:00.000Z")
                 : lkt_fmt("2026-01-01T00:00:%02lld.000Z", sec);
}

/*
 * assertEventStats(min, max, avg, wtrmark) of a batch: its eventTime map in the progress
 * table and in its metrics.jsonl line (seconds since Spark's timestamp 0).
 */
static void expect_event_stats(const char *run, long long batch, long long min, long long max,
                               long long avg, long long wm)
{
    char *metrics = lkt_slurpf("%s/metrics.jsonl", run), *line, *want;
    char *smin = sp_iso(min, 0), *smax = sp_iso(max, 0), *savg = sp_iso(avg, 0);
    char *swm = sp_iso(wm, wm == 0), *sql;
    sql =
        lkt_fmt("SELECT " SP_SEC("event_time_min") " || ',' || " SP_SEC(
                    "event_time_max") " || ',' || " SP_SEC("event_time_avg") " || ',' || " SP_WM
                                                                             " FROM progress WHERE "
                                                                             "batch_id = %lld",
                batch);
    want = lkt_fmt("%lld,%lld,%lld,%lld\n", min, max, avg, wm);
    line = sp_query(run, sql);
    cr_expect_str_eq(line, want, "progress of batch %lld", batch);
    free(line);
    free(want);
    free(sql);
    cr_assert_not_null(metrics);
    want = lkt_fmt("{\"batchId\":%lld,", batch);
    line = strstr(metrics, want);
    free(want);
    cr_assert_not_null(line, "metrics.jsonl has batch %lld:\n%s", batch, metrics);
    *strchr(line, '\n') = '\0';
    want = lkt_fmt("\"eventTime\":{\"avg\":\"%s\",\"max\":\"%s\",\"min\":\"%s\",\"watermark\":"
                   "\"%s\"}",
                   savg, smax, smin, swm);
    cr_expect(strstr(line, want), "batch %lld: no %s in\n%s", batch, want, line);
    free(want);
    free(metrics);
    free(smin);
    free(smax);
    free(savg);
    free(swm);
}

/*
 * "event time and watermark metrics", the query with a watermark: the answers and the
 * eventTime map of the last batch with data (assertEventStats).
 */
Test(spark_watermark, event_time_and_watermark_metrics)
{
    static const char *const steps[] = { "k@15", "k@10 k@12 k@14", "k@25" };
    static const char *const want[] = { "", "", "10,3\n" };
    char *run;
    sp_check_steps("sp-wm-metrics", W5, "--watermark 10s", steps, want, 3, COLS);
    run = sp_run("sp-wm-metrics-all", W5, "--watermark 10s", steps, 2);
    expect_event_stats(run, sp_data_progress(run, "batch_id", 0), 15, 15, 15, 0);
    expect_event_stats(run, sp_data_progress(run, "batch_id", 1), 10, 14, 12, 5);
    expect_event_stats(run, sp_data_progress(run, "batch_id", 2), 25, 25, 25, 5);
    free(run);
}

/*
 * "event time and watermark metrics", the query without a watermark, in complete mode:
 * assertEventStats { e => assert(e.isEmpty) } after each step.
 */
Test(spark_watermark, event_time_metrics_without_a_watermark)
{
    static const char *const steps[] = { "k@15", "k@10 k@12 k@14" };
    static const char *const want[] = { "15,1\n", "10,3\n15,1\n" };
    char *run, *metrics;
    sp_check_steps("sp-wm-nowm", W5, "--watermark none --output-mode complete", steps, want, 2,
                   COLS);
    run = sp_run("sp-wm-nowm-all", W5, "--watermark none --output-mode complete", steps, 1);
    metrics = lkt_slurpf("%s/metrics.jsonl", run);
    cr_assert_not_null(metrics);
    cr_expect_eq(lkt_query_int(run, "SELECT count(*) FROM progress"), 2);
    cr_expect(strstr(metrics, "\"batchId\":1,") && !strstr(metrics, "\"eventTime\":{\""),
              "every eventTime map is empty:\n%s", metrics);
    free(metrics);
    free(run);
}

/*
 * "test no-data flag" with the flag on (lklab always runs no-data batches): (10, 5) is
 * the answer of step 1, written by the no-data batch that follows the batch of 25.
 */
Test(spark_watermark, no_data_batch_emits_the_closed_window)
{
    static const char *const steps[] = { "k@10 k@11 k@12 k@13 k@14 k@15", "k@25" };
    char *run = sp_run("sp-wm-nodata", W5, "--watermark 10s", steps, 1);
    char *got = sp_new_rows(run, COLS, 1);
    cr_expect_str_eq(got, "10,5\n");
    cr_expect_eq(lkt_query_int(run, "SELECT p.input_rows FROM output o JOIN progress p "
                                    "USING (batch_id)"),
                 0, "written by a batch without input");
    free(got);
    free(run);
}

/*
 * "event time and watermark metrics with Trigger.Once (SPARK-24699)": each step starts the
 * query once (a new `lklab kappa --trigger once` on the same run) after its data arrived;
 * Trigger.Once runs no no-data batch, so a window closes one start later.
 */
Test(spark_watermark, trigger_once_restarts)
{
    static const char *const steps[] = { "k@15", "k@10 k@12 k@14", "k@25", "k@50", "k@50" };
    static const char *const want[] = { "", "", "", "10,3\n", "15,1\n25,1\n" };
    static const long long wm[] = { 0, 5, 5, 15, 40 };
    static const long long et[][3] = {
        { 15, 15, 15 }, { 10, 14, 12 }, { 25, 25, 25 }, { 50, 50, 50 }, { 50, 50, 50 }
    }; /* assertEventStats min, max, avg */
    char *dir = lkt_tmpdir("sp-wm-once");
    for (size_t k = 0; k < 5; k++) {
        char *run = sp_run_in(dir, W5, "--watermark 10s --trigger once", steps, k), *got;
        char *sql = lkt_fmt("SELECT %s FROM output WHERE batch_id = (SELECT max(batch_id) FROM "
                            "progress) ORDER BY %s",
                            COLS, COLS);
        got = sp_query(run, sql);
        cr_expect_str_eq(got, want[k], "start %zu", k);
        cr_expect_eq(lkt_query_int(run, "SELECT " SP_WM " FROM progress ORDER BY batch_id DESC "
                                        "LIMIT 1"),
                     wm[k], "start %zu", k);
        expect_event_stats(run, lkt_query_int(run, "SELECT max(batch_id) FROM progress"), et[k][0],
                           et[k][1], et[k][2], wm[k]);
        free(got);
        free(sql);
        free(run);
    }
    free(dir);
}

/*
 * "recovery": StopStream / StartStream become a second and third `lklab kappa` process on
 * the same run (the test's commit-log purge and sink clear have no lklab counterpart;
 * CheckAnswer after the clear is then the rows written since the restart).
 */
Test(spark_watermark, recovery)
{
    static const char *const steps[] = { "k@10 k@11 k@12 k@13 k@14 k@15", "k@25", "k@10 k@27 k@30",
                                         "k@17", "k@40" };
    char *dir = lkt_tmpdir("sp-wm-recovery"), *run, *got;
    free(sp_run_in(dir, W5, "--watermark 10s", steps, 1));
    run = sp_run_in(dir, W5, "--watermark 10s", steps, 2); /* StartStream; 10 is ignored */
    got = sp_new_rows(run, COLS, 2);
    cr_expect_str_eq(got, "15,1\n");
    free(got);
    free(run);
    free(sp_run_in(dir, W5, "--watermark 10s", steps, 3)); /* StartStream; 17 is ignored */
    run = sp_run_in(dir, W5, "--watermark 10s", steps, 4);
    got = sp_new_rows(run, COLS, 3);
    cr_expect_str_eq(got, "", "17 is behind the watermark 20");
    free(got);
    got = sp_new_rows(run, COLS, 4);
    cr_expect_str_eq(got, "25,2\n");
    cr_expect_eq(sp_data_progress(run, SP_WM, 3), 20, "watermark still 20 s");
    free(got);
    free(run);
    free(dir);
}
