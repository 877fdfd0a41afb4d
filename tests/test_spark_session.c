/*
 * Scenarios translated from Apache Spark's StreamingSessionWindowSuite
 * (sql/core/src/test/scala/org/apache/spark/sql/streaming/StreamingSessionWindowSuite.scala,
 * read at commit c7d01f0d55cb8d81e1471d03faae01594db2b429), and the touching-session
 * example of issue 13 pinned in every output mode, with workers and across a restart.
 *
 * The Spark query: each line is split into words, each word an event keyed by the word
 * (sessionId) at timestamp_seconds(t), withWatermark("eventTime", "30 seconds"),
 * groupBy(session_window(eventTime, "10 seconds"), sessionId).agg(count("*")) ->
 * (sessionId, start, end, end - start, numEvents): the spec S10 with --watermark 30s.
 * Spark merges a session into the current one when sessionStart <= currentSessionEnd,
 * so sessions that only touch (one ends where the next starts) become one.
 */
#include <sys/stat.h>

#include "spark/spark_test.h"
#include "banned.h"

static const char S10[] = "{ \"name\": \"s10\", \"group_by\": [\"key\"], \"window\": { \"kind\": "
                          "\"session\", \"gap\": \"10s\" }, \"aggregates\": "
                          "[ {\"fn\":\"count\", \"as\":\"n\"} ] }";
static const char COLS[] = "key, " SP_SEC("window_start") ", " SP_SEC(
    "window_end") ", "
                  "(window_end - window_start) / 1000, n";

/* the AddData steps of the suite's "complete mode" and "append mode" tests */
static const char *const WORDS[] = {
    "hello@40 world@40 spark@40 streaming@40 world@41 hello@41 structured@41 streaming@41",
    "spark@25 streaming@25",
    "spark@30 streaming@30", /* concatenates the sessions of spark and of streaming */
    "hello@60 apache@60 spark@60",
    "structured@90 streaming@90",
};

/* "complete mode - session window" */
Test(spark_session, complete_mode_session_window)
{
    static const char *const want[] = {
        "hello,40,51,11,2\nspark,40,50,10,1\nstreaming,40,51,11,2\nstructured,41,51,10,1\n"
        "world,40,51,11,2\n",
        "hello,40,51,11,2\nspark,25,35,10,1\nspark,40,50,10,1\nstreaming,25,35,10,1\n"
        "streaming,40,51,11,2\nstructured,41,51,10,1\nworld,40,51,11,2\n",
        "hello,40,51,11,2\nspark,25,50,25,3\nstreaming,25,51,26,4\nstructured,41,51,10,1\n"
        "world,40,51,11,2\n",
        "apache,60,70,10,1\nhello,40,51,11,2\nhello,60,70,10,1\nspark,25,50,25,3\n"
        "spark,60,70,10,1\nstreaming,25,51,26,4\nstructured,41,51,10,1\nworld,40,51,11,2\n",
        "apache,60,70,10,1\nhello,40,51,11,2\nhello,60,70,10,1\nspark,25,50,25,3\n"
        "spark,60,70,10,1\nstreaming,25,51,26,4\nstreaming,90,100,10,1\n"
        "structured,41,51,10,1\nstructured,90,100,10,1\nworld,40,51,11,2\n",
    };
    sp_check_steps("sp-sess-complete", S10, "--watermark 30s --output-mode complete", WORDS, want,
                   5, COLS);
}

/* "append mode - session window": step 2 (spark and streaming at 0) is dropped as late */
Test(spark_session, append_mode_session_window)
{
    const char *const steps[] = { WORDS[0], WORDS[1], "spark@0 streaming@0",
                                  WORDS[2], WORDS[3], WORDS[4] };
    /* the watermark reaches 60 only in the last step, closing the five first sessions */
    static const char closed[] = "hello,40,51,11,2\nspark,25,50,25,3\nstreaming,25,51,26,4\n"
                                 "structured,41,51,10,1\nworld,40,51,11,2\n";
    static const char *const want[] = { "", "", "", "", "", closed };
    char *run;
    sp_check_steps("sp-sess-append", S10, "--watermark 30s", steps, want, 6, COLS);
    run = sp_run("sp-sess-append-all", S10, "--watermark 30s", steps, 5);
    cr_expect_eq(sp_data_progress(run, "late_rows", 2), 2, "assertNumRowsDroppedByWatermark(2)");
    free(run);
}

/*
 * Issue 13's example: gap 10 s, events at 0 s and 10 s (in two micro-batches) make ONE
 * session [0, 20) with both events (Spark and Flink), not [0, 10) and [10, 20).
 */
