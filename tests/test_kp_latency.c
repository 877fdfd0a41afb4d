/*
 * Per-event latency of Kappa runs (kp_latency, kp_row_history, lklab latency).
 *
 * Update mode by hand: the fixture below (pipeline "top": max value per tenant in 1-minute
 * windows, clicks only), --trigger 1m --watermark none --cost-model none, so each batch is
 * visible at its trigger time. The query starts at 12:00; batches at 12:01, 12:02, 12:03.
 *
 *   line event  event  arrival   value  batch  notes
 *   1    e1     12:00:05 12:00:10  5     12:01  W0 = [12:00,12:01): top 5 at 12:01
 *   2    e2     12:00:20 12:00:30  3     12:01
 *   3    f1     12:00:25 12:00:35  7     12:01  a view: the filter drops it, no sample
 *   4    e3     12:00:40 12:01:30  9     12:02  W0: top 9 at 12:02
 *   5    e1     (again)  12:01:40        12:02  re-delivery: no sample
 *   6    (malformed)                            quarantined: no sample
 *   7    e4     12:00:50 12:02:20  1     12:03  W0 upserted with 9 again: a no-op, so the
 *                                               row's last change stays 12:02
 *   8    e5     12:02:10 12:02:15  2     12:03  W2 = [12:02,12:03): top 2 at 12:03
 *
 *   first-visible = batch - arrival: e1 50s, e2 30s, e3 30s, e4 40s, e5 45s
 *   correct = max(last change of the row, first-visible) - arrival:
 *             e1 12:02-12:00:10 = 110s, e2 90s, e3 30s, e4 40s (not visible before 12:03),
 *             e5 45s
 *   sorted first-visible 30,30,40,45,50 s: p50 (3rd of 5) 40s, max 50s
 *   sorted correct       30,40,45,90,110 s: p50 45s, max 110s
 *
 * Append mode by hand: datasets/fixtures/watermark.jsonl as worked in test_kp_watermark.c
 * (trigger 5m, watermark 10m, --final-watermark): W00 is emitted at 12:30 with 4 clicks
 * but its truth is 5 (w-10 was late), W10 at 12:40, W20 at 12:55, W30 and W40 at 13:00.
 *   first-visible: w-01 26m, w-02 22m, w-03 26m, w-04 14m, w-05 30m, w-06 3m, w-07 27m,
 *                  w-08 4m, w-09 14m, w-10 never (late; the late copy of w-01 is a
 *                  re-delivery, not its first copy)
 *   correct: W00's events (w-01, 02, 04, 06) and w-10 never; w-03 26m, w-05 30m, w-07 27m,
 *            w-08 4m, w-09 14m
 * Percentiles are over all 10 events, the never ones ranked last (+infinity):
 *   first-visible 3,4,14,14,22,26,26,27,30 m, never: p50 = rank 5 -> 22m; p95 = rank
 *            ceil(9.5) = 10 -> never; 9 of 10 visible (90.00%)
 *   correct  4,14,26,27,30 m, never x5: p50 = rank 5 -> 30m (it was 26m when the never
 *            events were left out); p95 -> never; 5 of 10 correct (50.00%)
 * Without --final-watermark W30 (w-07) and W40 (w-09) are never emitted:
 *   first-visible 3,4,14,22,26,26,30 m, never x3: p50 = rank 5 -> 26m, p95 never
 *   correct  4,26,30 m, never x7: p50 = rank 5 -> never (30.00% correct)
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp_latency.h"
#include "kp_test.h"
#include "lk_latency.h"
#include "banned.h"

#define S 1000
#define M 60000

static const char fixture[] =
    "{\"event_id\":\"e1\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":5,"
    "\"event_time\":\"2026-01-01T12:00:05Z\",\"arrival_time\":\"2026-01-01T12:00:10Z\"}\n"
    "{\"event_id\":\"e2\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":3,"
    "\"event_time\":\"2026-01-01T12:00:20Z\",\"arrival_time\":\"2026-01-01T12:00:30Z\"}\n"
    "{\"event_id\":\"f1\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"view\",\"value\":7,"
    "\"event_time\":\"2026-01-01T12:00:25Z\",\"arrival_time\":\"2026-01-01T12:00:35Z\"}\n"
    "{\"event_id\":\"e3\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":9,"
    "\"event_time\":\"2026-01-01T12:00:40Z\",\"arrival_time\":\"2026-01-01T12:01:30Z\"}\n"
    "{\"event_id\":\"e1\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":5,"
    "\"event_time\":\"2026-01-01T12:00:05Z\",\"arrival_time\":\"2026-01-01T12:01:40Z\"}\n"
    "{\"event_id\":\"bad\",\"tenant\":\"t1\"\n"
    "{\"event_id\":\"e4\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":1,"
    "\"event_time\":\"2026-01-01T12:00:50Z\",\"arrival_time\":\"2026-01-01T12:02:20Z\"}\n"
    "{\"event_id\":\"e5\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\",\"value\":2,"
    "\"event_time\":\"2026-01-01T12:02:10Z\",\"arrival_time\":\"2026-01-01T12:02:15Z\"}\n";

static const char top_spec[] =
    "{ \"name\": \"top\", \"dedup\": \"event_id\", \"group_by\": [\"tenant\"],\n"
    "  \"filter\": {\"field\": \"type\", \"in\": [\"click\"]},\n"
    "  \"window\": { \"kind\": \"tumbling\", \"size\": \"1m\" },\n"
    "  \"aggregates\": [ {\"fn\": \"max\", \"of\": \"value\", \"as\": \"top\"} ] }\n";

/* The hand fixture run in mode (with extra args); returns RUN (heap). */
static char *run_fixture(const char *name, const char *mode, const char *extra)
{
    char *dir = lkt_tmpdir(name), *data = lkt_fmt("%s/events.jsonl", dir);
    char *spec = lkt_fmt("%s/top.json", dir), *run = lkt_fmt("%s/run", dir), *err = NULL;
    int rc;
    lkt_write(data, fixture);
    lkt_write(spec, top_spec);
    rc = lkt_run(NULL, &err,
                 "kappa --quiet --data %s --pipeline %s --out %s --trigger 1m "
                 "--watermark none --cost-model none --output-mode %s %s",
                 data, spec, run, mode, extra);
    cr_assert_eq(rc, 0, "kappa exit %d: %s", rc, err);
    free(err);
    free(data);
    free(spec);
    free(dir);
    return run;
}

/* Run kp_latency and check the sorted samples against expected[0..n) and never. */
static void expect_samples(const struct lk_lat *l, const char *what, const int64_t *want, size_t n,
                           uint64_t never)
{
    cr_assert_eq(l->n, n, "%s: %zu samples, want %zu", what, l->n, n);
    cr_assert_eq(l->never, never, "%s: never %llu, want %llu", what, (unsigned long long)l->never,
                 (unsigned long long)never);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(l->v[i], want[i], "%s[%zu] = %lld ms, want %lld ms", what, i,
                     (long long)l->v[i], (long long)want[i]);
}

/* Every sample of run, sorted; events: the dataset parsed ahead, or NULL (read). */
static void latency_of(const char *run, const struct lk_firsts *events, struct lk_lat *fv,
                       struct lk_lat *cor)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_lat_summary s;
    lk_lat_init(fv);
    lk_lat_init(cor);
    cr_assert_eq(kp_latency(run, NULL, events, fv, cor, &err), 0, "kp_latency: %s", err.msg);
    lk_lat_summarize(fv, &s); /* sorts */
    lk_lat_summarize(cor, &s);
}

static const int64_t hand_fv[] = { 30 * S, 30 * S, 40 * S, 45 * S, 50 * S };
static const int64_t hand_cor[] = { 30 * S, 40 * S, 45 * S, 90 * S, 110 * S };

Test(kp_latency, update_mode_matches_the_hand_computed_samples)
{
    char *run = run_fixture("lat-upd", "update", "");
    struct lk_lat fv, cor;
    struct lk_lat_summary s;
    latency_of(run, NULL, &fv, &cor);
    expect_samples(&fv, "first-visible", hand_fv, 5, 0);
    expect_samples(&cor, "correct", hand_cor, 5, 0);
    lk_lat_summarize(&fv, &s);
    cr_assert_eq(s.p50_ms, 40 * S);
    cr_assert_eq(s.max_ms, 50 * S);
    lk_lat_summarize(&cor, &s);
    cr_assert_eq(s.p50_ms, 45 * S);
    cr_assert_eq(s.max_ms, 110 * S);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(run);
}