static const char *const TOUCH[] = { "k@0=1", "k@10=2" };
static const char TOUCH_COLS[] = "key, " SP_SEC("window_start") ", " SP_SEC("window_end") ", n";

static void expect_one_session(const char *name, const char *args)
{
    char *run = sp_run(name, S10, args, TOUCH, 1), *got = sp_all_rows(run, TOUCH_COLS);
    cr_expect_str_eq(got, "k,0,20,2\n", "kappa %s", args);
    free(got);
    free(run);
}

Test(spark_session, touching_sessions_merge_in_append_mode)
{
    expect_one_session("sp-touch-append", "--watermark 30s --final-watermark");
}

Test(spark_session, touching_sessions_merge_in_update_mode)
{
    expect_one_session("sp-touch-update", "--watermark 30s --output-mode update");
}

Test(spark_session, touching_sessions_merge_in_complete_mode)
{
    expect_one_session("sp-touch-complete", "--watermark 30s --output-mode complete");
}

/* --workers needs a dataset directory of log partitions and a pipeline grouped by tenant */
Test(spark_session, touching_sessions_merge_with_workers)
{
    static const char spec[] = "{ \"name\": \"s10t\", \"group_by\": [\"tenant\"], \"window\": "
                               "{ \"kind\": \"session\", \"gap\": \"10s\" }, \"aggregates\": "
                               "[ {\"fn\":\"count\", \"as\":\"n\"} ] }";
    static const char line[] =
        "{\"event_id\":\"%s-%d\",\"tenant\":\"%s\",\"key\":\"k\",\"type\":\"view\","
        "\"value\":1.00,\"event_time\":\"2026-01-01T00:00:%02dZ\","
        "\"arrival_time\":\"2026-01-01T12:%02d:01Z\"}\n";
    static const char *const tenants[] = { "t4", "t1" }; /* hash(tenant) % 2 = 0, 1 */
    char *dir = lkt_tmpdir("sp-touch-workers"), *run = lkt_fmt("%s/run", dir), *got;
    char *specf = lkt_fmt("%s/spec.json", dir);
    lkt_write(specf, spec);
    for (int p = 0; p < 2; p++) {
        char *path = lkt_fmt("%s/log/p-%05d.jsonl", dir, p), *a, *b, *text;
        char *mk = lkt_fmt("%s/log", dir);
        mkdir(mk, 0755);
        a = lkt_fmt(line, tenants[p], 0, tenants[p], 0, 0);
        b = lkt_fmt(line, tenants[p], 1, tenants[p], 10, 2);
        text = lkt_fmt("%s%s", a, b);
        lkt_write(path, text);
        free(text);
        free(b);
        free(a);
        free(mk);
        free(path);
    }
    cr_assert_eq(lkt_run(NULL, NULL,
                         "kappa --quiet --data %s --pipeline %s --out %s --trigger 1m "
                         "--cost-model none --watermark 30s --final-watermark "
                         "--workers 2",
                         dir, specf, run),
                 0);
    got = sp_all_rows(run, "tenant, " SP_SEC("window_start") ", " SP_SEC("window_end") ", n");
    cr_expect_str_eq(got, "t1,0,20,2\nt4,0,20,2\n");
    free(got);
    free(specf);
    free(run);
    free(dir);
}

Test(spark_session, touching_sessions_merge_in_one_batch)
{
    static const char *const one[] = { "k@0=1 k@10=2" };
    char *run = sp_run("sp-touch-one", S10, "--watermark 30s --final-watermark", one, 0);
    char *got = sp_all_rows(run, TOUCH_COLS);
    cr_expect_str_eq(got, "k,0,20,2\n");
    free(got);
    free(run);
}

/* The session [0, 10) is restored from the checkpoint by a restart, then touched. */
Test(spark_session, touching_sessions_merge_across_a_restart)
{
    char *dir = lkt_tmpdir("sp-touch-restart"), *run, *got;
    free(sp_run_in(dir, S10, "--watermark 30s --output-mode update", TOUCH, 0));
    run = sp_run_in(dir, S10, "--watermark 30s --output-mode update", TOUCH, 1);
    got = sp_all_rows(run, TOUCH_COLS);
    cr_expect_str_eq(got, "k,0,20,2\n");
    free(got);
    free(run);
    free(dir);
}