/* The sweep's way: the truth read from `lklab truth`'s CSV, not computed again. */
Test(kp_latency, update_mode_matches_the_hand_computed_samples_with_the_truth_from_its_csv)
{
    char *run = run_fixture("lat-upd-csv", "update", "");
    char *csv = lkt_fmt("%s/../truth.csv", run);
    struct lk_err err = LK_ERR_INIT;
    struct lk_lat fv, cor;
    struct lk_lat_summary s;
    cr_assert_eq(lkt_run(NULL, NULL,
                         "truth --quiet --data %s/../events.jsonl --pipeline "
                         "%s/../top.json --out %s",
                         run, run, csv),
                 0);
    lk_lat_init(&fv);
    lk_lat_init(&cor);
    cr_assert_eq(kp_latency(run, csv, NULL, &fv, &cor, &err), 0, "kp_latency: %s", err.msg);
    lk_lat_summarize(&fv, &s); /* sorts */
    lk_lat_summarize(&cor, &s);
    expect_samples(&fv, "first-visible", hand_fv, 5, 0);
    expect_samples(&cor, "correct", hand_cor, 5, 0);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(csv);
    free(run);
}

Test(kp_latency, complete_mode_with_a_change_feed_gives_the_same_samples)
{
    char *run = run_fixture("lat-cmp", "complete", "--change-feed");
    struct lk_lat fv, cor;
    latency_of(run, NULL, &fv, &cor);
    expect_samples(&fv, "first-visible", hand_fv, 5, 0);
    expect_samples(&cor, "correct", hand_cor, 5, 0);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(run);
}

Test(kp_latency, complete_mode_without_a_change_feed_is_refused_with_the_fix)
{
    char *run = run_fixture("lat-cmp-nofeed", "complete", "");
    struct lk_lat fv, cor;
    struct lk_err err = LK_ERR_INIT;
    lk_lat_init(&fv);
    lk_lat_init(&cor);
    cr_assert_eq(kp_latency(run, NULL, NULL, &fv, &cor, &err), LK_EINPUT);
    cr_assert(strstr(err.msg, "--change-feed"), "%s", err.msg);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(run);
}

/*
 * --max-events-per-trigger 1: one line per batch (12:01 e1, 12:02 e2, 12:03 f1, 12:04 e3,
 * 12:05 the copy of e1, 12:06 the malformed line, 12:07 e4, 12:08 e5), so the batch that
 * took an event comes from the checkpoint's offsets, not from its arrival. W0's top: 5 at
 * 12:01 (e2's 3 changes nothing), 9 at 12:04, unchanged by e4 at 12:07.
 *   first-visible: e1 50s, e2 90s, e3 150s, e4 280s, e5 345s
 *   correct: e1 12:04-12:00:10 = 230s, e2 210s, e3 150s, e4 280s, e5 345s
 */
Test(kp_latency, a_cap_per_trigger_delays_events_to_the_batch_that_took_them)
{
    char *run = run_fixture("lat-cap", "update", "--max-events-per-trigger 1");
    struct lk_lat fv, cor;
    static const int64_t want_fv[] = { 50 * S, 90 * S, 150 * S, 280 * S, 345 * S };
    static const int64_t want_cor[] = { 150 * S, 210 * S, 230 * S, 280 * S, 345 * S };
    latency_of(run, NULL, &fv, &cor);
    expect_samples(&fv, "first-visible", want_fv, 5, 0);
    expect_samples(&cor, "correct", want_cor, 5, 0);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(run);
}

static char *run_watermark(const char *name, const char *extra)
{
    char *dir = lkt_tmpdir(name), *run = lkt_fmt("%s/run", dir), *err = NULL;
    int rc = lkt_run(NULL, &err,
                     "kappa --quiet --data %s/datasets/fixtures/watermark.jsonl"
                     " --pipeline %s/datasets/fixtures/watermark-spec.json --out %s"
                     " --trigger 5m --watermark 10m --cost-model none %s",
                     lkt_root(), lkt_root(), run, extra);
    cr_assert_eq(rc, 0, "kappa exit %d: %s", rc, err);
    free(err);
    free(dir);
    return run;
}

Test(kp_latency, append_mode_matches_the_watermark_walkthrough_with_the_late_event_never)
{
    char *run = run_watermark("lat-wm", "--final-watermark");
    struct lk_lat fv, cor;
    struct lk_lat_summary s;
    static const int64_t want_fv[] = { 3 * M,  4 * M,  14 * M, 14 * M, 22 * M,
                                       26 * M, 26 * M, 27 * M, 30 * M };
    static const int64_t want_cor[] = { 4 * M, 14 * M, 26 * M, 27 * M, 30 * M };
    latency_of(run, NULL, &fv, &cor);
    expect_samples(&fv, "first-visible", want_fv, 9, 1);
    expect_samples(&cor, "correct", want_cor, 5, 5);
    lk_lat_summarize(&fv, &s);
    cr_assert_eq(s.events, 10);
    cr_assert_eq(s.p50_ms, 22 * M);
    cr_assert_eq(s.p95_ms, LK_LAT_NEVER);
    cr_assert_eq(s.max_ms, LK_LAT_NEVER);
    cr_assert_float_eq(lk_lat_reached_pct(&s), 90.0, 1e-9);
    lk_lat_summarize(&cor, &s);
    cr_assert_eq(s.events, 10);
    cr_assert_eq(s.p50_ms, 30 * M);
    cr_assert_eq(s.p95_ms, LK_LAT_NEVER);
    cr_assert_float_eq(lk_lat_reached_pct(&s), 50.0, 1e-9);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(run);
}

Test(kp_latency, append_mode_counts_windows_still_open_at_the_end_as_never)
{
    char *run = run_watermark("lat-wm-open", "");
    struct lk_lat fv, cor;
    static const int64_t want_fv[] = { 3 * M, 4 * M, 14 * M, 22 * M, 26 * M, 26 * M, 30 * M };
    static const int64_t want_cor[] = { 4 * M, 26 * M, 30 * M };
    struct lk_lat_summary s;
    latency_of(run, NULL, &fv, &cor); /* W30 (w-07) and W40 (w-09) are never emitted */
    expect_samples(&fv, "first-visible", want_fv, 7, 3);
    expect_samples(&cor, "correct", want_cor, 3, 7);
    lk_lat_summarize(&fv, &s);
    cr_assert_eq(s.p50_ms, 26 * M);
    cr_assert_eq(s.p95_ms, LK_LAT_NEVER);
    lk_lat_summarize(&cor, &s);
    cr_assert_eq(s.p50_ms, LK_LAT_NEVER);
    cr_assert_float_eq(lk_lat_reached_pct(&s), 30.0, 1e-9);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    free(run);
}

/* ------------------------------------------------------ row history ---- */

static void expect_history(const char *run, const char *key, const struct lk_point *want, size_t n)
{
    struct lk_err err = LK_ERR_INIT;
    struct lk_point *pts;
    size_t got;
    cr_assert_eq(kp_row_history(run, key, "top", &pts, &got, &err), 0, "%s", err.msg);
    cr_assert_eq(got, n, "%s: %zu points, want %zu", key, got, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(pts[i].t, want[i].t, "%s point %zu at %lld", key, i, (long long)pts[i].t);
        cr_assert_float_eq(pts[i].v, want[i].v, 1e-9, "%s point %zu = %f", key, i, pts[i].v);
    }
    free(pts);
}

#define T1201 INT64_C(1767268860000) /* 2026-01-01T12:01:00Z */

Test(kp_latency, row_history_lists_each_change_once_in_update_and_complete_mode)
{
    /* W0: 5.00 at 12:01, 9.00 at 12:02; the unchanged upsert at 12:03 is not a change */
    const struct lk_point w0[] = { { T1201, 5.0 }, { T1201 + M, 9.0 } };
    const struct lk_point w2[] = { { T1201 + 2 * M, 2.0 } };
    const char *modes[] = { "update", "complete" };
    for (int i = 0; i < 2; i++) {
        char *name = lkt_fmt("lat-hist-%s", modes[i]);
        char *run = run_fixture(name, modes[i], "--change-feed");
        expect_history(run, "t1,2026-01-01T12:00:00.000Z", w0, 2);
        expect_history(run, "t1,2026-01-01T12:02:00.000Z", w2, 1);
        free(run);
        free(name);
    }
}