/* The same after a crash in the batch that touches the restored session, and a restart. */
Test(spark_session, touching_sessions_merge_after_a_crash)
{
    char *dir = lkt_tmpdir("sp-touch-crash"), *run, *got, *args;
    long long next;
    run = sp_run_in(dir, S10, "--watermark 30s --output-mode update", TOUCH, 0);
    next = lkt_query_int(run, "SELECT count(*) FROM progress"); /* the next batch's id */
    args = lkt_fmt("--watermark 30s --output-mode update --crash-after %lld:processed", next);
    free(sp_run_in(dir, S10, args, TOUCH, 1));
    cr_expect_eq(lkt_query_int(run, "SELECT count(*) FROM progress"), next, "died in batch %lld",
                 next);
    free(sp_run_in(dir, S10, "--watermark 30s --output-mode update", TOUCH, 1));
    got = sp_all_rows(run, TOUCH_COLS);
    cr_expect_str_eq(got, "k,0,20,2\n");
    free(got);
    free(args);
    free(run);
    free(dir);
}

/*
 * Update mode, the later event first: [10, 20) is emitted, then the event at 0 s makes
 * [0, 20), which moves the session's start: the old row is retracted (lklab's update
 * mode for sessions, which Spark refuses: docs/kappa.md, lklab vs Spark).
 */
Test(spark_session, touching_session_that_moves_its_start_is_retracted_in_update_mode)
{
    static const char *const later_first[] = { "k@10=2", "k@0=1" };
    char *run = sp_run("sp-touch-retract", S10,
                       "--watermark 30s --output-mode update --change-feed", later_first, 1);
    char *got = sp_all_rows(run, TOUCH_COLS), *feed;
    cr_expect_str_eq(got, "k,0,20,2\n");
    feed = sp_query(run, "SELECT op, " SP_SEC("window_start") ", " SP_SEC(
                             "window_end") ", n FROM changes ORDER BY batch_id, op DESC");
    cr_expect_str_eq(feed, "upsert,10,20,1\nupsert,0,20,2\nretract,10,20,1\n");
    free(feed);
    free(got);
    free(run);
}

/* `lklab truth` on the same events: one session [0, 20). */
Test(spark_session, touching_sessions_merge_in_the_truth)
{
    char *dir = lkt_tmpdir("sp-touch-truth"),
         *run = sp_run_in(dir, S10, "--watermark 30s", TOUCH, 1);
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL,
                         "truth --quiet --data %s/data.jsonl --pipeline %s/spec.json "
                         "--out -",
                         dir, dir),
                 0);
    cr_expect_str_eq(out, "key,window_start,window_end,n\n"
                          "k,2026-01-01T00:00:00.000Z,2026-01-01T00:00:20.000Z,2\n");
    free(out);
    free(run);
    free(dir);
}

/*
 * The Lambda stack on the same events: at 12:03 the serving answer comes from the speed
 * layer (two buckets, one session each, merged by the serving query), at the end from the
 * batch layer's SQL; both give the one session [0, 20).
 */
Test(spark_session, touching_sessions_merge_in_lambda)
{
    static const char *const at[] = { "2026-01-01T12:03:00Z", "end" };
    char *dir = lkt_tmpdir("sp-touch-lambda");
    char *run = sp_run_in(dir, S10, "--watermark 30s", TOUCH, 1), *lam = lkt_fmt("%s/lam", dir);
    cr_assert_eq(lkt_run(NULL, NULL,
                         "lambda --quiet --data %s/data.jsonl --pipeline %s/spec.json --out %s "
                         "--cost-model none --speed-trigger 10s",
                         dir, dir, lam),
                 0);
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL;
        cr_assert_eq(
            lkt_run(&out, NULL, "results --run %s --table serving --at %s --out -", lam, at[i]), 0);
        cr_expect_str_eq(out,
                         "key,window_start,window_end,n\n"
                         "k,2026-01-01T00:00:00.000Z,2026-01-01T00:00:20.000Z,2\n",
                         "serving at %s", at[i]);
        free(out);
    }
    free(lam);
    free(run);
    free(dir);
}

/* Both events in one speed bucket: the speed layer's own session merge makes one row. */
Test(spark_session, touching_sessions_merge_in_one_speed_bucket)
{
    static const char *const one[] = { "k@0=1 k@10=2" };
    char *dir = lkt_tmpdir("sp-touch-speed");
    char *run = sp_run_in(dir, S10, "--watermark 30s", one, 0), *lam = lkt_fmt("%s/lam", dir);
    char *got;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "lambda --quiet --data %s/data.jsonl --pipeline %s/spec.json --out %s "
                         "--cost-model none --speed-trigger 10s",
                         dir, dir, lam),
                 0);
    got = sp_query(lam, "SELECT key, " SP_SEC("window_start") ", " SP_SEC(
                            "window_end") ", n FROM speed_delta");
    cr_expect_str_eq(got, "k,0,20,2\n");
    free(got);
    free(lam);
    free(run);
    free(dir);
}