Test(kp_latency, row_history_without_a_change_feed_has_the_final_point_and_refuses_bad_keys)
{
    char *run = run_fixture("lat-hist-nofeed", "update", "");
    const struct lk_point w0[] = { { T1201 + M, 9.0 } };
    struct lk_err err = LK_ERR_INIT;
    struct lk_point *pts;
    size_t n;
    expect_history(run, "t1,2026-01-01T12:00:00.000Z", w0, 1);
    cr_assert_eq(kp_row_history(run, "t1", "top", &pts, &n, &err), LK_EINPUT);
    cr_assert_eq(kp_row_history(run, "t1,2026-01-01T12:00:00.000Z", "nope", &pts, &n, &err),
                 LK_EINPUT);
    cr_assert_eq(kp_row_history(run, "t9,2026-01-01T12:00:00.000Z", "top", &pts, &n, &err),
                 LK_ENOENT);
    free(run);
}

/* ------------------------------------------- properties on generated data ---- */

/* Run kappa, then kp_latency; *late (may be NULL) gets the run's late events. */
static void summary_of(const char *ds, const char *pipeline, const char *args,
                       struct lk_lat_summary *fv, struct lk_lat_summary *cor, long long *late)
{
    char *dir = lkt_tmpdir("lat-prop"), *run = lkt_fmt("%s/run", dir);
    struct lk_lat a, b;
    cr_assert_eq(kpt_kappa(ds, pipeline, run, args), 0, "kappa %s %s", pipeline, args);
    latency_of(run, NULL, &a, &b);
    lk_lat_summarize(&a, fv);
    lk_lat_summarize(&b, cor);
    if (late)
        *late = lkt_query_int(run, "SELECT sum(late_events) FROM progress");
    lk_lat_free(&a);
    lk_lat_free(&b);
    free(run);
    free(dir);
}

static void expect_ordered(const struct lk_lat_summary *fv, const struct lk_lat_summary *cor,
                           const char *what)
{
    cr_assert_leq(fv->p50_ms, cor->p50_ms, "%s p50", what);
    cr_assert_leq(fv->p95_ms, cor->p95_ms, "%s p95", what);
    cr_assert_leq(fv->p99_ms, cor->p99_ms, "%s p99", what);
    cr_assert_leq(fv->max_ms, cor->max_ms, "%s max", what);
}

Test(kp_latency, first_visible_grows_with_the_trigger_and_update_without_watermark_never_misses)
{
    static const char *const triggers[] = { "10s", "1m", "1h" };
    char *ds = kpt_dataset();
    int64_t last = -1;
    for (int i = 0; i < 3; i++) {
        struct lk_lat_summary fv, cor;
        char *args = lkt_fmt("--output-mode update --watermark none --durability process "
                             "--trigger %s",
                             triggers[i]);
        summary_of(ds, "revenue", args, &fv, &cor, NULL);
        cr_assert_gt(fv.p50_ms, last, "p50 first-visible with trigger %s: %lld ms", triggers[i],
                     (long long)fv.p50_ms);
        last = fv.p50_ms;
        cr_assert_eq(fv.never, 0, "trigger %s: first-visible never %llu", triggers[i],
                     (unsigned long long)fv.never);
        cr_assert_eq(cor.never, 0, "trigger %s: nothing is late, every row ends true", triggers[i]);
        cr_assert_gt(fv.events, 15000);
        cr_assert_eq(fv.events, cor.events);
        expect_ordered(&fv, &cor, triggers[i]);
        free(args);
    }
    free(ds);
}

Test(kp_latency, sliding_and_session_windows_reach_the_truth_without_a_watermark)
{
    static const char *const pipelines[] = { "sliding", "sessions" };
    char *ds = kpt_dataset();
    for (int i = 0; i < 2; i++) {
        struct lk_lat_summary fv, cor;
        summary_of(ds, pipelines[i], "--output-mode update --watermark none --durability process",
                   &fv, &cor, NULL);
        cr_assert_eq(fv.never, 0, "%s", pipelines[i]);
        cr_assert_eq(cor.never, 0, "%s", pipelines[i]);
        cr_assert_gt(fv.events, 0);
        expect_ordered(&fv, &cor, pipelines[i]);
    }
    free(ds);
}

Test(kp_latency, with_a_watermark_late_events_are_never_and_the_rest_still_ordered)
{
    struct lk_lat_summary fv, cor;
    char *ds = kpt_dataset();
    long long late;
    summary_of(ds, "revenue", "--output-mode update --watermark 1m --durability process", &fv, &cor,
               &late);
    cr_assert_gt(late, 0, "the dataset has late events");
    /* tumbling windows: an event is late in its one window, so never = the late first copies */
    cr_assert_leq(fv.never, (uint64_t)late);
    cr_assert_gt(fv.never, 0);
    cr_assert_geq(cor.never, fv.never);
    expect_ordered(&fv, &cor, "watermark 1m");
    free(ds);
}

static void expect_same_samples(const struct lk_lat *a, const struct lk_lat *b, const char *what)
{
    cr_assert_eq(a->n, b->n, "%s: %zu samples, read again %zu", what, a->n, b->n);
    cr_assert_eq(a->never, b->never, "%s: never", what);
    cr_assert_eq(memcmp(a->v, b->v, a->n * sizeof(a->v[0])), 0, "%s: samples differ", what);
}

/* The sweep parses the dataset once (lk_firsts) for all its runs' latencies. */
Test(kp_latency, the_dataset_parsed_once_gives_every_run_the_samples_of_reading_it)
{
    static const char *const args[] = {
        "--output-mode update --watermark 1m --durability process --trigger 1m",
        "--watermark 10m --durability process --trigger 10s --final-watermark",
        "--output-mode update --watermark none --durability process --trigger 1h",
    };
    char *ds = kpt_dataset(), *dir = lkt_tmpdir("lat-events");
    struct lk_firsts *events;
    struct lk_err err = LK_ERR_INIT;
    cr_assert_eq(lk_firsts_load(ds, 0, &events, &err), 0, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        char *run = lkt_fmt("%s/run%d", dir, i);
        struct lk_lat fv, cor, fv2, cor2;
        cr_assert_eq(kpt_kappa(ds, "revenue", run, args[i]), 0, "kappa %s", args[i]);
        latency_of(run, events, &fv, &cor);
        latency_of(run, NULL, &fv2, &cor2);
        cr_assert_gt(fv.n, 15000);
        expect_same_samples(&fv, &fv2, args[i]);
        expect_same_samples(&cor, &cor2, args[i]);
        if (i == 0)
            cr_assert_gt(cor.never, 0, "a watermark of 1m leaves events never correct");
        lk_lat_free(&fv);
        lk_lat_free(&cor);
        lk_lat_free(&fv2);
        lk_lat_free(&cor2);
        free(run);
    }
    lk_firsts_free(events);
    free(dir);
    free(ds);
}

/* Parsed events of a dataset that changed since are not used: the run's dataset is read. */
Test(kp_latency, events_parsed_before_the_dataset_changed_are_not_used)
{
    char *run = run_fixture("lat-events-stale", "update", "");
    char *data = lkt_fmt("%s/../events.jsonl", run);
    struct lk_firsts *events;
    struct lk_err err = LK_ERR_INIT;
    struct lk_lat fv, cor;
    FILE *fp;
    cr_assert_eq(lk_firsts_load(data, 0, &events, &err), 0, "%s", err.msg);
    latency_of(run, events, &fv, &cor);
    expect_samples(&fv, "first-visible", hand_fv, 5, 0);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    fp = fopen(data, "a"); /* one more click, after the run: a sample never visible */
    cr_assert_not_null(fp);
    fputs("{\"event_id\":\"e6\",\"tenant\":\"t1\",\"key\":\"k\",\"type\":\"click\","
          "\"value\":4,\"event_time\":\"2026-01-01T12:02:30Z\","
          "\"arrival_time\":\"2026-01-01T12:03:30Z\"}\n",
          fp);
    fclose(fp);
    latency_of(run, events, &fv, &cor);
    expect_samples(&fv, "first-visible", hand_fv, 5, 1);
    lk_lat_free(&fv);
    lk_lat_free(&cor);
    lk_firsts_free(events);
    free(data);
    free(run);
}

/* ------------------------------------------------------------ the CLI ---- */

Test(kp_latency, cli_writes_the_latency_into_run_json_and_keeps_every_other_field)
{
    char *run = run_fixture("lat-cli", "update", ""), *path = lkt_fmt("%s/run.json", run);
    char *before_text = lkt_slurp(path), *out = NULL, *after_text;
    cJSON *before, *after, *lat, *item;
    cr_assert_eq(lkt_run(&out, NULL, "latency --run %s", run), 0);
    cr_assert(strstr(out, "first-visible") && strstr(out, "40.0s") && strstr(out, "1.8m"), "%s",
              out); /* p50 40s; correct max 110s */
    free(out);
    cr_assert_eq(lkt_run(&out, NULL, "latency --run %s --format json", run), 0); /* twice */
    after_text = lkt_slurp(path);
    before = cJSON_Parse(before_text);
    after = cJSON_Parse(after_text);
    cr_assert(before && after);
    cJSON_ArrayForEach(item, before)
    {
        const cJSON *same = cJSON_GetObjectItemCaseSensitive(after, item->string);
        cr_assert(same && cJSON_Compare(item, same, 1), "field '%s' changed", item->string);
    }
    cr_assert_eq(cJSON_GetArraySize(after), cJSON_GetArraySize(before) + 1, "one field added");
    lat = cJSON_GetObjectItemCaseSensitive(after, "latency");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(lat, "first_visible"), "p50_ms")
                     ->valuedouble,
                 40000);
    cr_assert_eq(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(lat, "correct"), "max_ms")
            ->valuedouble,
        110000);
    item = cJSON_Parse(out);
    cr_assert(cJSON_Compare(item, lat, 1), "--format json prints what run.json holds: %s", out);
    cJSON_Delete(item);
    cJSON_Delete(before);
    cJSON_Delete(after);
    free(out);
    free(after_text);
    free(before_text);
    free(path);
    free(run);
}

/* The watermark walkthrough (see the top): "inf" where a percentile falls among the never
 * events, the correct share beside never, "never" in the table. */
Test(kp_latency, cli_writes_inf_and_the_correct_share_for_never_correct_events)
{
    char *run = run_watermark("lat-cli-inf", "--final-watermark"), *out = NULL;
    cJSON *lat, *cor, *fv;
    cr_assert_eq(lkt_run(&out, NULL, "latency --run %s --format json", run), 0);
    lat = cJSON_Parse(out);
    cr_assert(lat, "%s", out);
    cor = cJSON_GetObjectItemCaseSensitive(lat, "correct");
    fv = cJSON_GetObjectItemCaseSensitive(lat, "first_visible");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(cor, "events")->valuedouble, 10);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(cor, "never")->valuedouble, 5);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(cor, "correct_pct")->valuedouble, 50);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(cor, "p50_ms")->valuedouble, 30 * M);
    cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cor, "p95_ms")), "inf");
    cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cor, "max_ms")), "inf");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(fv, "visible_pct")->valuedouble, 90);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(fv, "p50_ms")->valuedouble, 22 * M);
    cJSON_Delete(lat);
    free(out);
    cr_assert_eq(lkt_run(&out, NULL, "latency --run %s", run), 0);
    /* correct: 10 events, 5 never, 50.00%, p50 30.0m, p95 never */
    cr_expect(strstr(out, "50.00%") && strstr(out, "30.0m") && strstr(out, "never"), "%s", out);
    free(out);
    free(run);
}

Test(kp_latency, cli_names_a_missing_run_and_exits_3)
{
    char *err = NULL;
    cr_assert_eq(lkt_run(NULL, &err, "latency --run %s/out/no-such-run", lkt_root()), 3);
    cr_assert(strstr(err, "no-such-run"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "latency"), 2);
    cr_assert(strstr(err, "missing --run"), "%s", err);
    free(err);
    cr_assert_eq(lkt_run(NULL, &err, "latency --run x --format pie"), 2);
    free(err);
}

Test(kp_latency, cli_help_goes_to_stdout)
{
    char *out = NULL;
    cr_assert_eq(lkt_run(&out, NULL, "latency --help"), 0);
    cr_assert(strstr(out, "first-visible") && strstr(out, "--format"), "%s", out);
    free(out);
}
